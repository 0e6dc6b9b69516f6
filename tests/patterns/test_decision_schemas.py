"""Decision schemas are the user's when given: evaluator, planner, vote judge."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from pydantic import BaseModel

import agentlab as al


class Review(BaseModel):
    approved: bool
    notes: str


class ScoredReview(BaseModel):
    score: int
    notes: str


def _coder(*answers: str) -> al.Agent:
    return al.Agent("Coder", model=al.FunctionModel(_echo_feedback(list(answers))))


def _echo_feedback(answers: list[str]):  # the generator records what it was told
    seen: list[str] = []

    def fn(messages, tools):
        seen.append(messages[-1].content)
        return answers[len(seen) - 1]

    fn.seen = seen  # type: ignore[attr-defined]
    return fn


def test_evaluator_own_type_is_kept_and_accept_decides_from_it() -> None:
    coder = _coder("v1", "v2")
    answers = [{"approved": False, "notes": "add tests"}, {"approved": True, "notes": "fine"}]
    reviewer = al.Agent("Reviewer", output_type=Review, model=al.ScriptedModel(answers))
    loop = al.EvaluatorOptimizer(coder, reviewer, max_iterations=3, accept=lambda r: r.approved)
    run = loop.run_sync("write it")
    assert run.status == "completed" and run.output == "v2"
    evaluations = [s for s in run.trace.spans if s.kind == "evaluation"]
    first = evaluations[0].output
    assert first == Review(approved=False, notes="add tests") or first == {
        "approved": False, "notes": "add tests"}  # fmt: skip
    told = coder.model.fn.seen[1]  # type: ignore[attr-defined]
    assert json.loads(told.split("judged your attempt:\n")[1].split("\n\n")[0]) == {
        "approved": False, "notes": "add tests"}  # fmt: skip
    agents = [s for s in run.trace.spans if s.kind == "agent" and s.name == "Reviewer"]
    assert agents and "Verdict" not in repr(loop._evaluator.output_type)


def test_own_type_not_accepted_gives_the_latest_attempt() -> None:
    reviewer = al.Agent("Reviewer", output_type=Review, model=al.ScriptedModel(
        [{"approved": False, "notes": "no"}] * 3))  # fmt: skip
    loop = al.EvaluatorOptimizer(_coder("v1", "v2", "v3"), reviewer, max_iterations=3,
                                 accept=lambda r: r.approved)  # fmt: skip
    run = loop.run_sync("x")
    assert run.status == "stopped" and run.stop_reason == "max_iterations"
    assert run.output == "v3"
    assert "latest attempt" in run.stop_detail


def test_own_type_with_numeric_score_keeps_best_scored_and_threshold() -> None:
    reviewer = al.Agent(
        "Reviewer",
        output_type=ScoredReview,
        model=al.ScriptedModel(
            [{"score": 3, "notes": "a"}, {"score": 7, "notes": "b"}, {"score": 5, "notes": "c"}]
        ),
    )
    loop = al.EvaluatorOptimizer(_coder("v1", "v2", "v3"), reviewer, max_iterations=3, accept=9)
    run = loop.run_sync("x")
    assert run.stop_reason == "max_iterations" and run.output == "v2"


def test_numeric_accept_needs_a_numeric_score_field() -> None:
    reviewer = al.Agent("Reviewer", output_type=Review)
    with pytest.raises(al.ConfigError, match="numeric 'score' field"):
        al.EvaluatorOptimizer(_coder("v"), reviewer, max_iterations=2, accept=8)
    with pytest.raises(al.ConfigError, match="accept is required"):
        al.EvaluatorOptimizer(_coder("v"), reviewer, max_iterations=2)


def test_default_evaluator_still_gets_verdict() -> None:
    reviewer = al.Agent("Reviewer", model=al.ScriptedModel([{"score": 9, "feedback": "ok"}]))
    loop = al.EvaluatorOptimizer(_coder("v1"), reviewer, max_iterations=2, accept=8)
    assert loop.run_sync("x").output == "v1"
    assert reviewer.output_type is None  # the user's agent is untouched


class Step(BaseModel):
    worker: str
    task: str
    priority: int = 0


class MyPlan(BaseModel):
    rationale: str
    tasks: list[Step]


def test_planner_own_type_with_tasks_is_kept() -> None:
    planner = al.Agent(
        "Planner",
        output_type=MyPlan,
        model=al.ScriptedModel(
            [
                {
                    "rationale": "two angles",
                    "tasks": [
                        {"worker": "writer", "task": "formal"},
                        {"worker": "writer", "task": "fun"},
                    ],
                }
            ]
        ),
    )
    writer = al.Agent("Writer", model=al.ScriptedModel(["F", "U"]))
    editor = al.Agent("Editor", model=al.ScriptedModel(["both"]))
    desk = al.Orchestrator(planner, workers={"writer": writer}, synthesizer=editor)
    run = desk.run_sync("copy")
    assert run.status == "completed" and run.output == "both"
    plan = next(s for s in run.trace.spans if s.kind == "plan")
    assert plan.output == [
        {"worker": "writer", "task": "formal"},
        {"worker": "writer", "task": "fun"},
    ]
    assert desk._planner.output_type is MyPlan


@pytest.mark.parametrize("bad", [Review, int])
def test_planner_type_without_tasks_is_a_config_error(bad: type) -> None:
    planner = al.Agent("Planner", output_type=bad)
    with pytest.raises(al.ConfigError, match="tasks"):
        al.Orchestrator(planner, workers={"w": al.Agent("W")}, synthesizer=al.Agent("S"))


class Pick(BaseModel):
    choice: int
    confidence: float


@dataclass
class BadPick:
    choice: str


def test_vote_judge_own_type_with_integer_choice() -> None:
    solver = al.Agent("Solver", model=al.ScriptedModel(["41", "42", "43"]))
    judge = al.Agent("Judge", output_type=Pick,
                     model=al.ScriptedModel([{"choice": 2, "confidence": 0.9}]))  # fmt: skip
    run = al.Parallel.vote(solver, n=3, pick=judge).run_sync("6x7")
    assert run.output == "42"


def test_vote_judge_type_without_integer_choice_is_a_config_error() -> None:
    for bad in (BadPick, Review):
        with pytest.raises(al.ConfigError, match="integer field choice"):
            al.Parallel.vote(al.Agent("S"), n=3, pick=al.Agent("Judge", output_type=bad))
