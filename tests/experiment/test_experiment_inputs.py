"""Experiment inputs and outputs as the issue words them: dataset forms and their errors,
what a check may return, per-task limits, the progress bar, the exact columns, p95s,
and the completion-vs-cost chart drawn from a real result."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import agentlab as al
from agentlab.core.runnable import Runnable
from agentlab.experiment.result import ExperimentResult, TaskResult

DATA = [{"id": "a", "input": "2+2", "expected": "4"}, {"id": "b", "input": "3+3", "expected": "6"}]
ANSWERS = {"2+2": "4", "3+3": "6"}


def solver(name: str, wrong: frozenset[str] = frozenset(), **options) -> al.Agent:
    def answer(messages, tools):
        question = messages[-1].content
        return "no idea" if question in wrong else ANSWERS[question]

    return al.Agent(name=name, model=al.FunctionModel(answer, **options))


def test_bad_rows_and_files_say_where_and_what_to_write(tmp_path):
    import pandas as pd

    with pytest.raises(al.ConfigError, match=r"example 1 has no 'input'.*\{'input': "):
        al.Experiment(solver("S"), [{"input": "2+2"}, {"question": "3+3"}])
    with pytest.raises(al.ConfigError, match="example 0 has no 'input'"):
        al.Experiment(solver("S"), [42])
    with pytest.raises(al.ConfigError, match="example 0 has no 'input'"):
        al.Experiment(solver("S"), pd.DataFrame({"question": ["2+2"]}))
    with pytest.raises(al.ConfigError, match="list of dicts with an 'input'"):
        al.Experiment(solver("S"), {"input": "2+2"})  # one dict, not a list of them
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text(json.dumps(DATA[0]) + "\n{not json\n")
    with pytest.raises(al.ConfigError, match=r"bad.jsonl:2: not valid JSON"):
        al.Experiment(solver("S"), bad_json)
    no_input = tmp_path / "no_input.jsonl"
    no_input.write_text(json.dumps({"question": "2+2"}) + "\n")
    with pytest.raises(al.ConfigError, match="example 0 has no 'input'"):
        al.Experiment(solver("S"), no_input)


async def test_check_may_be_async_or_return_numpy_values_and_a_bad_return_fails_the_task():
    async def async_check(output, example):
        return output == example["expected"]

    for check in (
        async_check,
        lambda out, ex: np.bool_(out == ex["expected"]),  # e.g. from a pandas comparison
        lambda out, ex: np.float32(out == ex["expected"]),
    ):
        exp = al.Experiment(solver("S", wrong=frozenset({"3+3"})), DATA, check=check)
        rows = (await exp.run(progress=False)).to_pandas()
        assert rows.passed.tolist() == [True, False]
        assert rows.score.tolist() == [1.0, 0.0]
    rows = (
        await al.Experiment(solver("S"), DATA, check=lambda out, ex: "yes").run(progress=False)
    ).to_pandas()
    assert rows.status.eq("failed").all() and not rows.passed.any()
    assert (
        rows.error[0]
        == "check raised TypeError: check must return a bool or a number, got str: 'yes'"
    )


async def test_limits_given_to_the_experiment_apply_to_each_task():
    looping = al.FunctionModel(lambda messages, tools: al.ToolCall("nothing", {}))
    exp = al.Experiment(
        al.Agent(name="L", model=looping), ["x", "y"], limits=al.Limits(max_turns=1)
    )
    result = await exp.run(progress=False)
    assert result.to_pandas().stop_reason.tolist() == ["max_turns", "max_turns"]
    assert [t.trace.usage.requests for t in result.tasks] == [1, 1]
    result = await exp.run(progress=False, limits=al.Limits(max_turns=3))  # run's limits win
    assert result.to_pandas().stop_reason.tolist() == ["max_turns", "max_turns"]
    assert [t.trace.usage.requests for t in result.tasks] == [3, 3]


async def test_an_unpriced_model_makes_the_budget_unenforceable_and_says_so():
    exp = al.Experiment(solver("S"), DATA * 3, max_cost_usd=0.01)
    result = await exp.run(concurrency=1, progress=False)
    assert result.skipped == 0  # nothing priced, so nothing counted against the budget
    assert any("not enforceable" in note and "priced_as=" in note for note in result.notes)


async def test_the_progress_bar_is_tqdm_auto_so_notebooks_get_a_widget(monkeypatch):
    import tqdm.auto

    made = []

    class Recorder:
        def __init__(self, **options):
            made.append(options)
            self.updates = 0

        def update(self, n):
            self.updates += n

        def set_postfix(self, **values):
            made[-1]["postfix"] = values

        def close(self):
            made[-1]["closed_after"] = self.updates

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    await al.Experiment(solver("S", priced_as="openai:gpt-4o-mini"), DATA).run(progress=True)
    (options,) = made
    assert options["total"] == 2 and options["disable"] is False
    assert options["closed_after"] == 2
    assert options["postfix"]["spent"].startswith("$")


async def test_rows_and_summary_have_the_columns_the_issue_lists():
    result = await al.Experiment(solver("S"), DATA).run(progress=False)
    assert list(result.to_pandas().columns) == [
        "design", "example_id", "repeat", "input", "output", "score", "passed", "counted",
        "status", "stop_reason", "error", "cost_usd", "tokens", "duration_s", "hops", "iterations",
        "trace_id",
    ]  # fmt: skip
    assert list(result.summary().columns) == [
        "design", "tasks", "completion_rate", "completion_ci_low",
        "completion_ci_high", "cost_per_task", "cost_per_task_p95", "time_s_mean", "time_s_p95",
        "handoff_rate", "iterations_mean",
    ]  # fmt: skip


def test_summary_p95s_match_numpy_and_skipped_tasks_are_not_counted():
    costs, times = [0.01, 0.02, 0.03, 0.04, 0.10], [1.0, 2.0, 3.0, 4.0, 5.0]
    tasks = [
        TaskResult(
            "a",
            i,
            i,
            0,
            "q",
            status="completed" if i < 4 else "failed",
            passed=i < 3,
            cost_usd=costs[i],
            duration_s=times[i],
        )
        for i in range(5)
    ]
    tasks.append(TaskResult("a", 5, 5, 0, "q", stop_reason="max_cost_usd"))  # skipped
    tasks.append(TaskResult("b", 0, 0, 0, "q", status="completed", passed=True, duration_s=1.0))
    summary = ExperimentResult(tasks, designs=["a", "b"]).summary().set_index("design")
    a = summary.loc["a"]
    assert a.tasks == 5 and a.completion_rate == pytest.approx(0.6)
    assert a.cost_per_task == pytest.approx(np.mean(costs))
    assert a.cost_per_task_p95 == pytest.approx(np.percentile(costs, 95))
    assert a.time_s_mean == pytest.approx(3.0)
    assert a.time_s_p95 == pytest.approx(np.percentile(times, 95))
    assert math.isnan(summary.loc["b", "cost_per_task"])  # unpriced: NaN, never a made-up 0
    assert math.isnan(summary.loc["b", "cost_per_task_p95"])


async def test_completion_vs_cost_charts_a_real_result():
    designs = {
        "good": solver("G", priced_as="openai:gpt-4o-mini"),
        "half": solver("H", wrong=frozenset({"3+3"}), priced_as="openai:gpt-4o-mini"),
    }
    check = lambda out, ex: out == ex["expected"]  # noqa: E731
    result = await al.Experiment(designs, DATA, check=check).run(progress=False)
    chart = al.charts.completion_vs_cost(result)
    (data,) = chart.to_dict()["datasets"].values()
    summary = result.summary()
    assert [(row["design"], row["completion_rate"]) for row in data] == [
        ("good", 1.0),
        ("half", 0.5),
    ]
    assert [row["cost_per_task"] for row in data] == pytest.approx(summary.cost_per_task.tolist())
    assert data[1]["completion_ci_low"] == pytest.approx(summary.completion_ci_low[1])


async def test_a_runaway_task_cannot_spend_past_the_experiment_budget():
    looping = al.FunctionModel(
        lambda messages, tools: al.ToolCall("nothing", {}), priced_as="openai:gpt-4o-mini"
    )
    agent = al.Agent(name="Loop", model=looping)  # its own limits: $1.00, 10 turns
    one_call = agent.run_sync("x", limits=al.Limits(max_turns=1)).cost
    budget = 2.5 * one_call
    result = await al.Experiment(agent, ["x", "y", "z"], max_cost_usd=budget).run(
        concurrency=1, progress=False
    )
    first = result.tasks[0]
    assert (first.status, first.stop_reason) == ("stopped", "max_cost_usd")
    assert first.trace.usage.requests < 10  # stopped by the experiment's money, not max_turns
    last_call = [s for s in first.trace.spans if s.kind == "model"][-1]
    assert result.cost - last_call.cost_usd <= budget  # over by at most the call that crossed
    assert result.skipped == 2 and result.stopped_early == "max_cost_usd"
    assert first.cut_by_budget and not first.counted  # it never had its chance
    assert first.error.startswith("cut by the experiment's max_cost_usd (not counted): ")
    assert list(result.summary().attrs["not_counted"].values()) == [3]


async def test_keys_in_error_messages_are_redacted_in_rows_and_saved_files(tmp_path, monkeypatch):
    key = "sk-test-experiment-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)

    class Leaky(Runnable):
        name = "leaky"

        async def run(self, input, *, limits=None):  # breaks the contract, with the key in it
            raise PermissionError(f"rejected key {key}")

    def check(output, example):
        raise ValueError(f"grader used {key}")

    echo = al.Agent(name="Echo", model=al.FunctionModel(lambda m, t: f"the key is {key}"))
    exp = al.Experiment({"leaky": Leaky(), "echo": echo}, DATA, check=check)
    result = await exp.run(progress=False)
    errors = result.to_pandas().error.tolist()
    assert all(key not in e and "[REDACTED:OPENAI_API_KEY]" in e for e in errors)
    result.save(tmp_path / "exp")
    echo_task = next(t for t in result.tasks if t.design == "echo")
    assert key in echo_task.output  # the model's own words, kept in memory
    assert key not in result.to_pandas().output.iloc[1]  # but what is shown hides it
    saved = (tmp_path / "exp" / "tasks.jsonl").read_text()
    assert key not in saved and "the key is [REDACTED:OPENAI_API_KEY]" in saved


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"pass_threshold": "high"}, r"threshold=.high. must be a number.*pass_threshold=0\.8"),
        ({"pass_threshold": None}, r"pass_threshold=None must be a number"),
        ({"pass_threshold": True}, r"pass_threshold=True must be a number"),
        ({"pass_threshold": math.nan}, r"pass_threshold=nan must be a number"),
        ({"repeats": True}, r"repeats=True must be a whole number >= 1, e\.g\. repeats=3"),
        ({"repeats": 1.5}, r"repeats=1\.5 must be a whole number"),
        ({"max_cost_usd": True}, r"max_cost_usd=True must be a positive.*max_cost_usd=2\.00"),
        ({"max_cost_usd": math.nan}, r"max_cost_usd=nan must be a positive"),
        ({"max_cost_usd": math.inf}, r"or None for no experiment budget"),
        ({"limits": {"max_turns": 3}}, r"limits must be al\.Limits.*al\.Limits\(max_turns=5"),
        ({"check": "exact"}, r"check must be a function.*check=lambda output, example"),
        ({"designs": "agent"}, r"got str; e\.g\. \{'single': agent"),
        ({"dataset": {"input": "2+2"}}, r"got dict; e\.g\. \[\{'input': "),
    ],
)
def test_every_bad_argument_is_a_config_error_saying_what_to_write(options, says):
    arguments = {"designs": solver("S"), "dataset": DATA, **options}
    with pytest.raises(al.ConfigError, match=says):
        al.Experiment(**arguments)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"concurrency": True}, r"concurrency=True must be a whole number >= 1, e\.g\. conc"),
        ({"concurrency": 0}, r"concurrency=0 must be a whole number"),
        ({"limits": 3}, r"limits must be al\.Limits\(\.\.\.\), got 3; e\.g\."),
        ({"max_cost_usd": "1"}, r"max_cost_usd='1' must be a positive number"),
    ],
)
def test_bad_run_arguments_are_config_errors_too(options, says):
    with pytest.raises(al.ConfigError, match=says):
        al.Experiment(solver("S"), DATA).run_sync(progress=False, **options)
    with pytest.raises(al.ConfigError, match=r"pilot=0 must be a whole number >= 1, e\.g\. pilot"):
        al.Experiment(solver("S"), DATA).estimate(pilot=0)
