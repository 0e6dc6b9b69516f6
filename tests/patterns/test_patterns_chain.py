"""Chain and Gate: steps in order, gates stop early, functions as steps, bad input."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

import agentlab as al

Q3_NOTES = """Q3 Performance Summary:
Our customer satisfaction score rose to 92 points this quarter.
Revenue grew by 45% compared to last year.
Market share is now at 23% in our primary market.
Customer churn decreased to 5% from 8%."""

EXTRACTED = "92: customer satisfaction\n45%: revenue growth\n23%: market share\n5%: churn"
PERCENT = "92%: customer satisfaction\n45%: revenue growth\n23%: market share\n5%: churn"
SORTED = "92%: customer satisfaction\n45%: revenue growth\n23%: market share\n5%: churn"
TABLE = (
    "| Metric | Value |\n|:--|--:|\n| Customer Satisfaction | 92% |\n"
    "| Revenue Growth | 45% |\n| Market Share | 23% |\n| Customer Churn | 5% |"
)


def has_numbers(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def q3_chain(first_answer: str = EXTRACTED) -> tuple[al.Chain, list[al.ScriptedModel]]:
    models = [al.ScriptedModel([answer]) for answer in (first_answer, PERCENT, SORTED, TABLE)]
    names = ["Extract", "Percent", "Sort", "Format"]
    agents = [
        al.Agent(name=n, instructions=f"{n} step", model=m)
        for n, m in zip(names, models, strict=True)
    ]
    gate = al.Gate(has_numbers, reason="the extraction found no numbers")
    return al.Chain([agents[0], gate, *agents[1:]], name="Q3 report"), models


def test_q3_report_chain_runs_every_step_in_order_and_passes_the_gate():
    chain, models = q3_chain()
    run = chain.run_sync(Q3_NOTES)
    assert run.status == "completed"
    assert run.output == TABLE
    assert run.usage.requests == 4 == sum(m.calls for m in models)
    (chain_span,) = run.trace.find("chain")
    kids = run.trace.children(chain_span.id)
    assert [(s.kind, s.name) for s in kids] == [
        ("agent", "Extract"),
        ("gate", "has_numbers"),
        ("agent", "Percent"),
        ("agent", "Sort"),
        ("agent", "Format"),
    ]
    assert chain_span.attributes["steps"] == ["Extract", "has_numbers", "Percent", "Sort", "Format"]
    gate = run.trace.find("gate")[0]
    assert gate.attributes["passed"] is True
    assert gate.attributes["step"] == "Extract"
    # each step got the previous step's output as its input
    sort_input = run.trace.messages_of(run.trace.find("agent", name="Sort")[0])
    assert sort_input[-1].content == PERCENT


def test_a_failing_gate_stops_the_chain_with_the_rejected_text():
    chain, models = q3_chain(first_answer="I could not find any metrics.")
    run = chain.run_sync(Q3_NOTES)
    assert run.status == "stopped"
    assert run.stop_reason == "gate"
    assert "has_numbers" in run.stop_detail and "no numbers" in run.stop_detail
    assert run.output == "I could not find any metrics."
    assert [m.calls for m in models] == [1, 0, 0, 0]  # no later step ran
    gate = run.trace.find("gate")[0]
    assert gate.attributes["passed"] is False
    assert gate.attributes["reason"] == "the extraction found no numbers"
    assert gate.status == "stopped"
    assert run.trace.find("chain")[0].status == "stopped"
    with pytest.raises(al.GateStopped, match="has_numbers"):
        run.raise_for_status()


async def test_async_check_and_reason_function_of_the_text():
    async def short_enough(text: str) -> bool:
        return len(text) < 10

    gate = al.Gate(
        short_enough, name="length", reason=lambda text: f"{len(text)} chars is too long"
    )
    writer = al.Agent(name="Writer", model=al.ScriptedModel(["far too long an answer"]))
    run = await al.Chain([writer, gate, str.upper]).run("go")
    assert run.stop_reason == "gate"
    assert "'length'" in run.stop_detail and "22 chars is too long" in run.stop_detail
    assert run.output == "far too long an answer"


async def test_plain_functions_are_steps_sync_and_async_and_get_objects_as_is():
    class Metrics(BaseModel):
        revenue: int

    seen = []

    def double(metrics: Metrics) -> int:
        seen.append(metrics)
        return metrics.revenue * 2

    async def describe(value: int) -> str:
        return f"revenue doubled: {value}"

    extract = al.Agent(
        name="Extract", model=al.ScriptedModel([{"revenue": 21}]), output_type=Metrics
    )
    run = await al.Chain([extract, double, describe]).run("notes")
    assert run.output == "revenue doubled: 42"
    assert seen == [Metrics(revenue=21)]
    tools = run.trace.find("tool")
    assert [t.name for t in tools] == ["double", "describe"]
    assert tools[0].output == 42
    assert run.usage.requests == 1


def test_an_agent_after_a_structured_step_gets_json_text():
    class Metrics(BaseModel):
        revenue: int

    extract = al.Agent(
        name="Extract", model=al.ScriptedModel([{"revenue": 21}]), output_type=Metrics
    )
    echo = al.Agent(name="Echo", model=al.FunctionModel(lambda msgs, tools: msgs[-1].content))
    assert al.Chain([extract, echo]).run_sync("x").output == '{"revenue": 21}'


def test_a_failing_step_fails_the_chain_and_keeps_the_last_completed_output():
    first = al.Agent(name="First", model=al.ScriptedModel(["draft"]))
    broken = al.Agent(name="Broken", model=al.ScriptedModel([]))
    last = al.Agent(name="Last", model=al.ScriptedModel(["never"]))
    run = al.Chain([first, broken, last]).run_sync("go")
    assert run.status == "failed"
    assert isinstance(run.error, al.ScriptExhausted)
    assert run.output == "draft"
    assert last.model.calls == 0
    assert run.trace.find("chain")[0].status == "error"


def test_a_step_that_stops_stops_the_chain_with_its_reason():
    def lookup(order_id: str) -> str:
        """Look an order up."""
        return "shipped"

    looping = al.Agent(
        name="Looper",
        tools=[lookup],
        limits=al.Limits(max_turns=1),
        model=al.ScriptedModel([al.ToolCall("lookup", {"order_id": "1"})]),
    )
    after = al.Agent(name="After", model=al.ScriptedModel(["never"]))
    run = al.Chain([str.strip, looping, after]).run_sync("  go  ")
    assert run.status == "stopped"
    assert run.stop_reason == "max_turns"
    assert run.output == "go"  # the last completed step's output
    assert after.model.calls == 0


def test_a_shared_budget_stops_the_chain_keeping_the_last_completed_output():
    first = al.Agent(name="First", model=al.ScriptedModel(["short"]))
    wordy = al.Agent(name="Wordy", model=al.ScriptedModel(["word " * 400]))
    run = al.Chain([first, wordy, str.upper]).run_sync("go", limits=al.Limits(max_tokens=100))
    assert run.status == "stopped"
    assert run.stop_reason == "max_tokens"
    assert run.output == "short"


def test_a_gate_first_checks_the_input():
    agent = al.Agent(name="A", model=al.ScriptedModel(["ok"]))
    run = al.Chain([al.Gate(lambda t: "please" in t, name="polite"), agent]).run_sync("do it")
    assert run.stop_reason == "gate"
    assert run.output == "do it"
    assert run.trace.find("gate")[0].attributes["step"] is None


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "at least one step"),
        ([al.Gate(str.isupper)], "only gates"),
        ([str.strip, al.Gate(str.isupper), al.Gate(str.islower), str.strip], "two gates in a row"),
        ([str.strip, 42], "chain step 2 must be an al.Agent"),
        ("not a list", "list of steps"),
    ],
)
def test_bad_chains_are_config_errors_with_the_fix(steps, message):
    with pytest.raises(al.ConfigError, match=message):
        al.Chain(steps)


def test_a_bad_step_is_told_that_agents_runnables_and_functions_are_steps():
    with pytest.raises(al.ConfigError, match="or a plain function of one argument, got int: 42"):
        al.Chain([str.strip, 42])
    with pytest.raises(al.ConfigError, match=r"got the class Agent \(pass an instance"):
        al.Chain([str.strip, al.Agent])


def test_two_gates_in_a_row_message_shows_how_to_combine_them():
    with pytest.raises(al.ConfigError, match=r"combine them into one, e\.g\. al\.Gate"):
        al.Chain([str.strip, al.Gate(str.isupper), al.Gate(str.islower)])


def test_gate_needs_a_function():
    with pytest.raises(al.ConfigError, match=r"needs a function check\(text\) -> bool, got 'x'"):
        al.Gate("x")  # type: ignore[arg-type]
    with pytest.raises(al.ConfigError, match=r"e\.g\. al\.Gate\(lambda text: "):
        al.Gate(None)  # type: ignore[arg-type]
    with pytest.raises(al.ConfigError, match="reason must be text or a function"):
        al.Gate(str.isupper, reason=3)  # type: ignore[arg-type]


def test_a_gate_whose_check_raises_fails_the_run():
    def broken(text: str) -> bool:
        raise ValueError("cannot check")

    run = al.Chain([str.strip, al.Gate(broken)]).run_sync("x")
    assert run.status == "failed"
    assert "cannot check" in run.stop_detail
    assert run.trace.find("gate")[0].status == "error"
