"""Patterns nest: one trace for the whole tree, usage and cost summed, budgets shared."""

from __future__ import annotations

import time

import pytest

import agentlab as al


def ticket_router() -> al.Router:
    classifier = al.Agent(name="Classifier", model=al.ScriptedModel(["billing", "Technical!"]))
    billing = al.Agent(name="Billing", model=al.ScriptedModel(["refund issued"]))
    technical = al.Agent(name="Technical", model=al.ScriptedModel(["restart the app"]))
    return al.Router(classifier, {"billing": billing, "technical": technical}, name="Desk")


def test_a_router_inside_a_chain_inside_a_parallel():
    router = ticket_router()
    summarize = al.Agent(name="Summary", model=al.ScriptedModel(["one ticket, one fix"]))
    handle = al.Chain([str.strip, router, str.upper], name="Handle")
    block = al.Parallel([handle, summarize], name="Both")
    run = block.run_sync("  I was charged twice  ")
    assert run.status == "completed"
    assert run.output == ["REFUND ISSUED", "one ticket, one fix"]
    assert run.usage.requests == 3  # classifier, handler, summary

    def path(span: al.Span) -> list[str]:
        kinds = []
        while span.parent_id is not None:
            kinds.append(span.kind)
            span = run.trace.get(span.parent_id)
        return [*reversed(kinds)]

    billing_agent = run.trace.find("agent", name="Billing")[0]
    assert path(billing_agent) == ["parallel", "branch", "chain", "router", "agent"]
    route = run.trace.find("route")[0]
    assert route.attributes["route"] == "billing"
    assert path(route) == ["parallel", "branch", "chain", "router", "route"]
    # the chain's function steps fed the router its stripped input
    classifier = run.trace.find("agent", name="Classifier")[0]
    assert run.trace.messages_of(classifier)[-1].content == "I was charged twice"


def test_a_gate_stop_deep_inside_is_a_stopped_branch_and_the_block_goes_on():
    draft = al.Agent(name="Draft", model=al.ScriptedModel(["TODO"]))
    gated = al.Chain([draft, al.Gate(lambda t: "TODO" not in t, name="finished")])
    other = al.Agent(name="Other", model=al.ScriptedModel(["fine"]))
    run = al.Parallel([gated, other]).run_sync("x")
    assert run.status == "completed"
    assert run.output == [None, "fine"]
    branch = run.trace.find("branch")[0]
    assert branch.status == "stopped" and "finished" in branch.error


def test_cost_and_tokens_sum_over_the_whole_tree():
    def priced(name: str, answers: list) -> al.Agent:
        return al.Agent(name=name, model=al.ScriptedModel(answers, priced_as="openai:gpt-4o-mini"))

    planner = priced("Planner", [{"tasks": [{"worker": "team", "task": "check it"}]}])
    team = al.Parallel([priced("A", ["a"]), priced("B", ["b"])], merge=lambda xs: "+".join(xs))
    writer = priced("Writer", ["v1", "v2"])
    reviewer = priced("Reviewer", [{"score": 1, "feedback": "f"}, {"score": 9, "feedback": "ok"}])
    polish = al.EvaluatorOptimizer(writer, reviewer, max_iterations=2, accept=5)
    run = al.Orchestrator(planner, {"team": team}, synthesizer=polish).run_sync("go")
    assert run.status == "completed"
    assert run.output == "v2"
    models = run.trace.find("model")
    assert run.usage.requests == len(models) == 7
    assert run.usage.input_tokens == sum(m.usage.input_tokens for m in models)
    assert run.cost is not None and run.cost > 0
    assert run.cost == pytest.approx(sum(m.cost_usd for m in models))


def test_a_shared_budget_stops_the_whole_tree_from_a_nested_branch():
    wordy = al.Agent(name="Wordy", model=al.ScriptedModel(["word " * 400]))
    later = al.Agent(name="Later", model=al.ScriptedModel(["never"]))
    inner = al.Chain([al.Parallel([wordy]), later])
    run = al.Chain([str.strip, inner]).run_sync(" go ", limits=al.Limits(max_tokens=100))
    assert run.status == "stopped"
    assert run.stop_reason == "max_tokens"
    assert run.output == "go"  # the outer chain's last completed step
    assert later.model.calls == 0


def test_a_patterns_own_limits_apply_to_the_agents_inside():
    def lookup(order_id: str) -> str:
        """Look an order up."""
        return "shipped"

    agent = al.Agent(
        name="Looper",
        tools=[lookup],
        model=al.ScriptedModel([al.ToolCall("lookup", {"order_id": "1"})] * 3 + ["done"]),
    )
    run = al.Chain([agent], limits=al.Limits(max_turns=2)).run_sync("x")
    assert run.status == "stopped"
    assert run.stop_reason == "max_turns"


def test_a_nested_trace_saves_and_loads_with_its_pattern_spans(tmp_path):
    solver = al.Agent(name="Solver", model=al.ScriptedModel(["4", "4", "5"]))
    reviewer = al.Agent(name="Reviewer", model=al.ScriptedModel([{"score": 9, "feedback": "ok"}]))
    pattern = al.EvaluatorOptimizer(al.Parallel.vote(solver, n=3), reviewer, accept=5)
    run = pattern.run_sync("2 + 2?")
    assert run.output == "4"
    path = tmp_path / "nested.jsonl"
    run.trace.save(path)
    loaded = al.Trace.load(path)
    assert [s.kind for s in loaded.find()] == [s.kind for s in run.trace.find()]
    vote = loaded.find("vote")[0]
    assert vote.attributes["counts"] == {"4": 2, "5": 1}
    assert loaded.find("evaluation")[0].output == {"score": 9.0, "feedback": "ok"}


def test_pattern_names_are_public():
    for name in (
        "Chain",
        "Gate",
        "Router",
        "Parallel",
        "Orchestrator",
        "EvaluatorOptimizer",
        "Plan",
        "PlanTask",
        "Verdict",
    ):
        assert name in al.__all__
        assert getattr(al, name).__doc__


async def test_a_timeout_stops_a_parallel_block_and_marks_its_branches():
    slow = [al.Agent(name=f"S{i}", model=al.ScriptedModel(["x"], latency_s=2.0)) for i in range(3)]
    started = time.perf_counter()
    run = await al.Parallel(slow).run("go", limits=al.Limits(timeout_s=0.1))
    assert time.perf_counter() - started < 1.0
    assert run.status == "stopped"
    assert run.stop_reason == "timeout"
    assert [b.status for b in run.trace.find("branch")] == ["stopped"] * 3


WORDY = "word " * 1000  # far more than the 300-token budget below


def _wordy(name: str) -> al.Agent:
    return al.Agent(name=name, model=al.ScriptedModel([WORDY]))


def _short(name: str, answers: list) -> al.Agent:
    return al.Agent(name=name, model=al.ScriptedModel(answers))


PATTERNS = {
    "Chain": lambda limits: al.Chain([str.strip, _wordy("W")], limits=limits),
    "Router": lambda limits: al.Router(lambda t: "a", {"a": _wordy("W")}, limits=limits),
    "Parallel": lambda limits: al.Parallel([_wordy("W"), _short("S", ["s"])], limits=limits),
    "vote": lambda limits: al.Parallel.vote(_wordy("W"), n=2, limits=limits),
    "Orchestrator": lambda limits: al.Orchestrator(
        _short("P", [{"tasks": [{"worker": "w", "task": "go"}]}]),
        {"w": _wordy("W")},
        _short("S", ["never"]),
        limits=limits,
    ),
    "EvaluatorOptimizer": lambda limits: al.EvaluatorOptimizer(
        _wordy("W"), _short("E", [{"score": 9, "feedback": "ok"}]), accept=5, limits=limits
    ),
}


@pytest.mark.parametrize("kind", list(PATTERNS))
def test_every_pattern_takes_limits_at_the_root_and_nested(kind):
    run = PATTERNS[kind](al.Limits(max_tokens=300)).run_sync("go")
    assert (run.status, run.stop_reason) == ("stopped", "max_tokens")
    # nested in a chain that has no limits of its own: the pattern's own budget still holds
    outer = al.Chain([str.upper, PATTERNS[kind](al.Limits(max_tokens=300)), str.lower])
    run = outer.run_sync("go")
    assert (run.status, run.stop_reason) == ("stopped", "max_tokens")
    assert run.output == "GO"  # the outer chain's last completed step
    with pytest.raises(al.ConfigError, match=r"must be al\.Limits"):
        PATTERNS[kind]({"max_tokens": 300})


@pytest.mark.parametrize(
    "pattern", [al.Chain, al.Router, al.Parallel, al.Orchestrator, al.EvaluatorOptimizer]
)
def test_every_pattern_says_when_to_use_it_and_when_not(pattern):
    doc = pattern.__doc__
    assert "When to use" in doc and "When not" in doc and ">>> " in doc
