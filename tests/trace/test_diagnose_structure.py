"""al.diagnose on structure: handoffs, chains, routers, evaluators and limits."""

from __future__ import annotations

import dataclasses
import itertools
import warnings

import agentlab as al


def kinds(run_or_trace) -> list[str]:
    return [f.kind for f in al.diagnose(run_or_trace)]


def transfer(to: str, intent: str = "take over") -> al.ToolCall:
    return al.ToolCall(f"transfer_to_{to.lower()}", {"intent": intent})


def agent(name, responses, **kwargs):
    return al.Agent(name=name, model=al.ScriptedModel(responses), **kwargs)


# -- handoff_context_lost ----------------------------------------------------------------


def test_handoff_context_lost_found_when_a_filter_drops_the_user_words():
    sales = agent("Sales", ["Which order?"])
    triage = agent("Triage", [transfer("Sales", "refund")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage, handoff_filter=al.note_only).run_sync("refund 42")
    (finding,) = run.diagnose()
    assert finding.kind == "handoff_context_lost" and finding.severity == "warning"
    assert finding.span_ids == (run.trace.find("handoff")[0].id,)
    assert "Triage -> Sales" in finding.message and "1 user message" in finding.message


def test_handoff_context_lost_clean_twin_keeps_the_history():
    sales = agent("Sales", ["Refunded."])
    triage = agent("Triage", [transfer("Sales", "refund")], handoffs=[sales])
    assert kinds(al.Team([triage, sales], entry=triage).run_sync("refund 42")) == []
    filtered = al.Team([triage, sales], entry=triage, handoff_filter=al.drop_tool_messages)
    sales2 = agent("Sales", ["Refunded."])
    triage2 = agent("Triage", [transfer("Sales", "refund")], handoffs=[sales2])
    filtered = al.Team([triage2, sales2], entry=triage2, handoff_filter=al.drop_tool_messages)
    assert kinds(filtered.run_sync("refund 42")) == []


def test_handoff_with_empty_intent_is_context_lost():
    # the runtime refuses a blank intent; a trace written elsewhere may still hold one
    sales = agent("Sales", ["ok"])
    triage = agent("Triage", [transfer("Sales", "refund")], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi")
    spans = [
        dataclasses.replace(s, attributes={**s.attributes, "intent": ""})
        if s.kind == "handoff"
        else s
        for s in run.trace.spans
    ]
    (finding,) = al.diagnose(al.Trace(spans=spans, messages=list(run.trace.messages)))
    assert finding.kind == "handoff_context_lost" and "no intent" in finding.message
    assert "user message" not in finding.message


# -- handoff_bounce ----------------------------------------------------------------------


def test_handoff_bounce_found_even_when_allowed():
    sales = agent("Sales", [transfer("Triage", "not sales")], handoffs=["Triage"])
    triage = agent("Triage", [transfer("Sales"), "Here is the answer."], handoffs=[sales])
    run = al.Team([triage, sales], entry=triage).run_sync("hi")
    assert run.status == "completed"
    (finding,) = run.diagnose()
    assert finding.kind == "handoff_bounce" and finding.severity == "info"
    assert finding.span_ids == tuple(s.id for s in run.trace.find("handoff"))
    assert "Triage -> Sales -> Triage" in finding.message


def test_handoff_bounce_clean_twin_a_to_b_to_c():
    support = agent("Support", ["fixed"])
    sales = agent("Sales", [transfer("Support", "tech")], handoffs=[support])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales, support], entry=triage).run_sync("hi")
    assert len(run.handoffs) == 2 and kinds(run) == []


def test_handoff_bounce_counts_per_user_turn():
    sales = agent("Sales", ["sold", transfer("Triage", "back"), "x"], handoffs=["Triage"])
    triage = agent("Triage", [transfer("Sales"), "bye"], handoffs=[sales])
    conv = al.Team([triage, sales], entry=triage).conversation()
    first = conv.send_sync("buy")
    assert "handoff_bounce" not in kinds(first)


# -- unchecked_chain ---------------------------------------------------------------------


def steps():
    return [agent(n, [f"{n} done"]) for n in ("Outline", "Write", "Edit")]


def test_unchecked_chain_found_for_three_agent_steps():
    run = al.Chain(steps(), name="Doc").run_sync("topic")
    (finding,) = run.diagnose()
    assert finding.kind == "unchecked_chain"
    assert finding.span_ids == (run.trace.find("chain")[0].id,)
    assert "Outline -> Write -> Edit" in finding.message and "al.Gate" in finding.suggestion


def test_unchecked_chain_clean_twins_gate_two_agents_or_function_steps():
    outline, write, edit = steps()
    assert kinds(al.Chain([outline, al.Gate(lambda v: True), write, edit]).run_sync("t")) == []
    outline, write, _ = steps()
    assert kinds(al.Chain([outline, str.upper, write, str.strip]).run_sync("t")) == []


def test_a_guarded_step_counts_as_checked():
    # issue 14 records output guards on the agent span; a trace that has them is checked
    run = al.Chain(steps()).run_sync("t")
    chain = run.trace.find("chain")[0]
    first = run.trace.find("agent")[0]
    guarded = [
        dataclasses.replace(s, attributes={**s.attributes, "output_guards": ["no_secrets"]})
        if s.id == first.id
        else s
        for s in run.trace.spans
    ]
    trace = al.Trace(spans=guarded, messages=list(run.trace.messages))
    assert kinds(trace) == [] and chain.id in {s.id for s in trace.spans}


# -- too_many_routes ---------------------------------------------------------------------


def test_too_many_routes_found_above_five():
    def router(n: int):
        routes = {f"r{i}": agent(f"H{i}", ["handled"]) for i in range(n)}
        classifier = agent("Classifier", ["r0"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", al.DesignWarning)
            return al.Router(classifier, routes=routes)

    (finding,) = router(6).run_sync("q").diagnose()
    assert finding.kind == "too_many_routes" and "6 routes" in finding.message
    assert finding.span_ids == (router(6).run_sync("q").trace.find("router")[0].id,)
    assert kinds(router(5).run_sync("q")) == []


# -- evaluator_plateau -------------------------------------------------------------------


def evaluator(scores, max_iterations=3):
    gen = agent("Gen", [f"draft {i}" for i in range(len(scores))])
    verdicts = [{"score": s, "feedback": "better"} for s in scores]
    judge = agent("Judge", verdicts)
    return al.EvaluatorOptimizer(gen, judge, max_iterations=max_iterations, accept=9)


def test_evaluator_plateau_found_with_flat_last_scores():
    run = evaluator([6.0, 6.02, 6.05], 3).run_sync("task")
    assert run.stop_reason == "max_iterations"
    (finding,) = run.diagnose()
    assert finding.kind == "evaluator_plateau"
    loop, rounds = run.trace.find("evaluator")[0], run.trace.find("iteration")
    assert finding.span_ids == (loop.id, *(r.id for r in rounds))
    assert "6, 6.02, 6.05" in finding.message


def test_evaluator_plateau_clean_twins():
    assert kinds(evaluator([4.0, 6.0, 8.0], 3).run_sync("t")) == []  # still improving
    assert kinds(evaluator([6.0, 6.0, 9.0], 3).run_sync("t")) == []  # accepted
    assert kinds(evaluator([6.0, 6.0], 2).run_sync("t")) == []  # fewer than 3 rounds
    assert kinds(evaluator([5.0, 6.0, 6.0, 6.0], 4).run_sync("t")) == ["evaluator_plateau"]


# -- near_limit --------------------------------------------------------------------------


def tool_loop(n: int):
    def ping() -> str:
        """Ping."""
        return "pong"

    calls = [al.ToolCall("ping", {"n": i}) for i in range(n)]
    return al.Agent(name="Pinger", model=al.ScriptedModel([*calls, "done"]), tools=[ping])


def test_near_limit_turns_and_tool_calls():
    run = tool_loop(8).run_sync("go", limits=al.Limits(max_turns=10, max_tool_calls=9))
    found = {f.message.split(":")[0]: f for f in run.diagnose() if f.kind == "near_limit"}
    assert len(found) == 2
    assert any("8 tool calls of max_tool_calls=9" in m for m in found)
    assert any("Pinger took 9 of max_turns=10" in m for m in found)


def test_near_limit_not_when_the_limit_was_crossed_or_far():
    stopped = tool_loop(12).run_sync("go", limits=al.Limits(max_turns=10))
    assert stopped.stop_reason == "max_turns"
    assert "near_limit" not in kinds(stopped)
    assert kinds(tool_loop(2).run_sync("go")) == []


def test_near_limit_tokens_and_hops():
    run = agent("A", ["word " * 50]).run_sync("hi", limits=al.Limits(max_tokens=70))
    assert run.status == "completed"
    assert [f.span_ids for f in run.diagnose()] == [(run.trace.root.id,)]
    support = agent("Support", ["fixed"])
    sales = agent("Sales", [transfer("Support", "tech")], handoffs=[support])
    triage = agent("Triage", [transfer("Sales")], handoffs=[sales])
    run = al.Team([triage, sales, support], entry=triage, max_hops=2).run_sync("hi")
    (finding,) = run.diagnose()
    assert "2 of max_hops=2" in finding.message
    assert finding.span_ids == (run.trace.find("team")[0].id,)


def test_near_limit_not_for_a_team_stopped_by_max_hops():
    def relay(n: int) -> al.Team:
        names = [f"Agent {c}" for c in "ABCDEF"[:n]]
        agents = [
            agent(a, [transfer(b.replace(" ", "_"))], handoffs=[b])
            for a, b in itertools.pairwise(names)
        ]
        return al.Team([*agents, agent(names[-1], ["done"])], entry=names[0], max_hops=3)

    stopped = relay(6).run_sync("help")
    assert stopped.stop_reason == "max_hops"
    assert kinds(stopped) == []
    at_bound = relay(4).run_sync("help")  # 3 hops of 3: used all, not crossed
    assert at_bound.status == "completed" and kinds(at_bound) == ["near_limit"]
