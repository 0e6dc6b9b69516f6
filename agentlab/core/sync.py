"""The one sync bridge: run a coroutine on a persistent background event-loop thread.

Works in plain Python and inside a running loop (Jupyter) without nest_asyncio. The
caller's ``contextvars`` are copied into the task, so ``al.cassette(...)`` blocks and
scoped processors apply. Ctrl-C (or Jupyter's stop button) cancels the task; the run
then ends "stopped" with reason "interrupted" and is returned, partial trace kept.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def background_loop() -> asyncio.AbstractEventLoop:
    """The process-wide loop thread, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or not _thread or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=_serve, args=(loop,), name="agentlab-loop",
                                      daemon=True)  # fmt: skip
            thread.start()
            _loop, _thread = loop, thread
        return _loop


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """Run the loop for good: a ``SystemExit`` or ``KeyboardInterrupt`` escaping one task
    (asyncio re-raises those out of ``run_forever``) must not stop every later run."""
    asyncio.set_event_loop(loop)
    while not loop.is_closed():
        try:
            loop.run_forever()
        except BaseException:  # noqa: BLE001 - that task has its exception; serve on
            continue


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code and return its result."""
    loop = background_loop()
    if threading.current_thread() is _thread:
        coro.close()
        raise RuntimeError(
            "run_sync was called from inside a running agentlab run; use `await "
            "runnable.run(...)` there instead"
        )
    context = contextvars.copy_context()
    done: concurrent.futures.Future[T] = concurrent.futures.Future()
    task_box: list[asyncio.Task[T]] = []

    def start() -> None:
        task = loop.create_task(coro, context=context)
        task_box.append(task)

        def finish(t: asyncio.Task[T]) -> None:
            if t.cancelled():
                done.cancel()
            elif t.exception() is not None:
                done.set_exception(t.exception())  # type: ignore[arg-type]
            else:
                done.set_result(t.result())

        task.add_done_callback(finish)

    loop.call_soon_threadsafe(start)
    try:
        while True:  # short waits keep the main thread responsive to Ctrl-C
            try:
                return done.result(timeout=0.2)
            except concurrent.futures.TimeoutError:
                if _thread is None or not _thread.is_alive():
                    raise RuntimeError("agentlab's event-loop thread stopped; run again") from None
    except KeyboardInterrupt:
        # Cancel the run; it records itself as stopped/"interrupted" and returns.
        loop.call_soon_threadsafe(lambda: task_box and task_box[0].cancel())
        return done.result()
