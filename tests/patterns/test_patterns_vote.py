"""Parallel.vote: n attempts, normalised majority, deterministic ties, other pick rules."""

from __future__ import annotations

import time

import pytest

import agentlab as al

PROBLEM = (
    "A baker has 24 muffins. She sells 3 boxes of 4 muffins each and bakes 6 more. "
    "How many muffins does she have now?"
)


def solver(answers: list[str], latency: float = 0.0) -> al.Agent:
    return al.Agent(
        name="Solver",
        instructions="Answer with the number only.",
        model=al.ScriptedModel(answers, latency_s=latency),
    )


async def test_five_attempts_at_a_word_problem_majority_wins():
    vote = al.Parallel.vote(solver(["18", "16", "18.", " 18 ", "30"], latency=0.2), n=5)
    started = time.perf_counter()
    run = await vote.run(PROBLEM)
    assert time.perf_counter() - started < 0.5  # the 5 attempts overlapped (serial: 1 s)
    assert run.status == "completed"
    assert run.output == "18"  # as the first attempt with the winning answer wrote it
    assert run.usage.requests == 5
    (span,) = run.trace.find("vote")
    assert span.attributes["rule"] == "majority"
    assert span.attributes["candidates"] == ["18", "16", "18.", " 18 ", "30"]
    assert span.attributes["counts"] == {"18": 3, "16": 1, "30": 1}
    assert span.attributes["winner"] == "18"  # normalised, a key of counts
    assert span.attributes["winner_index"] == 0
    assert span.output == "18"
    parallel = run.trace.find("parallel")[0]
    assert [k.kind for k in run.trace.children(parallel.id)] == ["branch"] * 5 + ["vote"]


def test_a_tie_goes_to_the_answer_seen_first_in_branch_order():
    run = al.Parallel.vote(solver(["17", "18", "18", "17"]), n=4).run_sync(PROBLEM)
    assert run.output == "17"
    run = al.Parallel.vote(solver(["18", "17", "17", "18"]), n=4).run_sync(PROBLEM)
    assert run.output == "18"


def test_failed_attempts_are_recorded_and_left_out_of_the_count():
    run = al.Parallel.vote(solver(["18", "16"]), n=3).run_sync(PROBLEM)  # 3rd has no script
    assert run.status == "completed"
    span = run.trace.find("vote")[0]
    assert span.attributes["candidates"] == ["18", "16", None]
    assert span.attributes["counts"] == {"18": 1, "16": 1}
    assert run.output == "18"


def test_pick_first_and_pick_function():
    run = al.Parallel.vote(solver(["a", "b", "b"]), n=3, pick="first").run_sync("x")
    assert run.output == "a"
    run = al.Parallel.vote(solver(["a", "bbb", "bb"]), n=3, pick=lambda xs: max(xs, key=len))
    result = run.run_sync("x")
    assert result.output == "bbb"
    span = result.trace.find("vote")[0]
    assert span.attributes["winner_index"] == 1
    assert span.attributes["rule"] == "function"


def test_a_judge_agent_picks_by_candidate_number():
    judge = al.Agent(name="Judge", model=al.ScriptedModel([{"choice": 2, "reason": "shown work"}]))
    vote = al.Parallel.vote(solver(["18", "24 - 12 + 6 = 18", "30"]), n=3, pick=judge)
    run = vote.run_sync(PROBLEM)
    assert run.output == "24 - 12 + 6 = 18"
    span = run.trace.find("vote")[0]
    assert span.attributes["rule"] == "Judge" and span.attributes["winner_index"] == 1
    assert span.attributes["winner"] == "24 12 6 18"
    assert span.output == "24 - 12 + 6 = 18"
    (judge_span,) = run.trace.children(span.id)
    prompt = run.trace.messages_of(judge_span)[-1].content
    assert PROBLEM in prompt and "[2] 24 - 12 + 6 = 18" in prompt
    assert judge.output_type is None  # the user's judge was not changed
    assert run.usage.requests == 4


def test_a_judge_picking_a_missing_candidate_fails_the_vote():
    judge = al.Agent(name="Judge", model=al.ScriptedModel([{"choice": 7}]))
    run = al.Parallel.vote(solver(["1", "2"]), n=2, pick=judge).run_sync("x")
    assert run.status == "failed"
    assert isinstance(run.error, al.DecisionError)
    assert "candidate 7" in str(run.error) and "1 to 2" in str(run.error)
    assert run.trace.find("vote")[0].status == "error"


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_n_below_one_is_a_config_error(n):
    with pytest.raises(al.ConfigError, match="n >= 1"):
        al.Parallel.vote(solver(["1"]), n=n)


def test_unknown_pick_rule_is_a_config_error():
    with pytest.raises(al.ConfigError, match="'majority', 'first'"):
        al.Parallel.vote(solver(["1"]), n=3, pick="best")
