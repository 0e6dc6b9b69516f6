"""ExperimentResult.findings() and al.charts.findings: failure modes per design."""

from __future__ import annotations

import pandas as pd
import pytest

import agentlab as al
from agentlab.experiment.findings import FINDINGS_COLUMNS

DATA = [{"id": i, "input": f"question {i}", "expected": "ok"} for i in range(3)]


def ping() -> str:
    """Ping."""
    return "pong"


def looping() -> al.Agent:
    def respond(messages, tools):
        calls = sum(1 for m in messages if m.role == "tool")
        return (
            al.ModelResponse("ok")
            if calls >= 3
            else al.ModelResponse("", tool_calls=[al.ToolCall("ping", {})])
        )

    return al.Agent(name="Looper", model=al.FunctionModel(respond), tools=[ping])


def chain() -> al.Chain:
    steps = [al.Agent(name=n, model=al.FunctionModel(lambda m, t: "ok")) for n in "ABC"]
    return al.Chain(steps, name="Doc")


def clean() -> al.Agent:
    return al.Agent(name="Single", model=al.FunctionModel(lambda m, t: "ok"))


@pytest.fixture(scope="module")
def result():
    designs = {"single": clean(), "looping": looping(), "chain": chain()}
    experiment = al.Experiment(designs, DATA, check=lambda out, ex: out == ex["expected"])
    return experiment.run_sync(progress=False)


def test_findings_counts_per_design_and_kind(result):
    frame = result.findings()
    assert list(frame.columns) == list(FINDINGS_COLUMNS)
    rows = {(r.design, r.kind): r for r in frame.itertuples()}
    assert set(rows) == {("looping", "repeated_call"), ("chain", "unchecked_chain")}
    looped = rows[("looping", "repeated_call")]
    assert (looped.findings, looped.tasks, looped.runs, looped.share) == (3, 3, 3, 1.0)
    assert looped.severity == "warning" and rows[("chain", "unchecked_chain")].severity == "info"
    assert frame.attrs["runs"] == {"single": 3, "looping": 3, "chain": 3}
    assert list(frame.design) == ["looping", "chain"]  # designs in the experiment's order


def test_findings_survive_save_and_load(result, tmp_path):
    loaded = al.ExperimentResult.load(result.save(tmp_path / "exp"))
    pd.testing.assert_frame_equal(loaded.findings(), result.findings())


def test_findings_chart_shows_share_per_design_and_kind(result):
    spec = al.charts.findings(result).to_dict()
    assert spec["encoding"]["x"]["field"] == "share"
    assert spec["encoding"]["row"]["field"] == "design"
    values = next(iter(spec["datasets"].values()))
    assert {(v["design"], v["kind"]) for v in values} == {
        ("looping", "repeated_call"),
        ("chain", "unchecked_chain"),
    }
    assert al.charts.findings(result.findings()).to_dict()["encoding"]["y"]["field"] == "kind"


def test_findings_chart_of_clean_runs_says_so_and_wrong_input_is_refused():
    only_clean = al.Experiment({"single": clean()}, DATA).run_sync(progress=False)
    assert only_clean.findings().empty
    spec = al.charts.findings(only_clean).to_dict()
    assert "found nothing" in str(spec)
    with pytest.raises(al.ConfigError, match=r"result\.findings"):
        al.charts.findings(pd.DataFrame({"x": [1]}))
