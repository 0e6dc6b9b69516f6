"""EvaluatorOptimizer: structured verdicts, feedback reaches the generator, bounded loop."""

from __future__ import annotations

import pytest

import agentlab as al

TASK = "Implement a MinStack with push, pop and getMin, all O(1)."
V1 = "class MinStack:\n    def getMin(self):\n        return min(self.items)  # O(n)"
V2 = (
    "class MinStack:\n    # keeps a second stack of minimums\n"
    "    def getMin(self):\n        return self.mins[-1]"
)
V3 = "class MinStack: ...  # a rewrite"


def loop(attempts: list[str], verdicts: list, *, max_iterations: int = 5, accept=8):
    coder = al.Agent(name="Coder", instructions="Write Python.", model=al.ScriptedModel(attempts))
    reviewer = al.Agent(
        name="Reviewer",
        instructions="Score 0-10 for correctness and O(1).",
        model=al.ScriptedModel(verdicts),
    )
    pattern = al.EvaluatorOptimizer(
        coder, reviewer, max_iterations=max_iterations, accept=accept, name="MinStack loop"
    )
    return pattern, coder, reviewer


def test_minstack_is_accepted_on_round_two():
    verdicts = [
        {"score": 4, "feedback": "getMin is O(n); keep a stack of minimums."},
        {"score": 9, "feedback": "All operations are O(1)."},
    ]
    pattern, _, reviewer = loop([V1, V2], verdicts)
    run = pattern.run_sync(TASK)
    assert run.status == "completed"
    assert run.output == V2
    assert run.usage.requests == 4
    iterations = run.trace.find("iteration")
    assert [(s.attributes["score"], s.attributes["accepted"]) for s in iterations] == [
        (4.0, False),
        (9.0, True),
    ]
    evaluations = run.trace.find("evaluation")
    assert evaluations[0].attributes["feedback"].startswith("getMin is O(n)")
    (span,) = run.trace.find("evaluator")
    assert span.attributes["accept"] == "score >= 8"
    assert span.attributes["iterations"] == 2
    assert [k.kind for k in run.trace.children(iterations[0].id)] == ["agent", "evaluation"]
    # the generator's second attempt saw its first attempt and the feedback
    second = run.trace.find("agent", name="Coder")[1]
    sent = run.trace.messages_of(second)
    assert [m.role for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[1].content == TASK and sent[2].content == V1
    assert "keep a stack of minimums" in sent[3].content
    # the evaluator saw the task and the attempt; the user's agents were not changed
    evaluated = run.trace.messages_of(run.trace.find("agent", name="Reviewer")[0])[-1].content
    assert TASK in evaluated and V1 in evaluated
    assert reviewer.output_type is None


def test_never_satisfied_stops_at_max_iterations_with_the_best_attempt():
    verdicts = [{"score": s, "feedback": f"try {i}"} for i, s in enumerate([4, 7, 6], 1)]
    pattern, coder, _ = loop([V1, V2, V3], verdicts, max_iterations=3)
    run = pattern.run_sync(TASK)
    assert run.status == "stopped"
    assert run.stop_reason == "max_iterations"
    assert run.output == V2  # best score 7, from iteration 2
    assert "iteration 2, score 7" in run.stop_detail
    assert coder.model.calls == 3 and run.usage.requests == 6
    (limit,) = run.trace.find("limit")
    assert limit.attributes == {"limit": "max_iterations", "value": 3, "reached": 3}
    with pytest.raises(al.MaxIterations):
        run.raise_for_status()


def test_equal_best_scores_go_to_the_latest_attempt():
    verdicts = [{"score": 5, "feedback": "meh"}] * 2
    run = loop([V1, V2], verdicts, max_iterations=2)[0].run_sync(TASK)
    assert run.output == V2


def test_accept_can_be_a_function_of_the_verdict():
    def o1_and_good(verdict: al.Verdict) -> bool:
        return verdict.score >= 5 and "O(1)" in verdict.feedback

    verdicts = [{"score": 9, "feedback": "Nice style."}, {"score": 6, "feedback": "O(1) now."}]
    pattern, *_ = loop([V1, V2], verdicts, accept=o1_and_good)
    run = pattern.run_sync(TASK)
    assert run.output == V2
    assert run.trace.find("evaluator")[0].attributes["accept"] == "o1_and_good"


def test_an_unparseable_verdict_fails_after_one_corrective_retry():
    pattern, _, reviewer = loop([V1], ["looks fine to me", "really, it is fine"])
    run = pattern.run_sync(TASK)
    assert run.status == "failed"
    assert isinstance(run.error, al.OutputValidationError)
    assert reviewer.model.calls == 2
    assert run.trace.find("evaluation")[0].status == "error"


def test_a_failing_generator_fails_the_loop_keeping_the_best_attempt():
    pattern, *_ = loop([V1], [{"score": 3, "feedback": "no"}])  # 2nd attempt: script exhausted
    run = pattern.run_sync(TASK)
    assert run.status == "failed"
    assert isinstance(run.error, al.ScriptExhausted)
    assert run.output == V1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_iterations": None}, "cannot be None"),
        ({"max_iterations": 0}, "max_iterations=0"),
        ({"max_iterations": 2.5}, "whole number"),
        ({"accept": None}, "accept is required"),
        ({"accept": "good"}, "number or a function"),
    ],
)
def test_bad_loops_are_config_errors(kwargs, message):
    coder = al.Agent(name="Coder", model=al.ScriptedModel([]))
    args = {"max_iterations": 3, "accept": 8, **kwargs}
    with pytest.raises(al.ConfigError, match=message):
        al.EvaluatorOptimizer(coder, coder, **args)


def test_the_evaluator_must_be_an_agent():
    coder = al.Agent(name="Coder", model=al.ScriptedModel([]))
    with pytest.raises(al.ConfigError, match=r"evaluator must be an al\.Agent"):
        al.EvaluatorOptimizer(coder, al.Chain([str.upper]), accept=8)
