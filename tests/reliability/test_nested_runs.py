"""Runs started inside a run (in a tool, a step, a check) nest in it: one trace, shared
budgets, depth bounded, and cancellation from outside goes through them promptly."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

import agentlab as al


def slow_agent(name: str = "Slow", seconds: float = 5.0) -> al.Agent:
    return al.Agent(name=name, model=al.ScriptedModel(["late"], latency_s=seconds))


def caller_of(inner: al.Agent, name: str = "Outer", calls: int = 1) -> al.Agent:
    async def ask(question: str) -> str:
        """Ask the inner agent."""
        run = await inner.run(question)
        return str(run.output)

    script = [al.ToolCall("ask", {"question": "q"})] * calls + ["done"]
    return al.Agent(name=name, model=al.ScriptedModel(script), tools=[ask])


async def test_a_run_inside_a_tool_joins_the_enclosing_trace_under_the_tool_span():
    inner = al.Agent(
        name="Inner", model=al.ScriptedModel(["inner answer"], priced_as="openai:gpt-4o-mini")
    )
    seen: list[al.Run] = []

    async def ask(question: str) -> str:
        """Ask the inner agent."""
        run = await inner.run(question)
        seen.append(run)
        return str(run.output)

    outer = al.Agent(
        name="Outer",
        tools=[ask],
        model=al.ScriptedModel(
            [al.ToolCall("ask", {"question": "q"}), "done"], priced_as="openai:gpt-4o-mini"
        ),
    )
    run = await outer.run("go")
    assert (run.status, run.output) == ("completed", "done")
    tool = run.trace.find("tool")[0]
    nested_root = [s for s in run.trace.spans if s.kind == "run" and s.parent_id == tool.id]
    assert len(nested_root) == 1 and nested_root[0].attributes["nested"] is True
    assert [s.agent for s in run.trace.find("model")] == ["Outer", "Inner", "Outer"]
    inner_run = seen[0]
    assert inner_run.output == "inner answer"
    assert inner_run.usage.requests == 1  # its own subtree, not the outer's
    assert inner_run.trace.root.attributes["nested"] is True
    assert {s.agent for s in inner_run.trace.find("model")} == {"Inner"}
    assert run.usage.requests == 3 and run.cost == pytest.approx(
        sum(s.cost_usd for s in run.trace.find("model"))
    )


async def test_the_outer_timeout_stops_a_run_awaited_inside_a_tool():
    outer = caller_of(slow_agent())
    started = time.perf_counter()
    run = await outer.run("go", limits=al.Limits(timeout_s=1))
    elapsed = time.perf_counter() - started
    assert (run.status, run.stop_reason) == ("stopped", "timeout")
    assert elapsed < 1.5, f"took {elapsed:.2f} s"


async def test_cancelling_the_outer_task_goes_through_the_nested_run():
    task = asyncio.ensure_future(caller_of(slow_agent()).run("go"))
    await asyncio.sleep(0.5)
    cancelled = time.perf_counter()
    task.cancel()
    run = await task
    assert time.perf_counter() - cancelled < 0.5
    assert (run.status, run.stop_reason) == ("stopped", "interrupted")
    nested = [s for s in run.trace.spans if s.kind == "run" and s.parent_id is not None]
    assert nested and nested[0].status == "stopped"  # the nested run's span says so


async def test_wait_for_and_asyncio_timeout_end_an_outer_run_on_time():
    started = time.perf_counter()
    run = await asyncio.wait_for(caller_of(slow_agent()).run("go"), 1.0)
    assert time.perf_counter() - started < 1.5
    assert run.stop_reason == "interrupted"
    started = time.perf_counter()
    async with asyncio.timeout(1.0):
        run = await caller_of(slow_agent()).run("go")
    assert time.perf_counter() - started < 1.5


@pytest.mark.skipif(sys.version_info < (3, 11), reason="TaskGroup is Python 3.11+")
async def test_a_failing_task_group_sibling_ends_the_run_promptly():
    async def fail_soon() -> None:
        await asyncio.sleep(0.3)
        raise RuntimeError("sibling failed")

    started = time.perf_counter()
    with pytest.raises(ExceptionGroup):
        async with asyncio.TaskGroup() as group:
            group.create_task(caller_of(slow_agent()).run("go"))
            group.create_task(fail_soon())
    assert time.perf_counter() - started < 0.8


async def test_a_nested_run_draws_on_the_enclosing_budget():
    wordy = al.Agent(name="Wordy", model=al.ScriptedModel(["x" * 4000]))  # about 1,000 tokens
    outer = caller_of(wordy, calls=3)
    run = await outer.run("go", limits=al.Limits(max_tokens=800))
    assert (run.status, run.stop_reason) == ("stopped", "max_tokens")  # the whole tree stops
    assert len(run.trace.find("agent", name="Wordy")) == 1
    assert [s.agent for s in run.trace.find("model")] == ["Outer", "Wordy"]
    limit = run.trace.find("limit")[0]
    assert run.trace.get(limit.parent_id).name == "Wordy"  # crossed inside the nested run


async def test_a_nested_runs_own_limits_stop_only_itself():
    looping = al.Agent(name="Loop", tools=[], model=al.ScriptedModel(["a", "b"]))
    seen: list[al.Run] = []

    async def ask(question: str) -> str:
        """Ask with a tight budget."""
        run = await looping.run(question, limits=al.Limits(max_tokens=1))
        seen.append(run)
        return f"{run.status}: {run.stop_reason}"

    outer = al.Agent(
        name="Outer",
        tools=[ask],
        model=al.ScriptedModel([al.ToolCall("ask", {"question": "q"}), "fine"]),
    )
    run = await outer.run("go")
    assert (run.status, run.output) == ("completed", "fine")
    assert (seen[0].status, seen[0].stop_reason) == ("stopped", "max_tokens")


def test_manager_recursion_stops_at_max_depth_for_the_whole_tree():
    agents: dict[str, al.Agent] = {}

    def make(name: str, other: str) -> al.Agent:
        async def delegate(task: str) -> str:
            """Hand the task to the other agent."""
            return str((await agents[other].run(task)).output)

        model = al.FunctionModel(lambda messages, tools: al.ToolCall("delegate", {"task": "t"}))
        return al.Agent(name=name, model=model, tools=[delegate])

    agents["A"], agents["B"] = make("A", "B"), make("B", "A")
    started = time.perf_counter()
    run = agents["A"].run_sync("go")
    assert (run.status, run.stop_reason) == ("stopped", "max_depth")
    assert "max_depth=8" in run.stop_detail
    assert len(run.trace.find("agent")) == 8
    assert len(run.trace.find("limit")) == 1
    assert time.perf_counter() - started < 5
    with pytest.raises(al.MaxDepth):
        run.raise_for_status()


def test_max_depth_is_a_limit_like_the_others():
    def three_deep() -> al.Agent:
        deep = al.Agent(name="Deep", model=al.ScriptedModel(["ok"]))
        return caller_of(caller_of(deep, name="Middle"))

    assert three_deep().run_sync("go", limits=al.Limits(max_depth=3)).status == "completed"
    run = three_deep().run_sync("go", limits=al.Limits(max_depth=2))
    assert (run.status, run.stop_reason) == ("stopped", "max_depth")
    with pytest.raises(al.ConfigError, match="max_depth"):
        al.Limits(max_depth=0)


def test_a_sync_tool_calling_run_sync_nests_and_is_stopped_with_the_outer_run():
    inner = slow_agent(seconds=3)

    def ask(question: str) -> str:
        """Ask synchronously."""
        return str(inner.run_sync(question).output)

    outer = al.Agent(
        name="Outer",
        tools=[ask],
        model=al.ScriptedModel([al.ToolCall("ask", {"question": "q"}), "done"]),
    )
    started = time.perf_counter()
    run = outer.run_sync("go", limits=al.Limits(timeout_s=0.5))
    assert (run.status, run.stop_reason) == ("stopped", "timeout")
    assert time.perf_counter() - started < 1.5
    assert "Slow" in {s.agent for s in run.trace.spans}  # the nested run's spans joined
    time.sleep(0.3)  # the nested run was cancelled with the tree: nothing runs on
    fresh = al.Agent(name="After", model=al.ScriptedModel(["fine"])).run_sync("x")
    assert fresh.status == "completed"


async def test_a_run_started_after_the_outer_one_ended_is_not_nested():
    leftovers: list = []

    async def later() -> al.Run:
        await asyncio.sleep(0.2)  # the outer run has ended by now
        return await al.Agent(name="Later", model=al.ScriptedModel(["later"])).run("x")

    async def spawn(question: str) -> str:
        """Starts a run that outlives the tool."""
        leftovers.append(asyncio.ensure_future(later()))
        return "spawned"

    outer = al.Agent(
        name="Outer",
        tools=[spawn],
        model=al.ScriptedModel([al.ToolCall("spawn", {"question": "q"}), "done"]),
    )
    run = await outer.run("go")
    assert run.status == "completed"
    after = await leftovers[0]
    assert after.status == "completed" and after.trace.root.parent_id is None
    assert after.trace.id != run.trace.id
