"""User code on worker threads: slow sync functions never hold the loop, exits stay inside
the run, and the pool neither deadlocks nor keeps idle threads forever."""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import time

import pytest

import agentlab as al
import agentlab._workers as workers
from agentlab._workers import call_user, in_worker


def tool_agent(tool, calls: int = 1, name: str = "A") -> al.Agent:
    script = [al.ToolCall(tool.__name__, {"seconds": 0.3})] * calls + ["done"]
    return al.Agent(name=name, model=al.ScriptedModel(script), tools=[tool])


def slow(seconds: float) -> str:
    """Sleep, then answer."""
    time.sleep(seconds)
    return "slept"


async def test_slow_sync_tools_in_parallel_branches_overlap():
    block = al.Parallel([tool_agent(slow, name=f"B{i}") for i in range(4)])
    started = time.perf_counter()
    run = await block.run("go")
    elapsed = time.perf_counter() - started
    assert run.status == "completed", run.stop_detail
    assert elapsed < 0.9, (
        f"4 branches of a 0.3 s sync tool took {elapsed:.2f} s: they did not overlap"
    )


async def test_a_timeout_stops_a_run_whose_sync_tool_is_still_running():
    def stuck(seconds: float) -> str:
        """Never answers in time."""
        time.sleep(3)
        return "late"

    started = time.perf_counter()
    run = await tool_agent(stuck).run("go", limits=al.Limits(timeout_s=0.2))
    assert (run.status, run.stop_reason) == ("stopped", "timeout")
    assert time.perf_counter() - started < 1.0


async def test_other_tasks_keep_running_while_a_sync_tool_blocks():
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    run = await tool_agent(slow).run("go")
    task.cancel()
    assert run.status == "completed"
    assert ticks >= 15, f"the loop ticked {ticks} times during a 0.3 s sync tool"


async def test_sync_user_code_sees_the_callers_context_variables():
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    var.set("from the caller")
    assert await in_worker(var.get) == "from the caller"
    assert await call_user(lambda: threading.current_thread().name) == "agentlab-worker"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_sys_exit_in_a_tool_fails_that_run_and_later_runs_work(kind):
    if kind == "sync":

        def leave(seconds: float) -> str:
            """Calls sys.exit."""
            sys.exit(3)
    else:

        async def leave(seconds: float) -> str:
            """Calls sys.exit."""
            sys.exit(3)

    run = await tool_agent(leave).run("go")
    assert run.status == "failed"
    assert isinstance(run.error, al.AgentlabError) and isinstance(run.error.__cause__, SystemExit)
    assert "sys.exit" in run.stop_detail or "SystemExit" in run.stop_detail
    again = tool_agent(slow).run_sync("go")  # the shared loop thread survived
    assert again.status == "completed"


def test_sys_exit_under_run_sync_returns_a_failed_run_within_a_second():
    def leave(seconds: float) -> str:
        """Calls sys.exit."""
        raise SystemExit("bye")

    started = time.perf_counter()
    run = tool_agent(leave).run_sync("go")
    assert run.status == "failed" and time.perf_counter() - started < 1.0
    assert tool_agent(slow).run_sync("go").status == "completed"


async def test_a_sync_function_returning_a_coroutine_has_it_awaited():
    async def later() -> str:
        return "awaited"

    def forgot_async(seconds: float) -> object:
        """Returns a coroutine."""
        return later()

    run = await tool_agent(forgot_async).run("go")
    tool = run.trace.find("tool")[0]
    assert tool.output == "awaited"


async def test_more_calls_than_workers_wait_their_turn_without_deadlock(monkeypatch):
    monkeypatch.setattr(workers, "MAX_WORKERS", 2)
    monkeypatch.setattr(workers, "_workers", workers._Workers())
    results = await asyncio.wait_for(
        asyncio.gather(*(in_worker(time.sleep, 0.05) for _ in range(6))), timeout=5
    )
    assert results == [None] * 6
    assert workers._workers._threads <= 2


async def test_idle_workers_leave(monkeypatch):
    monkeypatch.setattr(workers, "IDLE_S", 0.05)
    pool = workers._Workers()
    monkeypatch.setattr(workers, "_workers", pool)
    await asyncio.gather(*(in_worker(time.sleep, 0.05) for _ in range(3)))
    assert pool._threads == 3
    for _ in range(50):
        await asyncio.sleep(0.02)
        if pool._threads == 0:
            break
    assert pool._threads == 0
    assert await in_worker(lambda: 7) == 7  # and a new one starts when needed


async def test_a_quick_function_answers_without_a_trip_through_the_loop():
    loop = asyncio.get_running_loop()
    assert await in_worker(lambda: 1) == 1  # a worker is up
    waited: list[bool] = []
    original = loop.create_future

    def spy() -> asyncio.Future:
        waited.append(True)
        return original()

    loop.create_future = spy  # type: ignore[method-assign]
    try:
        for _ in range(20):
            assert await in_worker(int, "5") == 5
    finally:
        del loop.create_future
    assert len(waited) < 20  # most calls came back inside the grace
