"""Guards on an agent's input and output: stops, spans, nesting, propagation."""

from __future__ import annotations

import asyncio

import pytest

import agentlab as al


def no_email(text: str) -> bool:
    return "@" not in text


def agent_with(responses, **kwargs) -> al.Agent:
    return al.Agent(
        name="Bot", instructions="Be brief.", model=al.ScriptedModel(responses), **kwargs
    )


def test_an_input_guard_that_passes_lets_the_answer_through():
    run = agent_with(["hello"], input_guards=[al.Guard(no_email)]).run_sync("hi there")
    assert (run.status, run.output) == ("completed", "hello")
    (guard,) = run.trace.find("guard")
    assert guard.attributes == {"guard": "no_email", "stage": "input", "passed": True}
    assert guard.status == "ok"


def test_a_tripped_input_guard_stops_the_run_with_the_guard_named():
    guard = al.Guard(no_email, name="no e-mail", reason="the message holds an address")
    run = agent_with(["hello"], input_guards=[guard]).run_sync("write to me at a@b.c")
    assert (run.status, run.stop_reason, run.output) == ("stopped", "guard", None)
    assert "no e-mail" in run.stop_detail and "holds an address" in run.stop_detail
    (span,) = run.trace.find("guard")
    assert span.attributes["passed"] is False and span.attributes["stage"] == "input"
    assert span.status == "stopped"
    assert run.new_messages == []  # the rejected input is not the run's to pass on
    with pytest.raises(al.GuardTripped, match="no e-mail"):
        run.raise_for_status()


def test_a_slow_model_call_is_cancelled_when_the_input_guard_trips():
    model = al.ScriptedModel(["too late"], latency_s=5)
    agent = al.Agent(name="Slow", model=model, input_guards=[al.Guard(lambda t: False)])
    run = agent.run_sync("anything")
    assert run.stop_reason == "guard"
    assert run.duration_s < 2
    (model_span,) = run.trace.find("model")
    assert model_span.status != "ok"  # cancelled, kept in the trace


async def test_input_guards_run_alongside_the_first_model_call():
    started: list[str] = []

    async def slow_check(text: str) -> bool:
        started.append("guard")
        await asyncio.sleep(0.2)
        return True

    model = al.ScriptedModel(["fine"], latency_s=0.2)
    agent = al.Agent(name="Par", model=model, input_guards=[al.Guard(slow_check)])
    run = await agent.run("hi")
    assert run.output == "fine" and started == ["guard"]
    assert run.duration_s < 0.38  # 0.2 + 0.2 if they ran one after the other


def test_a_tripped_output_guard_keeps_the_rejected_answer_in_the_trace_only():
    guard = al.Guard(lambda text: len(text) < 10, name="short", reason=lambda t: f"{len(t)} chars")
    run = agent_with(["a far too long answer"], output_guards=[guard]).run_sync("q")
    assert (run.status, run.stop_reason, run.output) == ("stopped", "guard", None)
    assert "21 chars" in run.stop_detail
    assert run.trace.find("model")[0].output == "a far too long answer"
    assert all(m.role != "assistant" for m in run.new_messages)
    assert all(m.content != "a far too long answer" for m in run.messages)
    (agent_span,) = run.trace.find("agent")
    assert agent_span.attributes["output_guards"] == ["short"]


def test_an_output_guard_gets_the_structured_output_object():
    from pydantic import BaseModel

    class Answer(BaseModel):
        score: int

    seen = []

    def check(answer: Answer) -> bool:
        seen.append(answer)
        return answer.score > 5

    agent = agent_with(['{"score": 3}'], output_type=Answer, output_guards=[check])
    run = agent.run_sync("rate it")
    assert run.stop_reason == "guard" and seen == [Answer(score=3)]


def test_a_guard_that_runs_an_agent_nests_it_under_the_guard_span():
    moderator = al.Agent(name="Moderator", model=al.ScriptedModel(["UNSAFE"]))

    async def moderated(text: str) -> bool:
        return (await moderator.run(text)).output != "UNSAFE"

    run = agent_with(["ok"], input_guards=[al.Guard(moderated)]).run_sync("hm")
    assert run.stop_reason == "guard"
    (guard,) = run.trace.find("guard")
    nested = [s for s in run.trace.spans if s.kind == "run" and s.parent_id == guard.id]
    assert len(nested) == 1 and nested[0].name == "Moderator"


def test_a_guard_that_raises_fails_the_run():
    def broken(text: str) -> bool:
        raise ValueError("no moderation service")

    run = agent_with(["ok"], output_guards=[broken]).run_sync("q")
    assert run.status == "failed" and "no moderation service" in run.stop_detail


def test_a_tripped_guard_stops_a_chain_and_a_team_like_a_gate():
    strict = agent_with(["secret plan"], output_guards=[al.Guard(lambda t: "secret" not in t)])
    after = al.Agent(name="After", model=al.ScriptedModel(["never"]))
    run = al.Chain([strict, after]).run_sync("go")
    assert (run.status, run.stop_reason) == ("stopped", "guard")
    assert after.model.calls == 0
    sales = al.Agent(
        name="Sales",
        model=al.ScriptedModel(["secret price"]),
        output_guards=[al.Guard(lambda t: "secret" not in t, name="no secrets")],
    )
    triage = al.Agent(
        name="Triage",
        handoffs=[sales],
        model=al.ScriptedModel([al.ToolCall("transfer_to_sales", {"intent": "price"})]),
    )
    team_run = al.Team([triage, sales], entry=triage).run_sync("price?")
    assert team_run.stop_reason == "guard" and "no secrets" in team_run.stop_detail


def test_in_parallel_a_tripped_guard_is_a_stopped_branch():
    guarded = agent_with(["bad"], output_guards=[al.Guard(lambda t: t != "bad")])
    fine = al.Agent(name="Fine", model=al.ScriptedModel(["good"]))
    run = al.Parallel([guarded, fine]).run_sync("x")
    assert run.output[1] == "good" and run.output[0] is None


def test_a_conversation_keeps_the_rejected_answer_out_of_its_history():
    agent = agent_with(
        ["bad words", "kind words"], output_guards=[al.Guard(lambda t: "bad" not in t)]
    )
    conv = agent.conversation()
    first = conv.send_sync("one")
    second = conv.send_sync("two")
    assert first.stop_reason == "guard" and second.output == "kind words"
    assert [m.content for m in conv.history] == ["one", "two", "kind words"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_guards": [42]}, "al.Guard"),
        ({"output_guards": al.Guard(no_email)}, "must be a list"),
        ({"input_guards": no_email}, "must be a list"),
    ],
)
def test_guards_that_cannot_serve_are_config_errors(kwargs, message):
    with pytest.raises(al.ConfigError, match=message):
        al.Agent(name="A", **kwargs)


def test_a_guard_needs_a_function_and_text_reason():
    with pytest.raises(al.ConfigError, match="check"):
        al.Guard("no")
    with pytest.raises(al.ConfigError, match="reason"):
        al.Guard(no_email, reason=3)
    assert al.Guard(no_email).name == "no_email" and al.Guard(lambda t: True).name == "guard"


def test_plain_functions_are_accepted_as_guards_and_clone_keeps_them():
    agent = agent_with(["x"], input_guards=[no_email])
    assert [g.name for g in agent.clone(name="B").input_guards] == ["no_email"]


def test_an_input_trip_leaves_the_conversation_history_as_it_was():
    agent = agent_with(["first answer", "dropped", "second answer"], input_guards=[no_email])
    conv = agent.conversation()
    conv.send_sync("hello")
    tripped = conv.send_sync("mail a@b.c")
    assert tripped.stop_reason == "guard" and tripped.new_messages == []
    assert [m.content for m in conv.history] == ["hello", "first answer"]
    assert conv.send_sync("and now?").output == "second answer"
