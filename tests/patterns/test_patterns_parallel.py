"""Parallel (sectioning): real concurrency, merge, failures kept apart, bad input."""

from __future__ import annotations

import asyncio
import time

import pytest

import agentlab as al

CHANGE = "A competitor cuts prices by 20% and our main supplier raises costs by 10%."
GROUPS = {
    "Customers": "Customers are price sensitive and may switch; offer a loyalty discount.",
    "Employees": "Employees worry about job security; communicate the plan early.",
    "Investors": "Investors expect margin pressure; explain the cost programme.",
    "Suppliers": "Suppliers need volume commitments; negotiate longer contracts.",
}


def analyst(group: str, answer: str, latency: float = 0.0) -> al.Agent:
    return al.Agent(
        name=group,
        instructions=f"Analyse the impact on {group.lower()}.",
        model=al.ScriptedModel([answer], latency_s=latency),
    )


async def test_market_change_is_analysed_for_four_stakeholder_groups_concurrently():
    branches = [analyst(g, a, latency=0.2) for g, a in GROUPS.items()]
    block = al.Parallel(branches, merge=lambda outputs: "\n".join(outputs), name="Impact")
    started = time.perf_counter()
    run = await block.run(CHANGE)
    elapsed = time.perf_counter() - started
    assert run.status == "completed"
    assert run.output == "\n".join(GROUPS.values())  # branch order, whatever finished first
    assert elapsed < 0.5, f"4 branches of 0.2 s took {elapsed:.2f} s: not concurrent"
    assert run.usage.requests == 4
    (span,) = run.trace.find("parallel")
    assert span.attributes["branches"] == list(GROUPS)
    kids = run.trace.children(span.id)
    assert [k.kind for k in kids] == ["branch"] * 4 + ["merge"]
    assert [k.attributes.get("index") for k in kids[:4]] == [0, 1, 2, 3]
    for branch in kids[:4]:  # every group saw the same input
        (agent,) = run.trace.children(branch.id)
        assert run.trace.messages_of(agent)[-1].content == CHANGE


async def test_five_branches_with_latency_finish_well_under_the_serial_time():
    branches = [analyst(f"B{i}", str(i), latency=0.2) for i in range(5)]
    started = time.perf_counter()
    run = await al.Parallel(branches).run("go")
    elapsed = time.perf_counter() - started
    assert run.output == ["0", "1", "2", "3", "4"]
    assert elapsed < 0.5, f"5 branches x 0.2 s took {elapsed:.2f} s"


async def test_max_concurrency_caps_how_many_branches_run_at_once():
    running = peak = 0

    async def slow(text: str) -> str:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        return text

    run = await al.Parallel([slow] * 4, max_concurrency=2).run("x")
    assert run.output == ["x"] * 4
    assert peak == 2
    assert run.trace.find("parallel")[0].attributes["max_concurrency"] == 2


def test_branches_start_in_index_order_so_a_shared_script_is_deterministic():
    shared = al.Agent(name="Solver", model=al.ScriptedModel(["a", "b", "c", "d", "e"]))
    run = al.Parallel([shared] * 5).run_sync("go")
    assert run.output == ["a", "b", "c", "d", "e"]
    assert [s.name for s in run.trace.find("branch")] == [f"Solver #{i}" for i in range(1, 6)]


def test_a_failing_branch_is_marked_and_the_others_are_kept():
    ok1, ok2 = analyst("Grammar", "no typos"), analyst("Style", "too long")
    broken = al.Agent(name="Facts", model=al.ScriptedModel([]))
    run = al.Parallel([ok1, broken, ok2]).run_sync("draft")
    assert run.status == "completed"
    assert run.output == ["no typos", None, "too long"]
    branches = run.trace.find("branch")
    assert [b.status for b in branches] == ["ok", "error", "ok"]
    assert "ScriptExhausted" in branches[1].error
    assert run.trace.find("parallel")[0].attributes["failed"] == [1]


def test_merge_function_gets_successful_outputs_in_branch_order():
    seen = []

    def merge(outputs: list[str]) -> str:
        seen.append(outputs)
        return " | ".join(outputs)

    slow = analyst("Slow", "first", latency=0.05)
    fast = analyst("Fast", "second")
    broken = al.Agent(name="Broken", model=al.ScriptedModel([]))
    run = al.Parallel([slow, broken, fast], merge=merge).run_sync("x")
    assert seen == [["first", "second"]]
    assert run.output == "first | second"
    assert run.trace.find("merge")[0].attributes["inputs"] == 2


def test_merge_agent_gets_labelled_outputs_as_text_with_failures_named():
    editor = al.Agent(name="Editor", model=al.FunctionModel(lambda m, t: m[-1].content))
    broken = al.Agent(name="Facts", model=al.ScriptedModel([]))
    run = al.Parallel([analyst("Grammar", "no typos"), broken], merge=editor).run_sync("x")
    assert run.output.startswith("### Grammar\nno typos\n\n### Facts\n(this branch failed: ")
    assert "ScriptExhausted" in run.output
    merge = run.trace.find("merge")[0]
    assert merge.name == "Editor"
    assert [s.kind for s in run.trace.children(merge.id)] == ["agent"]


async def test_on_error_fail_fails_the_block_and_cancels_the_rest():
    slow = analyst("Slow", "late", latency=3.0)
    broken = al.Agent(name="Broken", model=al.ScriptedModel([]))
    started = time.perf_counter()
    run = await al.Parallel([slow, broken], on_error="fail").run("x")
    assert time.perf_counter() - started < 1.5  # did not wait for the slow branch
    assert run.status == "failed"
    assert isinstance(run.error, al.ScriptExhausted)
    assert "on_error='fail'" in run.stop_detail and "'Broken'" in run.stop_detail
    slow_branch = run.trace.find("branch", name="Slow")[0]
    assert slow_branch.status == "stopped"
    assert "cancelled" in slow_branch.error


def test_every_branch_failing_fails_the_block():
    a = al.Agent(name="A", model=al.ScriptedModel([]))
    b = al.Agent(name="B", model=al.ScriptedModel([]))
    run = al.Parallel([a, b], merge=lambda outs: "merged").run_sync("x")
    assert run.status == "failed"
    assert "every branch failed" in run.stop_detail
    assert run.trace.find("merge") == []


def test_a_broken_merge_function_fails_the_block():
    def merge(outputs: list[str]) -> str:
        raise ValueError("cannot merge")

    run = al.Parallel([analyst("A", "a")], merge=merge).run_sync("x")
    assert run.status == "failed"
    assert "cannot merge" in run.stop_detail
    assert run.trace.find("merge")[0].status == "error"


def test_a_shared_budget_running_out_in_a_branch_stops_the_whole_block():
    wordy = analyst("Wordy", "word " * 400)
    slow = analyst("Slow", "late", latency=3.0)
    started = time.perf_counter()
    run = al.Parallel([wordy, slow]).run_sync("x", limits=al.Limits(max_tokens=100))
    assert time.perf_counter() - started < 1.5  # the slow branch was cancelled
    assert run.status == "stopped"
    assert run.stop_reason == "max_tokens"
    assert run.output == [None, None]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"branches": []}, "non-empty list of branches"),
        ({"branches": ["text"]}, "parallel branch 1 must be"),
        ({"on_error": "ignore"}, "'continue' or 'fail'"),
        ({"max_concurrency": 0}, "max_concurrency=0"),
    ],
)
def test_bad_parallel_blocks_are_config_errors(kwargs, message):
    args = {"branches": [str.upper], **kwargs}
    with pytest.raises(al.ConfigError, match=message):
        al.Parallel(**args)
