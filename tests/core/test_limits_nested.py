"""Guards across levels of a run tree: what is charged where, what each level keeps."""

from __future__ import annotations

import asyncio

import agentlab as al
from agentlab.core.limits import Budget, Limits
from agentlab.trace import JsonlExporter
from agentlab.usage import Usage


def test_a_call_over_a_childs_own_budget_is_still_charged_to_the_parent():
    parent = Budget(Limits(max_tokens=1000, max_tool_calls=10))
    child = Budget(Limits(max_tokens=50, max_tool_calls=1), parent=parent)
    try:
        child.charge(Usage(input_tokens=400), 0.0, "m")
    except al.MaxTokens as exc:
        assert exc.scope is child
    child.count_tool_call()
    try:
        child.count_tool_call()
    except al.MaxToolCalls as exc:
        assert exc.scope is child
    assert (parent.tokens, parent.tool_calls) == (400, 2)


def test_sub_agents_stopped_by_their_own_budget_still_use_up_the_managers():
    sub = al.Agent(name="Sub", model=al.ScriptedModel(["x" * 4000] * 3),
                   limits=al.Limits(max_tokens=100))  # fmt: skip
    manager = al.Agent(name="Mgr", tools=[sub.as_tool()], model=al.ScriptedModel(
        [al.ToolCall("sub", {"input": "go"})] * 3 + ["done"]))  # fmt: skip
    run = manager.run_sync("hi", limits=al.Limits(max_tokens=2500))
    assert run.status == "stopped" and run.stop_reason == "max_tokens"
    assert run.trace.find("limit")[-1].attributes["value"] == 2500


def test_the_reply_that_crosses_a_budget_is_the_output():
    agent = al.Agent(name="A", model=al.ScriptedModel(["The answer is 42. " + "x" * 800]))
    run = agent.run_sync("q", limits=al.Limits(max_tokens=50))
    assert run.stop_reason == "max_tokens"
    assert run.output.startswith("The answer is 42.") and run.messages[-1].content == run.output


def test_a_nested_runnables_own_timeout_stops_only_that_level():
    slow = al.Agent(name="Slow", model=al.ScriptedModel(["late"], latency_s=2),
                    limits=al.Limits(timeout_s=0.1))  # fmt: skip
    fast = al.Agent(name="Fast", model=al.ScriptedModel(["fast"]))
    run = al.Parallel([fast, slow]).run_sync("go")
    assert run.status == "completed" and run.output == ["fast", None]  # None: stopped
    (limit,) = run.trace.find("limit")
    assert limit.name == "timeout" and limit.attributes["value"] == 0.1
    branch = run.trace.find("branch")[1]
    assert branch.status == "stopped" and "timeout_s=0.1" in branch.error
    assert run.trace.root.duration_s < 1.5


def test_a_timeout_keeps_each_patterns_partial_output():
    first = al.Agent(name="A", model=al.ScriptedModel(["step A done"]))
    never = al.Agent(name="B", model=al.ScriptedModel(["never"], latency_s=2))
    run = al.Chain([first, never]).run_sync("go", limits=al.Limits(timeout_s=0.3))
    assert (run.stop_reason, run.output) == ("timeout", "step A done")
    fast = al.Agent(name="Fast", model=al.ScriptedModel(["fast"]))
    slow = al.Agent(name="Slow", model=al.ScriptedModel(["never"], latency_s=2))
    run = al.Parallel([fast, slow]).run_sync("go", limits=al.Limits(timeout_s=0.3))
    assert (run.stop_reason, run.output) == ("timeout", ["fast", None])
    writer = al.Agent(name="Gen", model=al.ScriptedModel(["v1", "v2"], latency_s=0.2))
    verdicts = [{"score": 3, "feedback": "meh"}, {"score": 9, "feedback": "ok"}]
    judge = al.Agent(name="Ev", model=al.ScriptedModel(verdicts, latency_s=0.2))
    loop = al.EvaluatorOptimizer(writer, judge, max_iterations=3, accept=8)
    run = loop.run_sync("t", limits=al.Limits(timeout_s=0.5))
    assert (run.stop_reason, run.output) == ("timeout", "v1")


async def slow_tool() -> str:
    """Takes a while."""
    await asyncio.sleep(0.3)
    return "done"


async def test_a_stop_during_concurrent_tool_calls_ends_every_span_inside_the_run(tmp_path):
    sub = al.Agent(name="Sub", model=al.ScriptedModel(["x" * 4000]))
    manager = al.Agent(name="Mgr", tools=[slow_tool, sub.as_tool()], model=al.ScriptedModel(
        [[al.ToolCall("slow_tool"), al.ToolCall("sub", {"input": "go"})], "done"]))  # fmt: skip
    with al.processing(JsonlExporter(tmp_path)):
        run = await manager.run("hi", limits=al.Limits(max_tokens=500))
    assert run.stop_reason == "max_tokens"
    assert run.trace.spans[-1].kind == "run"  # the cancelled tool's span ended before it
    tool = next(s for s in run.trace.find("tool") if s.name == "slow_tool")
    assert tool.status == "stopped"
    await asyncio.sleep(0.4)  # nothing arrives late
    assert run.trace.spans[-1].kind == "run"
    assert al.Trace.load(next(tmp_path.glob("*.jsonl"))) == run.trace


def test_a_failed_model_call_costs_nothing_and_keeps_the_run_priced():
    ok = al.Agent(name="Ok", model=al.ScriptedModel(["fine"], priced_as="openai:gpt-4o-mini"))
    broken = al.Agent(name="Broken", model=al.ScriptedModel([], priced_as="openai:gpt-4o-mini"))
    run = al.Parallel([ok, broken]).run_sync("go")
    assert run.output == ["fine", None] and run.cost is not None and run.cost > 0
    assert run.cost == run.trace.find("model", agent="Ok")[0].cost_usd


def test_failure_text_of_a_nested_step_never_holds_a_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123456789")

    def step(text: str) -> str:
        raise RuntimeError("auth failed for key sk-test-secret-123456789")

    run = al.Chain([step]).run_sync("go")
    assert run.status == "failed"
    for text in (run.stop_detail, str(run), *(s.error or "" for s in run.trace.spans)):
        assert "sk-test-secret" not in text


def test_a_member_that_fails_mid_turn_keeps_its_messages_in_the_run():
    def lookup(q: str) -> str:
        """Look up."""
        return "found it"

    sales = al.Agent(name="Sales", tools=[lookup],
                     model=al.ScriptedModel([al.ToolCall("lookup", {"q": "pro"})]))  # fmt: skip
    triage = al.Agent(name="Triage", handoffs=[sales], model=al.ScriptedModel(
        [al.ToolCall("transfer_to_sales", {"intent": "quote"})]))  # fmt: skip
    run = al.Team([triage, sales], entry=triage).run_sync("price?")
    assert run.status == "failed" and isinstance(run.error, al.ScriptExhausted)
    assert [(m.role, m.agent) for m in run.messages][-2:] == [
        ("assistant", "Sales"),
        ("tool", "Sales"),
    ]


def test_a_second_transfer_after_a_refused_one_says_the_turn_ended():
    first = al.Agent(name="A", handoffs=["B", "C"], model=al.ScriptedModel([[
        al.ToolCall("transfer_to_b", {"intent": "x"}),
        al.ToolCall("transfer_to_c", {"intent": "y"}),
    ]]))  # fmt: skip
    b, c = (al.Agent(name=n, model=al.ScriptedModel([n])) for n in "BC")
    run = al.Team([first, b, c], entry=first, max_hops=1).run_sync("go")
    assert run.stop_reason is None and run.output == "B"  # one hop is fine
    ping = al.Agent(name="A", handoffs=["B"], model=al.ScriptedModel([[
        al.ToolCall("transfer_to_b", {"intent": "x"})]]))  # fmt: skip
    pong = al.Agent(name="B", handoffs=["A"], model=al.ScriptedModel([[
        al.ToolCall("transfer_to_a", {"intent": "back"}),
        al.ToolCall("transfer_to_a", {"intent": "again"}),
    ]]))  # fmt: skip
    run = al.Team([ping, pong], entry=ping, max_hops=1).run_sync("go")
    assert run.stop_reason == "max_hops"
    second = [s for s in run.trace.find("tool") if s.agent == "B"][1]
    assert "transfer to A was refused (max_hops), which ends this turn" in second.output
