"""Running the user's code: sync functions on worker threads, async ones awaited, and
whatever they raise kept inside the run.

Every function a person hands the kit (tools, function steps, gate checks, merge and
pick rules, accept rules, ``FunctionModel`` functions) is called through ``call_user``.
A sync function runs on a worker thread, so a slow one never blocks parallel branches,
timeouts or Ctrl-C (the caller stops waiting; the thread finishes on its own); an async
one is awaited; a sync function that returns an awaitable has it awaited too.
``SystemExit`` raised by user code (``sys.exit()`` in a tool) becomes ``UserExit``: it
ends that run ("failed") instead of stopping the event loop that other runs share. A
``KeyboardInterrupt`` keeps its meaning: the run stops, "interrupted".

The worker pool is this module's own rather than ``asyncio.to_thread``, because a tool
loop hops once per sync tool call and the hop is most of what such a turn costs. One
queue feeds threads started on demand (at most ``MAX_WORKERS``; idle ones leave after
``IDLE_S``). The caller first waits up to ``GRACE_S`` (0.1 ms, the GIL released) for
the answer: a quick function's result comes straight back, without a trip through the
event loop. A slower one is then awaited like any future, so the loop is held for at
most that grace per call. ``benchmarks/overhead.py`` measures the hop against a bare
``loop.run_in_executor`` round trip in the same run.

>>> import asyncio
>>> asyncio.run(call_user(sorted, [3, 1, 2]))
[1, 2, 3]
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from agentlab.errors import UserExit

__all__ = ["MAX_WORKERS", "call_user", "in_worker", "is_async_callable"]

MAX_WORKERS = 64
"""Sync user functions running at once; more wait their turn (blocking I/O mostly)."""
IDLE_S = 30.0
"""An idle worker thread leaves after this many seconds."""

GRACE_S = 0.0001
"""How long the caller waits for a sync function's answer before awaiting it instead."""


class _Job:
    """One call: what to run, and its result once a worker has it."""

    __slots__ = ("args", "context", "fn", "future", "guard", "kwargs", "loop", "ok", "ready",
                 "value")  # fmt: skip

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.context = contextvars.copy_context()
        self.ready = threading.Lock()  # held until the result is in
        self.ready.acquire()
        self.guard = threading.Lock()  # orders "done" against "the caller now awaits"
        self.ok: bool | None = None  # None: not done yet
        self.value: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.future: asyncio.Future[Any] | None = None

    def run(self) -> None:
        try:
            value, ok = self.context.run(self.fn, *self.args, **self.kwargs), True
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            value, ok = exc, False
        with self.guard:
            self.value, self.ok = value, ok
            future, loop = self.future, self.loop
        self.ready.release()
        if future is not None and loop is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it
                loop.call_soon_threadsafe(_deliver, future, value, ok)

    async def result(self) -> Any:
        """The function's result (or its exception), quickly if it answers in the grace."""
        if not self.ready.acquire(timeout=GRACE_S):
            with self.guard:
                if self.ok is None:  # still running: await it through the loop
                    self.loop = asyncio.get_running_loop()
                    self.future = self.loop.create_future()
            if self.future is not None:
                return await self.future
        if self.ok:
            return self.value
        raise self.value


class _Workers:
    """Threads that take jobs from one queue."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for a job, less the jobs promised to them
        self._threads = 0

    def submit(self, job: _Job) -> None:
        self._jobs.put(job)
        with self._lock:
            if self._idle:
                self._idle -= 1  # a waiting thread takes it
                return
            if self._threads >= MAX_WORKERS:
                return  # every thread is busy: the job waits in the queue
            self._threads += 1
        threading.Thread(target=self._work, name="agentlab-worker", daemon=True).start()

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            try:
                job = jobs.get(timeout=IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._idle:  # no job is promised to this thread: it may leave
                        self._idle -= 1
                        self._threads -= 1
                        return
                continue  # a job was promised: it is on its way
            job.run()
            del job  # hold no reference while idle
            with self._lock:
                self._idle += 1


def _deliver(future: asyncio.Future[Any], value: Any, ok: bool) -> None:
    if future.done():  # the caller stopped waiting (cancelled, timed out)
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


_workers = _Workers()


def _reset_after_fork() -> None:
    global _workers
    _workers = _Workers()  # a forked child has none of the parent's threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


async def in_worker(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` on a worker thread, with the caller's context variables."""
    job = _Job(fn, args, kwargs)
    _workers.submit(job)
    return await job.result()


def is_async_callable(fn: Any) -> bool:
    """True for ``async def`` functions and objects whose ``__call__`` is one."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - async callable objects
    )


async def call_user(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call user code: async awaited, sync on a worker thread; exits become ``UserExit``."""
    try:
        if is_async_callable(fn):
            value = await fn(*args, **kwargs)
        else:
            value = await in_worker(fn, *args, **kwargs)
        if inspect.isawaitable(value):  # a sync function that returned a coroutine
            value = await value
        return value
    except SystemExit as exc:
        raise UserExit(
            f"{_name(fn)} raised {type(exc).__name__}({_args(exc)}), which would stop the "
            "event loop every run shares; the run failed instead. Raise an ordinary "
            "exception to report a problem"
        ) from exc


def _name(fn: Any) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn))


def _args(exc: BaseException) -> str:
    return ", ".join(map(repr, exc.args))
