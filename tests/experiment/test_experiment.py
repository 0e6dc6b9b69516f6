"""Experiments: every design on every example, completion/cost/time, failures isolated."""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import threading
import time

import pytest

import agentlab as al
from agentlab.core.outcome import Outcome
from agentlab.core.runnable import Runnable
from agentlab.experiment.result import SUMMARY_COLUMNS, TASK_COLUMNS
from agentlab.experiment.statistics import wilson_interval

DATA = [
    {"id": "a", "input": "2+2", "expected": "4"},
    {"id": "b", "input": "3+3", "expected": "6"},
    {"id": "c", "input": "5+5", "expected": "10"},
    {"id": "d", "input": "1+1", "expected": "2"},
]
ANSWERS = {"2+2": "4", "3+3": "6", "5+5": "10", "1+1": "2"}


def solver(name: str, wrong: set[str] = frozenset(), **model_options) -> al.Agent:
    """An agent that answers each sum, except the inputs in ``wrong``."""

    def answer(messages, tools):
        question = messages[-1].content
        return "no idea" if question in wrong else ANSWERS[question]

    return al.Agent(name=name, model=al.FunctionModel(answer, **model_options))


def exact(output, example):
    return output == example["expected"]


async def test_every_design_runs_every_example_and_summary_has_the_issue_columns():
    exp = al.Experiment(
        {"good": solver("Good"), "bad": solver("Bad", wrong={"3+3", "5+5"})},
        DATA, check=exact, repeats=2,
    )  # fmt: skip
    result = await exp.run(progress=False)
    rows = result.to_pandas()
    assert list(rows.columns) == list(TASK_COLUMNS)
    assert len(rows) == 2 * 4 * 2
    assert sorted(set(zip(rows.design, rows.example_id, rows.repeat, strict=True))) == sorted(
        (d, e["id"], r) for d in ("good", "bad") for e in DATA for r in (0, 1)
    )
    assert rows.status.eq("completed").all()
    assert rows.trace_id.nunique() == 16  # each task its own trace
    summary = result.summary()
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    by_design = summary.set_index("design")
    assert by_design.loc["good", "tasks"] == 8
    assert by_design.loc["good", "completion_rate"] == 1.0
    assert by_design.loc["bad", "completion_rate"] == 0.5
    low, high = wilson_interval(4, 8)
    assert by_design.loc["bad", "completion_ci_low"] == pytest.approx(low)
    assert by_design.loc["bad", "completion_ci_high"] == pytest.approx(high)
    assert by_design.loc["good", "time_s_mean"] > 0
    assert len(result.traces) == 16
    assert rows.loc[rows.design == "bad", "output"].tolist().count("no idea") == 4


async def test_float_check_passes_at_threshold_and_unpriced_cost_is_nan():
    scores = {"a": 0.9, "b": 0.5, "c": 1.0, "d": 0.2}
    exp = al.Experiment(
        solver("Solo"), DATA, check=lambda out, ex: scores[ex["id"]], pass_threshold=0.8
    )
    result = await exp.run(progress=False)
    rows = result.to_pandas().set_index("example_id")
    assert rows.score.to_dict() == scores
    assert rows.passed.to_dict() == {"a": True, "b": False, "c": True, "d": False}
    summary = result.summary()
    assert summary.design.tolist() == ["Solo"]  # one runnable is named by its name
    assert math.isnan(summary.cost_per_task[0])  # FunctionModel without priced_as
    assert rows.cost_usd.isna().all()


async def test_priced_runs_report_cost_per_task():
    exp = al.Experiment(solver("S", priced_as="openai:gpt-4o-mini"), DATA, check=exact)
    result = await exp.run(progress=False)
    rows = result.to_pandas()
    assert (rows.cost_usd > 0).all()
    summary = result.summary()
    assert summary.cost_per_task[0] == pytest.approx(rows.cost_usd.mean())
    assert result.cost == pytest.approx(rows.cost_usd.sum())
    assert (rows.tokens > 0).all()


async def test_dataset_can_be_a_dataframe_a_jsonl_file_or_texts(tmp_path):
    import pandas as pd

    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in DATA) + "\n\n")
    for dataset in (pd.DataFrame(DATA), path, str(path)):
        result = await al.Experiment(solver("S"), dataset, check=exact).run(progress=False)
        assert result.summary().completion_rate[0] == 1.0
    texts = await al.Experiment(solver("S"), ["2+2", "1+1"]).run(progress=False)
    assert texts.to_pandas().example_id.tolist() == [0, 1]
    assert texts.summary().completion_rate[0] == 1.0  # no check: completed runs pass


def test_bad_configuration_says_what_to_write(tmp_path):
    with pytest.raises(al.ConfigError, match="'input'"):
        al.Experiment(solver("S"), [{"question": "2+2"}])
    with pytest.raises(al.ConfigError, match="empty"):
        al.Experiment(solver("S"), [])
    with pytest.raises(al.ConfigError, match="does not exist"):
        al.Experiment(solver("S"), tmp_path / "missing.jsonl")
    with pytest.raises(al.ConfigError, match="runnable"):
        al.Experiment({"x": "not an agent"}, DATA)
    with pytest.raises(al.ConfigError, match="two designs are named"):
        al.Experiment([solver("S"), solver("S")], DATA)
    with pytest.raises(al.ConfigError, match="max_cost_usd"):
        al.Experiment(solver("S"), DATA, max_cost_usd=-1)
    with pytest.raises(al.ConfigError, match="repeats"):
        al.Experiment(solver("S"), DATA, repeats=0)


async def test_tasks_run_concurrently_within_the_limit():
    in_flight = 0
    peak = 0

    async def slow(messages, tools):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.2)
        in_flight -= 1
        return "done"

    agent = al.Agent(name="Slow", model=al.FunctionModel(slow))
    exp = al.Experiment(agent, [f"q{i}" for i in range(16)])
    started = time.perf_counter()
    result = await exp.run(concurrency=8, progress=False)
    elapsed = time.perf_counter() - started
    assert peak == 8
    assert elapsed < 16 * 0.2 / 2  # sequential would take 3.2 s; two waves take ~0.4 s
    assert result.summary().completion_rate[0] == 1.0


async def test_money_budget_stops_launching_new_tasks():
    exp = al.Experiment(
        solver("S", priced_as="openai:gpt-4o-mini"), DATA * 5, check=exact,
        max_cost_usd=1e-9,
    )  # fmt: skip
    result = await exp.run(concurrency=1, progress=False)
    rows = result.to_pandas()
    # the first task's money is capped at the whole budget: its one call crosses it
    assert rows.status.tolist() == ["stopped"] + ["skipped"] * 19
    assert rows.stop_reason.tolist() == ["max_cost_usd"] * 20
    assert result.stopped_early == "max_cost_usd"
    assert result.skipped == 19
    assert "19 tasks were not started and 1 were cut short" in result.notes[0]
    assert result.tasks[0].cut_by_budget  # the experiment's money ran out, not the task's
    summary = result.summary()  # none of them had its chance: none is counted
    assert (summary.tasks[0], summary.attrs["not_counted"]) == (0, {"S": 20})


async def test_a_crashing_task_or_check_fails_alone():
    def flaky(messages, tools):
        if messages[-1].content == "3+3":
            raise RuntimeError("provider exploded")
        return ANSWERS[messages[-1].content]

    def check(output, example):
        if example["id"] == "d":
            raise ValueError("bad check")
        return output == example["expected"]

    class Broken(Runnable):
        name = "broken"

        async def run(self, input, *, limits=None):  # a runnable that breaks its contract
            raise OSError("disk on fire")

    exp = al.Experiment(
        {"flaky": al.Agent(name="F", model=al.FunctionModel(flaky)), "broken": Broken()},
        DATA, check=check,
    )  # fmt: skip
    rows = (await exp.run(progress=False)).to_pandas().set_index(["design", "example_id"])
    assert rows.loc[("flaky", "a"), "status"] == "completed"
    assert rows.loc[("flaky", "a"), "passed"]
    assert rows.loc[("flaky", "b"), "status"] == "failed"
    assert "provider exploded" in rows.loc[("flaky", "b"), "error"]
    assert not rows.loc[("flaky", "b"), "passed"]
    assert rows.loc[("flaky", "c"), "passed"]
    assert rows.loc[("flaky", "d"), "status"] == "failed"
    assert rows.loc[("flaky", "d"), "error"] == "check raised ValueError: bad check"
    assert (rows.loc["broken", "status"] == "failed").all()
    assert rows.loc["broken", "error"].str.contains("disk on fire").all()


async def test_a_stopped_run_does_not_pass_even_if_its_output_would():
    model = al.ScriptedModel([al.ToolCall("nothing", {})] * 4)
    agent = al.Agent(name="Loop", model=model)
    exp = al.Experiment(agent, ["x", "y"], check=lambda out, ex: True)
    result = await exp.run(progress=False, limits=al.Limits(max_turns=2))
    rows = result.to_pandas()
    assert rows.status.tolist() == ["stopped", "stopped"]
    assert rows.stop_reason.tolist() == ["max_turns", "max_turns"]
    assert not rows.passed.any()
    assert rows.counted.all()  # stopped by its own limits: counted, as not passed
    assert result.summary().completion_rate[0] == 0.0


async def test_cancelling_keeps_finished_results():
    two_running = asyncio.Event()
    calls = 0

    async def answer(messages, tools):
        nonlocal calls
        calls += 1
        if calls == 4:
            two_running.set()  # q0, q1 finished; q2, q3 are running
        if messages[-1].content in ("q0", "q1"):
            return "ok"
        await asyncio.Event().wait()  # hangs until cancelled
        return "never"

    exp = al.Experiment(al.Agent(name="A", model=al.FunctionModel(answer)),
                        [f"q{i}" for i in range(10)])  # fmt: skip
    task = asyncio.ensure_future(exp.run(concurrency=2, progress=False))
    await asyncio.wait_for(two_running.wait(), 5)
    task.cancel()
    result = await task
    rows = result.to_pandas()
    assert result.stopped_early == "interrupted"
    assert rows.status.tolist() == ["completed"] * 2 + ["stopped"] * 2 + ["skipped"] * 6
    assert rows.stop_reason.tolist()[2:] == ["interrupted"] * 8
    assert rows.output.tolist()[:2] == ["ok", "ok"]
    summary = result.summary()  # the 2 interrupted mid-run are not failures
    assert summary[["tasks", "completion_rate"]].values.tolist() == [[2, 1.0]]
    assert list(summary.attrs["not_counted"].values()) == [8]
    assert len(result.traces) == 4


async def test_an_interrupt_inside_one_run_stops_the_whole_experiment():
    def answer(messages, tools):
        if messages[-1].content == "q3":
            raise KeyboardInterrupt  # Ctrl-C landing while this run's model call runs
        return "ok"

    exp = al.Experiment(al.Agent(name="A", model=al.FunctionModel(answer)),
                        [f"q{i}" for i in range(20)])  # fmt: skip
    result = await exp.run(concurrency=1, progress=False)
    statuses = result.to_pandas().status.tolist()
    assert statuses[:3] == ["completed"] * 3
    assert statuses[3] == "stopped"
    assert statuses[4:] == ["skipped"] * 16
    assert result.stopped_early == "interrupted"


def test_ctrl_c_during_run_sync_returns_the_finished_results():
    async def answer(messages, tools):
        if messages[-1].content not in ("q0", "q1"):
            await asyncio.sleep(0.25)
        return "ok"

    exp = al.Experiment(al.Agent(name="A", model=al.FunctionModel(answer)),
                        [f"q{i}" for i in range(40)])  # fmt: skip
    ctrl_c = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))  # a real Ctrl-C
    ctrl_c.start()
    started = time.perf_counter()
    try:
        result = exp.run_sync(concurrency=2, progress=False)
    finally:
        ctrl_c.cancel()  # never let a late signal hit pytest itself
    assert time.perf_counter() - started < 3  # 40 tasks would take 5 s
    statuses = result.to_pandas().status.tolist()
    assert result.stopped_early == "interrupted"
    assert statuses[:2] == ["completed", "completed"]
    assert statuses.count("skipped") >= 25
    assert set(statuses) <= {"completed", "stopped", "skipped"}
    summary = result.summary()
    assert summary.tasks[0] == statuses.count("completed")  # the interrupted are left out
    left_out = list(summary.attrs["not_counted"].values())
    assert summary.completion_rate[0] == 1.0 and left_out == [40 - summary.tasks[0]]


def test_run_sync_shows_a_progress_bar(capsys):
    result = al.Experiment(solver("S"), DATA, check=exact).run_sync(concurrency=2)
    assert result.summary().completion_rate[0] == 1.0
    assert "4/4" in capsys.readouterr().err


async def test_compare_is_a_paired_test_on_discordant_pairs():
    data = [{"input": f"q{i}", "id": i} for i in range(20)]
    a_fails = {"q0", "q1"}
    b_fails = {"q0", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"}

    def design(name: str, fails: set[str]) -> al.Agent:
        return al.Agent(name=name, model=al.FunctionModel(
            lambda m, t: "wrong" if m[-1].content in fails else "right"))  # fmt: skip

    exp = al.Experiment({"a": design("A", a_fails), "b": design("B", b_fails)}, data,
                        check=lambda out, ex: out == "right")  # fmt: skip
    result = await exp.run(progress=False)
    comparison = result.compare("a", "b")
    assert comparison.pairs == 20
    assert (comparison.a_rate, comparison.b_rate) == (0.9, 0.55)
    assert comparison.difference == pytest.approx(0.35)
    assert (comparison.only_a, comparison.only_b) == (8, 1)
    assert comparison.p_value == pytest.approx(0.0390625)
    assert comparison.ci_low < 0.35 < comparison.ci_high
    text = str(comparison)
    assert "a vs b on 20 paired tasks" in text and "p = 0.0391" in text
    assert "+35.0%" in repr(comparison)
    assert result.compare("b", "a").difference == pytest.approx(-0.35)
    with pytest.raises(KeyError, match="no design named 'c'"):
        result.compare("a", "c")


async def test_hops_and_iterations_are_counted_from_the_trace():
    class Relay(Runnable):
        name = "relay"

        async def _execute(self, input, ctx, parent_id):
            for hop in range(2):
                with ctx.span("handoff", f"hop{hop}", parent_id) as span:
                    span.attributes = {"hop": hop + 1}
            for i in range(3):
                with ctx.span("iteration", f"iteration {i}", parent_id):
                    pass
            return Outcome(output="done")

    result = await al.Experiment({"relay": Relay(), "plain": solver("P")}, DATA).run(progress=False)
    rows = result.to_pandas().set_index("design")
    assert rows.loc["relay", "hops"].tolist() == [2] * 4
    assert rows.loc["relay", "iterations"].tolist() == [3] * 4
    summary = result.summary().set_index("design")
    assert summary.loc["relay", "handoff_rate"] == 1.0
    assert summary.loc["relay", "iterations_mean"] == 3.0
    assert summary.loc["plain", "handoff_rate"] == 0.0


async def test_save_and_load_keep_rows_and_traces(tmp_path):
    result = await al.Experiment(
        {"good": solver("G"), "bad": solver("B", wrong={"1+1"})}, DATA, check=exact
    ).run(progress=False)
    result.save(tmp_path / "exp")
    assert len(list((tmp_path / "exp" / "traces").glob("*.jsonl"))) == 8
    loaded = al.ExperimentResult.load(tmp_path / "exp")
    assert loaded.to_pandas().equals(result.to_pandas())
    assert loaded.summary().equals(result.summary())
    assert [t.id for t in loaded.traces] == [t.id for t in result.traces]
    assert loaded.traces[0].root.kind == "run"


def test_estimate_runs_a_pilot_and_scales_it(capsys):
    exp = al.Experiment(
        {"one": solver("One", priced_as="openai:gpt-4o-mini")}, DATA * 5, check=exact, repeats=2
    )
    estimate = exp.estimate(pilot=2)
    printed = capsys.readouterr().out
    assert "Expected for the full run (from a pilot of 2 tasks)" in printed
    (row,) = estimate.rows
    assert row["tasks"] == 40 and row["sample"] == 2
    assert row["calls_per_task"] == 1.0
    assert estimate.calls == 40
    pilot_traces = estimate.pilot.traces
    per_task = sum(t.cost for t in pilot_traces) / 2
    assert estimate.cost_usd == pytest.approx(per_task * 40)
    assert estimate.tokens == math.ceil(
        sum(t.usage.input_tokens + t.usage.output_tokens for t in pilot_traces) / 2 * 40
    )
    assert "40 model calls" in repr(estimate)


def test_estimate_reads_recorded_traces_without_calling_models():
    model = al.ScriptedModel([al.ToolCall("nothing", {}), "done"])
    run = al.Agent(name="A", model=model).run_sync("hi")
    exp = al.Experiment(al.Agent(name="A", model=al.ScriptedModel([])), DATA)
    estimate = exp.estimate(traces=[run])  # a list works for a one-design experiment
    assert estimate.calls == 2 * 4
    assert "(from 1 recorded run):" in str(estimate)
    assert estimate.cost_usd is None  # unpriced, never a made-up 0
    assert "unpriced" in str(estimate)
    with pytest.raises(al.ConfigError, match="no traces for design"):
        exp.estimate(traces={"other": [run]})
