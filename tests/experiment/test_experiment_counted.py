"""Which tasks the statistics count: a task counts when it ran to its own end. One
interrupted, or cut by the money the experiment had left, is left out of summary(),
compare() and the chart (and said to be); one stopped by its own limits counts as not
passed."""

from __future__ import annotations

import asyncio
import math

import agentlab as al
from agentlab.views.chart_data import experiment_frame

PRICE = "openai:gpt-4o-mini"


def looping(name: str = "Loop", limits: al.Limits | None = None) -> al.Agent:
    """An agent that calls a tool forever: only a limit stops it (priced)."""
    model = al.FunctionModel(lambda m, t: al.ToolCall("nothing", {}), priced_as=PRICE)
    return al.Agent(name=name, model=model, limits=limits)


def one_call_cost() -> float:
    return looping().run_sync("x", limits=al.Limits(max_turns=1)).cost


def two_designs(a_hangs: set[str], b_hangs: set[str]) -> dict[str, al.Agent]:
    def design(name: str, hangs: set[str]) -> al.Agent:
        async def answer(messages, tools):
            if messages[-1].content in hangs:
                await asyncio.Event().wait()  # the slow design: still running at Ctrl-C
            return "ok"

        return al.Agent(name=name, model=al.FunctionModel(answer))

    return {"a": design("A", a_hangs), "b": design("B", b_hangs)}


async def interrupted_experiment(a_hangs: set[str], b_hangs: set[str], finished: int):
    """Cancel the run (as Ctrl-C does) once ``finished`` tasks have been checked."""
    done, checked = asyncio.Event(), []

    def check(output, example):  # the last step of a finished task, with no await after
        checked.append(example)
        if len(checked) == finished:
            done.set()
        return True

    data = [f"q{i}" for i in range(4)]
    exp = al.Experiment(two_designs(a_hangs, b_hangs), data, check=check)
    task = asyncio.ensure_future(exp.run(concurrency=8, progress=False))
    await asyncio.wait_for(done.wait(), 5)
    task.cancel()
    result = await task
    assert sum(t.status == "completed" for t in result.tasks) == finished
    return result


async def test_a_slower_design_cut_by_an_interrupt_is_not_counted_as_failing():
    # the reviewer's case: b is slower and gets interrupted; it used to read 0% and
    # "4 only a passed" although b never finished a single task
    result = await interrupted_experiment(set(), {"q0", "q1", "q2", "q3"}, finished=4)
    summary = result.summary().set_index("design")
    assert summary.loc["a", ["tasks", "completion_rate"]].tolist() == [4, 1.0]
    assert summary.loc["b", "tasks"] == 0 and summary.attrs["not_counted"] == {"a": 0, "b": 4}
    assert math.isnan(summary.loc["b", "completion_rate"])
    comparison = result.compare("a", "b")
    assert (comparison.pairs, comparison.left_out, comparison.only_a) == (0, 4, 0)
    assert "on 0 paired tasks (4 left out" in str(comparison)
    assert "nothing to compare" in str(comparison)
    assert "4 not counted" in repr(result)
    assert "4 tasks stopped mid-run and 0 never started are not counted" in result.notes[0]
    for frame in (experiment_frame(result), experiment_frame(result.to_pandas())):
        assert frame.set_index("design").loc["a", "completion_rate"] == 1.0
        assert math.isnan(frame.set_index("design").loc["b", "completion_rate"])


async def test_compare_pairs_only_tasks_counted_for_both_designs():
    result = await interrupted_experiment({"q2", "q3"}, set(), finished=6)
    comparison = result.compare("a", "b")
    assert (comparison.pairs, comparison.left_out) == (2, 2)
    assert (comparison.a_rate, comparison.b_rate, comparison.only_a) == (1.0, 1.0, 0)
    assert "2 pairs, 2 left out" in repr(comparison)
    summary = result.summary()
    assert summary.tasks.tolist() == [2, 4] and summary.attrs["not_counted"] == {"a": 2, "b": 0}


async def test_a_task_stopped_by_its_own_money_limit_counts_as_not_passed():
    one_call = one_call_cost()
    agent = looping(limits=al.Limits(max_cost_usd=1.5 * one_call))  # its own, lower cap
    result = await al.Experiment(agent, ["x", "y"], max_cost_usd=100 * one_call).run(
        concurrency=1, progress=False
    )
    assert [t.stop_reason for t in result.tasks] == ["max_cost_usd"] * 2
    assert not any(t.cut_by_budget for t in result.tasks)
    summary = result.summary()
    assert summary[["tasks", "completion_rate"]].values.tolist() == [[2, 0.0]]
    assert list(summary.attrs["not_counted"].values()) == [0]


async def test_a_limit_inside_the_design_is_its_own_even_under_the_experiment_cap():
    one_call = one_call_cost()
    inner = looping("Inner", limits=al.Limits(max_cost_usd=1.5 * one_call))
    chain = al.Chain([inner], name="chain")  # the experiment lowers the chain's $1.00 cap
    result = await al.Experiment(chain, ["x"], max_cost_usd=10 * one_call).run(progress=False)
    (task,) = result.tasks
    assert task.stop_reason == "max_cost_usd" and task.cost_usd < 10 * one_call
    assert task.counted and not task.cut_by_budget  # the inner agent's own limit stopped it


async def test_saved_results_keep_which_tasks_count(tmp_path):
    one_call = one_call_cost()
    result = await al.Experiment(looping(), ["x", "y"], max_cost_usd=2.5 * one_call).run(
        concurrency=1, progress=False
    )
    assert [t.counted for t in result.tasks] == [False, False]  # cut, then never started
    loaded = al.ExperimentResult.load(result.save(tmp_path / "exp"))
    assert [t.cut_by_budget for t in loaded.tasks] == [True, False]
    assert loaded.to_pandas().equals(result.to_pandas())
    assert loaded.summary().equals(result.summary())
