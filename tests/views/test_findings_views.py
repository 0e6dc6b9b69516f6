"""Findings in the views: the viewer's index, the static snapshot and print(run)."""

from __future__ import annotations

import agentlab as al
from agentlab.views.data import build_index
from agentlab.views.snapshot import snapshot_html
from agentlab.views.widgets import RunViewer


def ping(host: str) -> str:
    """Ping."""
    return "pong"


def looping_run(secret: str = "x") -> al.Run:
    calls = [al.ToolCall("ping", {"host": secret})] * 3
    agent = al.Agent(name="Pinger", model=al.ScriptedModel([*calls, "done"]), tools=[ping])
    return agent.run_sync("go")


def test_viewer_index_lists_findings_with_rows_and_flags_each_span():
    run = looping_run()
    index = RunViewer(run.trace).index
    (finding,) = index["findings"]
    assert finding["kind"] == "repeated_call" and finding["severity"] == "warning"
    assert [index["id"][r] for r in finding["rows"]] == finding["span_ids"]
    flagged = [r for r, flag in enumerate(index["flags"]) if flag]
    assert sorted(flagged) == sorted(finding["rows"])
    assert index["flags"][finding["rows"][0]] == {"kinds": ["repeated_call"], "severity": "warning"}


def test_clean_run_index_has_no_findings():
    run = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    index = build_index(run.trace)
    assert index["findings"] == [] and index["flags"] == [None, None, None]


def test_snapshot_lists_findings_and_badges_spans():
    html = snapshot_html(looping_run().trace)
    assert "<h4>Findings (1)</h4>" in html
    assert "repeated_call" in html and "Pinger called ping" in html
    assert html.count("⚠ repeated_call") == 4  # the agent and its three calls
    clean = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    assert "Findings" not in snapshot_html(clean.trace)


def test_print_run_shows_badges_and_the_findings(capsys):
    run = looping_run()
    print(run)
    text = capsys.readouterr().out
    assert "findings (1, al.diagnose(run)):" in text
    assert "⚠ repeated_call: Pinger called ping(host='x') 3 times" in text
    tree_lines = [line for line in text.splitlines() if line.rstrip().endswith("⚠ repeated_call")]
    assert len(tree_lines) == 4
    clean = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    assert "findings" not in str(clean)


def test_findings_in_views_are_redacted(monkeypatch):
    secret = "sk-test-abcdefghijklmnopqrstuvwxyz123456"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    run = looping_run(secret)
    assert secret not in str(run)
    assert secret not in snapshot_html(run.trace)
    assert secret not in str(build_index(run.trace)["findings"])
