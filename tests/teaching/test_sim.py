"""agentlab.teaching.sim: simulated models whose mistakes follow visible, seeded parameters."""

from __future__ import annotations

import json
import re

import pytest

import agentlab as al
from agentlab.teaching import sim

LABELS = ["billing", "technical", "account"]
TICKETS = {f"ticket {i}": LABELS[i % 3] for i in range(300)}


async def answers(model: al.FunctionModel, inputs: list[str]) -> list[str]:
    agent = al.Agent(name="Sim", model=model)
    return [(await agent.run(text)).output for text in inputs]


def test_misroute_probability_follows_the_formula() -> None:
    assert sim.misroute_probability(1, 0.5) == 0
    assert sim.misroute_probability(3, 0.02) == pytest.approx(1 - 0.98**2)
    assert sim.misroute_probability(15, 0.02) > 5 * sim.misroute_probability(3, 0.02)
    assert sim.chain_error_rate(4, 0.05) == pytest.approx(1 - 0.95**4)
    with pytest.raises(al.ConfigError, match="between 0 and 1"):
        sim.misroute_probability(3, 1.5)


async def test_classifier_is_right_without_noise_and_always_wrong_with_certain_noise() -> None:
    inputs = list(TICKETS)[:30]
    right = await answers(sim.misrouting_classifier(TICKETS, LABELS, p_per_extra=0), inputs)
    assert right == [TICKETS[t] for t in inputs]
    wrong = await answers(sim.misrouting_classifier(TICKETS, LABELS, p_per_extra=1), inputs)
    assert all(w != TICKETS[t] and w in LABELS for w, t in zip(wrong, inputs, strict=True))


async def test_classifier_misroutes_at_about_the_assumed_rate_and_is_seeded() -> None:
    inputs = list(TICKETS)
    labels = [f"label {i}" for i in range(15)]
    truth = {t: labels[i % 15] for i, t in enumerate(inputs)}
    first = await answers(
        sim.misrouting_classifier(truth, labels, p_per_extra=0.05, seed=3), inputs
    )
    again = await answers(
        sim.misrouting_classifier(truth, labels, p_per_extra=0.05, seed=3), inputs[::-1]
    )
    assert first == again[::-1]  # same seed, same answers, whatever the order
    share = sum(a != truth[t] for a, t in zip(first, inputs, strict=True)) / len(inputs)
    assert share == pytest.approx(sim.misroute_probability(15, 0.05), abs=0.08)
    other = await answers(
        sim.misrouting_classifier(truth, labels, p_per_extra=0.05, seed=4), inputs
    )
    assert other != first


async def test_classifier_without_an_answer_for_the_input_fails_the_run_clearly() -> None:
    agent = al.Agent(name="Sim", model=sim.misrouting_classifier(TICKETS, LABELS))
    run = await agent.run("a ticket nobody labelled")
    assert run.status == "failed"
    assert "no expected answer for input 'a ticket nobody labelled'" in str(run.error)


async def test_noisy_solver_errs_near_the_answer_and_retries_draw_anew() -> None:
    truth = {f"problem {i}": 100 + i for i in range(40)}
    exact = await answers(sim.noisy_solver(truth, p_correct=1), list(truth))
    assert exact == [str(v) for v in truth.values()]
    off = await answers(sim.noisy_solver(truth, p_correct=0, distractors=2), list(truth))
    assert {int(o) - v for o, v in zip(off, truth.values(), strict=True)} <= {1, -1}

    solver = al.Agent(name="Solver", model=sim.noisy_solver(truth, p_correct=0.5, seed=1))
    retries = [
        (
            await solver.run(
                [
                    al.Message.user("problem 7"),
                    al.Message.assistant("1"),
                    al.Message.user(f"try {k}"),
                ]
            )
        ).output
        for k in range(12)
    ]
    assert "107" in retries and len(set(retries)) > 1  # the task is the first user message


async def test_votes_over_a_noisy_solver_beat_one_attempt() -> None:
    truth = {f"problem {i}": i for i in range(60)}
    model = sim.noisy_solver(truth, p_correct=0.6, distractors=3, seed=0)
    single = await answers(model, list(truth))
    vote = al.Parallel.vote(al.Agent(name="Solver", model=model), n=5)
    voted = [(await vote.run(p)).output for p in truth]
    correct = [
        sum(str(v) == a for v, a in zip(truth.values(), out, strict=True))
        for out in (single, voted)
    ]
    assert correct[1] > correct[0]


async def test_corrupting_step_changes_one_number_by_one_with_probability_q() -> None:
    text = "items 3, 5, 9; total 17"
    same = al.Agent(name="Step", model=sim.corrupting_step(0.0))
    assert (await same.run(text)).output == text
    broken = (await al.Agent(name="Step", model=sim.corrupting_step(1.0)).run(text)).output
    before, after = re.findall(r"\d+", text), re.findall(r"\d+", broken)
    diffs = [int(b) - int(a) for a, b in zip(before, after, strict=True)]
    assert sorted(diffs) == [0, 0, 0, 1]
    upper = al.Agent(name="Step", model=sim.corrupting_step(0.0, transform=str.upper))
    assert (await upper.run(text)).output == text.upper()


async def test_a_chain_of_corrupting_steps_fails_at_about_the_formula_rate() -> None:
    chain = al.Chain(
        [al.Agent(name=f"S{i}", model=sim.corrupting_step(0.1, seed=i)) for i in range(4)]
    )
    inputs = [f"items {i}, {i + 1}; total {2 * i + 1}" for i in range(300)]
    outputs = [(await chain.run(t)).output for t in inputs]
    wrong = sum(o != t for o, t in zip(outputs, inputs, strict=True)) / len(inputs)
    assert wrong == pytest.approx(sim.chain_error_rate(4, 0.1), abs=0.08)


async def test_drifting_planner_drives_an_orchestrator_and_drifts_with_context() -> None:
    tasks = [{"worker": "a", "task": "do A"}, {"worker": "b", "task": "do B"}]
    echo = al.FunctionModel(lambda messages, tools: "ok")
    workers = {"a": al.Agent(name="A", model=echo), "b": al.Agent(name="B", model=echo)}

    async def plan(p: float, text: str) -> list[dict[str, str]]:
        planner = al.Agent(
            name="Planner", model=sim.drifting_planner(tasks, p_drift_per_1k_tokens=p)
        )
        desk = al.Orchestrator(planner, workers, synthesizer=al.Agent(name="E", model=echo))
        run = await desk.run(text)
        assert run.status == "completed"
        return run.trace.find("plan")[0].attributes["tasks"]

    assert await plan(0.0, "x" * 40_000) == tasks
    drifted = await plan(1.0, "x" * 4_000)
    assert drifted[0] == tasks[0] and drifted[-1]["task"] == "an unrequested extra"


async def test_scored_evaluator_plateaus_and_the_loop_stops_at_max_iterations() -> None:
    model = sim.scored_evaluator([0.2, 0.5])
    judge = al.Agent(name="Judge", model=model)
    scores = [json.loads((await judge.run("x")).output)["score"] for _ in range(4)]
    assert scores == [0.2, 0.5, 0.5, 0.5]
    coder = al.Agent(name="Coder", model=al.FunctionModel(lambda messages, tools: "attempt"))
    loop = al.EvaluatorOptimizer(
        coder,
        al.Agent(name="Judge", model=sim.scored_evaluator([0.3])),
        max_iterations=3,
        accept=0.9,
    )
    run = await loop.run("write it")
    assert (run.status, run.stop_reason) == ("stopped", "max_iterations")
    with pytest.raises(al.ConfigError, match="at least one score"):
        sim.scored_evaluator([])
