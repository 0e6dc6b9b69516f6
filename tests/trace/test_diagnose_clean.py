"""A clean run of each pattern and handoff style gives no finding."""

from __future__ import annotations

import pytest

import agentlab as al


def agent(name, responses, **kwargs):
    return al.Agent(name=name, model=al.ScriptedModel(responses), **kwargs)


def lookup_order(order_id: str) -> str:
    """Look up an order."""
    return f"order {order_id}: shipped"


def single():
    call = al.ToolCall("lookup_order", {"order_id": "42"})
    return agent("Support", [call, "It shipped."], tools=[lookup_order])


def chain():
    return al.Chain([agent("Outline", ["o"]), al.Gate(lambda v: bool(v)), agent("Write", ["w"])])


def router():
    support = agent("Support", ["t"])
    routes = {"sales": agent("Sales", ["s"]), "support": support}
    return al.Router(agent("Classifier", ["sales"]), routes=routes, fallback=support)


def parallel():
    return al.Parallel([agent("Grammar", ["g"]), agent("Facts", ["f"])], merge=agent("Ed", ["m"]))


def vote():
    return al.Parallel.vote(agent("Solver", ["4", "4", "5"]), n=3, pick="majority")


def orchestrator():
    plan = {"tasks": [{"worker": "research", "task": "find"}, {"worker": "write", "task": "w"}]}
    workers = {"research": agent("Researcher", ["facts"]), "write": agent("Writer", ["text"])}
    return al.Orchestrator(agent("Planner", [plan]), workers=workers, synthesizer=agent("S", ["x"]))


def evaluator():
    verdicts = [{"score": 5, "feedback": "more"}, {"score": 9, "feedback": "good"}]
    return al.EvaluatorOptimizer(
        agent("Gen", ["d1", "d2"]), agent("Judge", verdicts), max_iterations=3, accept=8
    )


def manager():
    researcher = agent("Researcher", ["facts"])
    call = al.ToolCall(researcher.as_tool().name, {"input": "find facts"})
    return agent("Manager", [call, "report"], tools=[researcher.as_tool()])


def team():
    sales = agent("Sales", ["Sold."])
    call = al.ToolCall("transfer_to_sales", {"intent": "buy"})
    triage = agent("Triage", [call], handoffs=[sales])
    return al.Team([triage, sales], entry=triage)


@pytest.mark.parametrize(
    "build",
    [single, chain, router, parallel, vote, orchestrator, evaluator, manager, team],
)
def test_clean_run_gives_no_finding(build):
    run = build().run_sync("I was charged twice")
    assert run.status == "completed", run.error
    assert run.diagnose() == [], run.diagnose()
    assert al.diagnose(run.trace) == []
