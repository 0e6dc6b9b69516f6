"""Streaming a run: ``async for event in runnable.stream(input)``.

Events come as the run goes: ``"span_start"`` / ``"span_end"`` (``event.span``),
``"message"`` (``event.message``, each message once), ``"text_delta"`` (``event.text``,
a piece of a model's answer as it arrives; ``event.span_id`` is its model span), and
last ``"done"`` (``event.run``, the finished ``Run``). Real providers stream through
their SDK's streaming call; offline models send their text as deltas.

The run waits for the reader before each model call, so leaving the loop early
(``break``, ``aclose()``) makes no further model call: the run is cancelled and ends
stopped / ``"interrupted"`` with its partial trace (``stream.run`` holds it).

>>> import agentlab as al
>>> agent = al.Agent(name="Echo", model=al.ScriptedModel(["Hello there!"]))
>>> async def main():
...     async for event in agent.stream("Hi"):
...         if event.kind == "text_delta":
...             print(event.text, end="|")
>>> al.run_sync(main())
Hello |there!|
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agentlab.core.sync import run_sync
from agentlab.trace.processors import processing

if TYPE_CHECKING:
    from agentlab.core.run import Run
    from agentlab.messages import Message
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace

__all__ = ["RunStream", "StreamEvent", "iterate_sync", "wait_for_reader"]

EventKind = Literal["span_start", "span_end", "message", "text_delta", "done"]


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of a streamed run; which fields are set depends on ``kind``."""

    kind: EventKind
    span: Span | None = None
    message: Message | None = None
    index: int | None = None  # the message's index in the trace
    text: str | None = None
    span_id: int | str | None = None
    run: Run | None = None

    def __repr__(self) -> str:
        what = {
            "span_start": lambda: f"{self.span and self.span.kind} {self.span and self.span.name}",
            "span_end": lambda: f"{self.span and self.span.kind} {self.span and self.span.name}",
            "message": lambda: f"{self.message and self.message.role}",
            "text_delta": lambda: repr(self.text),
            "done": lambda: repr(self.run),
        }[self.kind]()
        return f"<StreamEvent {self.kind}: {what}>"


_READER: ContextVar[_Reader | None] = ContextVar("agentlab_stream_reader", default=None)


async def wait_for_reader() -> None:
    """Before a model call in a streamed run: wait until the reader has taken every
    event so far (so a reader that left the loop stops the run before another call)."""
    reader = _READER.get()
    if reader is not None and reader.loop is asyncio.get_running_loop():
        await reader.queue.join()


class _Reader:
    """The trace processor that turns spans, messages and deltas into events."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.queue: asyncio.Queue[StreamEvent] = asyncio.Queue()

    def put(self, event: StreamEvent) -> None:
        if threading.get_ident() == self.thread:
            self.queue.put_nowait(event)
        elif not self.loop.is_closed():  # a nested run on another thread's loop
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def on_span_start(self, trace: Trace, span: Span) -> None:
        self.put(StreamEvent("span_start", span=span, span_id=span.id))

    def on_span_end(self, trace: Trace, span: Span) -> None:
        self.put(StreamEvent("span_end", span=span, span_id=span.id))

    def on_message(self, trace: Trace, index: int, message: Message) -> None:
        self.put(StreamEvent("message", message=message, index=index))

    def on_text_delta(self, trace: Trace, span_id: int | str, text: str) -> None:
        self.put(StreamEvent("text_delta", text=text, span_id=span_id))


class RunStream:
    """What ``runnable.stream(...)`` returns: an async iterator of ``StreamEvent``.

    ``stream.run`` is the ``Run`` once the stream has ended (also after leaving early
    with ``await stream.aclose()``).
    """

    def __init__(self, start: Callable[[], Coroutine[Any, Any, Run]]) -> None:
        self._start = start
        self._events: AsyncIterator[StreamEvent] | None = None
        self.run: Run | None = None

    def __aiter__(self) -> RunStream:
        return self

    async def __anext__(self) -> StreamEvent:
        if self._events is None:
            self._events = self._generate()
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Leave early: cancel the run (stopped / ``"interrupted"``, partial trace kept)."""
        if self._events is not None:
            await self._events.aclose()  # type: ignore[attr-defined]

    async def _generate(self) -> AsyncIterator[StreamEvent]:
        reader = _Reader(asyncio.get_running_loop())
        token = _READER.set(reader)
        try:
            with processing(reader):
                task = asyncio.ensure_future(self._start())
        finally:
            _READER.reset(token)
        try:
            while True:
                getter = asyncio.ensure_future(reader.queue.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    break
                yield getter.result()
                reader.queue.task_done()
            await asyncio.sleep(0)  # events a nested run's thread scheduled
            while not reader.queue.empty():
                yield reader.queue.get_nowait()
                reader.queue.task_done()
            self.run = task.result()
            yield StreamEvent("done", run=self.run)
        finally:
            if not task.done():
                task.cancel()
                self.run = await _ended(task)


async def _ended(task: asyncio.Future[Run]) -> Run | None:
    try:
        return await task
    except asyncio.CancelledError:
        return None


def iterate_sync(stream: RunStream) -> Iterator[StreamEvent]:
    """The events of ``stream`` for sync code, each taken on the background loop that
    ``run_sync`` uses; closing the iterator early closes the stream (the run stops)."""
    try:
        while True:
            try:
                yield run_sync(stream.__anext__())
            except StopAsyncIteration:
                return
    finally:
        run_sync(stream.aclose())
