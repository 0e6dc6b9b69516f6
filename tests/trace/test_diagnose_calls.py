"""al.diagnose on calls, agents and money: each kind planted in a small real run is
found, and its clean twin is not."""

from __future__ import annotations

import dataclasses

import pytest

import agentlab as al

PRICE = "openai:gpt-4o-mini"


def kinds(run_or_trace) -> list[str]:
    return [f.kind for f in al.diagnose(run_or_trace)]


def lookup_order(order_id: str) -> str:
    """Look up an order."""
    return f"order {order_id}: shipped"


def broken(order_id: str) -> str:
    """A tool that always fails."""
    raise RuntimeError("database down")


def scripted(name, responses, tools=(), **kwargs):
    return al.Agent(name=name, model=al.ScriptedModel(responses, **kwargs), tools=list(tools))


# -- Finding ---------------------------------------------------------------------------


def test_finding_is_frozen_and_its_kinds_are_a_closed_set():
    finding = al.Finding("too_many_agents", "info", (0,), "9 agents", "merge roles")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.kind = "repeated_call"  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown finding kind 'slow'"):
        al.Finding("slow", "info", (0,), "m", "s")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="severity"):
        al.Finding("too_many_agents", "error", (0,), "m", "s")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one span"):
        al.Finding("too_many_agents", "info", (), "m", "s")
    assert set(al.trace.FINDING_KINDS) == set(al.trace.findings.FindingKind.__args__)
    assert finding.to_dict()["span_ids"] == [0]
    assert "too_many_agents" in str(finding)


def test_diagnose_refuses_what_is_not_a_run_or_a_trace():
    with pytest.raises(TypeError, match=r"al\.Run or an al\.Trace"):
        al.diagnose("run.jsonl")


# -- repeated_call -----------------------------------------------------------------------


def test_repeated_call_found_with_its_spans_and_works_on_a_saved_trace(tmp_path):
    call = al.ToolCall("lookup_order", {"order_id": "42"})
    run = scripted("Support", [call, call, call, "done"], [lookup_order]).run_sync("where?")
    (finding,) = run.diagnose()
    assert finding.kind == "repeated_call" and finding.severity == "warning"
    agent = run.trace.find("agent")[0]
    tools = run.trace.find("tool")
    assert finding.span_ids == (agent.id, *(t.id for t in tools))
    assert "3 times" in finding.message and "lookup_order" in finding.message
    assert "max_tool_calls" in finding.suggestion
    path = tmp_path / "run.jsonl"
    run.trace.save(path)
    assert al.diagnose(al.Trace.load(path)) == [finding]


def test_repeated_call_clean_twins_different_arguments_or_two_calls():
    calls = [al.ToolCall("lookup_order", {"order_id": str(i)}) for i in range(3)]
    run = scripted("Support", [*calls, "done"], [lookup_order]).run_sync("where?")
    assert kinds(run) == []
    twice = [al.ToolCall("lookup_order", {"order_id": "1"})] * 2
    assert kinds(scripted("S", [*twice, "done"], [lookup_order]).run_sync("x")) == []


def test_repeated_call_counts_per_invocation_not_per_run():
    call = al.ToolCall("lookup_order", {"order_id": "1"})
    agent = scripted("S", [call, call, "a", call, "b"], [lookup_order])
    chain = al.Chain([agent, agent])
    assert "repeated_call" not in kinds(chain.run_sync("x"))


# -- ignored_tool_error ------------------------------------------------------------------


def test_ignored_tool_error_found():
    run = scripted("Support", [al.ToolCall("broken", {"order_id": "1"}), "All fine!"], [broken])
    run = run.run_sync("where is my order?")
    (finding,) = run.diagnose()
    assert finding.kind == "ignored_tool_error"
    tool, model = run.trace.find("tool")[0], run.trace.find("model")[1]
    assert finding.span_ids == (tool.id, model.id)
    assert "database down" in finding.message


def test_ignored_tool_error_clean_twin_retries_with_a_tool():
    responses = [
        al.ToolCall("broken", {"order_id": "1"}),
        al.ToolCall("lookup_order", {"order_id": "1"}),
        "shipped",
    ]
    run = scripted("Support", responses, [broken, lookup_order]).run_sync("where?")
    assert kinds(run) == []


# -- money_guard_off ---------------------------------------------------------------------


class PaidButUnpriced:
    """A model that stands for a paid provider with no price (not offline)."""

    name = "acme:big-model"
    price_key = None

    async def respond(self, request):
        return al.ModelResponse("hello", usage=al.Usage(input_tokens=10, output_tokens=2))


def test_money_guard_off_found_for_a_model_with_no_price():
    agent = al.Agent(name="A", model=PaidButUnpriced())
    run = agent.run_sync("hi", limits=al.Limits(max_cost_usd=0.5))
    (finding,) = [f for f in run.diagnose() if f.kind == "money_guard_off"]
    assert finding.severity == "warning"
    assert finding.span_ids[0] == run.trace.root.id
    assert run.trace.find("model")[0].id in finding.span_ids
    assert "acme:big-model" in finding.message and "priced_as" in finding.suggestion


def test_money_guard_off_clean_twins_no_money_limit_or_a_priced_model():
    no_limit = al.Agent(name="A", model=PaidButUnpriced())
    assert kinds(no_limit.run_sync("hi", limits=al.Limits(max_cost_usd=None))) == []
    assert kinds(scripted("A", ["hi"], priced_as=PRICE).run_sync("hi")) == []


def test_free_offline_models_are_not_flagged():
    # the default limits hold a money limit; scripted and function models cost nothing
    assert kinds(scripted("A", ["hi"]).run_sync("hi")) == []
    fn = al.Agent(name="F", model=al.FunctionModel(lambda messages, tools: "ok"))
    assert kinds(fn.run_sync("hi")) == []


# -- cost_concentration ------------------------------------------------------------------


def test_cost_concentration_found_over_known_cost():
    cheap = scripted("Cheap", ["ok"], priced_as=PRICE)
    pricey = scripted("Pricey", ["a long answer " * 40], priced_as="openai:gpt-4o")
    run = al.Chain([cheap, pricey]).run_sync("go")
    (finding,) = run.diagnose()
    assert finding.kind == "cost_concentration" and finding.severity == "info"
    assert finding.span_ids == (run.trace.find("agent", name="Pricey")[0].id,)
    assert "Pricey holds" in finding.message and "2 agents" in finding.message


def test_cost_concentration_clean_twins_balanced_one_agent_or_unknown_cost():
    a = scripted("A", ["same answer"], priced_as=PRICE)
    b = scripted("B", ["same answer"], priced_as=PRICE)
    assert kinds(al.Chain([a, b]).run_sync("go")) == []
    alone = scripted("Pricey", ["a long answer " * 40], priced_as="openai:gpt-4o")
    assert kinds(alone.run_sync("go")) == []
    free, free2 = scripted("Free", ["ok"]), scripted("Free2", ["a long answer " * 40])
    assert kinds(al.Chain([free, free2]).run_sync("go")) == []


# -- too_many_agents ---------------------------------------------------------------------


def test_too_many_agents_found_above_seven_and_not_at_seven():
    def team(n: int):
        return al.Parallel([scripted(f"A{i}", ["ok"]) for i in range(n)])

    (finding,) = team(8).run_sync("go").diagnose()
    assert finding.kind == "too_many_agents" and "8 distinct agents" in finding.message
    assert kinds(team(7).run_sync("go")) == []
