"""Offline HTML: static snapshots, the standalone viewer page (``python -m agentlab view``)
and notebook reports (``make report`` and plain ``jupyter nbconvert --to html``)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from trace_samples import handoff_trace, write_demo_notebook

import agentlab as al
from agentlab.export.report import export_notebooks
from agentlab.messages import Message, ToolCall
from agentlab.trace import Span, Trace
from agentlab.views.data import MAX_TEXT, scrub, summary
from agentlab.views.page import standalone_html
from agentlab.views.snapshot import compare_html, snapshot_html
from agentlab.views.widgets import RunViewer

URL = re.compile(r"""(?:src|href)=["']?(https?:)?//""")


def test_snapshot_escapes_what_runs_said():
    trace = Trace(
        spans=[Span(0, None, "run", "<b>bold</b>", None, 1.0, 2.0, messages_out=(0,))],
        messages=[Message.user("<script>alert(1)</script>")],
    )
    html = snapshot_html(trace)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script" not in html


def test_snapshot_opens_handoff_contexts_with_what_crossed_and_what_was_removed():
    html = snapshot_html(handoff_trace())
    handoff = html[html.index("Handoffs (1)") :]
    assert handoff.startswith("Handoffs (1)</h4><details open>")
    for text in ("Triage → Billing", "refund the duplicate charge on order 42",
                 "order lookup failed; user is annoyed", "filter: drop_tool_errors",
                 "Messages that crossed (3)", "Handoff from Triage to Billing (hop 1).",
                 "Removed by the filter (2)", "Error: KeyError: &#x27;42&#x27;"):  # fmt: skip
        assert text in handoff, text


def test_standalone_page_embeds_the_viewer_and_stores_each_message_once():
    trace = handoff_trace()
    trace.messages.append(Message.user("</script><script>alert(1)</script>"))
    html = standalone_html(trace)
    assert not URL.search(html)  # nothing to fetch
    assert "export default { render }" in html  # the widget's own ES module
    data = json.loads(re.search(r"id='al-data'>(.*?)</script>", html, re.S).group(1))
    assert len(data["messages"]) == len(trace.messages)
    assert data["details"]["6"]["messages_out"]["items"] == [1, 2, 7]  # indices, not copies
    assert data["details"]["6"]["removed"]["items"] == [3, 4]
    assert data["index"]["kind"][6] == "handoff"
    assert "</script><script>alert" not in html


def test_view_command_writes_an_offline_page(tmp_path):
    handoff_trace().save(tmp_path / "support.jsonl")
    out = subprocess.run(
        [sys.executable, "-m", "agentlab", "view", str(tmp_path / "support.jsonl")],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    page = tmp_path / "support.html"
    assert out.stdout.strip() == f"wrote {page}"
    html = page.read_text()
    assert "<title>support.jsonl · agentlab</title>" in html and "transfer_to_billing" in html
    subprocess.run(
        [sys.executable, "-m", "agentlab", "view", str(tmp_path / "support.jsonl"),
         "-o", str(tmp_path / "x" / "t.html")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert (tmp_path / "x" / "t.html").read_text() == html


def test_view_command_says_what_is_wrong_with_its_input(tmp_path):
    (tmp_path / "notes.jsonl").write_text('{"x": 1}\n')
    (tmp_path / "text.jsonl").write_text("not json\n")
    (tmp_path / "empty.jsonl").write_text("")
    handoff_trace().save(tmp_path / "t.jsonl")
    for args, reason in (
        (["missing.jsonl"], "no trace file at .*missing.jsonl: save one with run.trace.save"),
        (["notes.jsonl"], "notes.jsonl is not a trace saved with trace.save.*unknown line type"),
        (["text.jsonl"], "text.jsonl is not a trace saved with trace.save"),
        (["empty.jsonl"], "empty.jsonl holds no spans"),
        (["t.jsonl", "-o", "t.jsonl"], "the output t.jsonl is the trace itself; give -o page.html"),
    ):
        out = subprocess.run([sys.executable, "-m", "agentlab", "view", *args], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert re.search(f"agentlab view: error: {reason}", out.stderr), out.stderr
    assert not list(tmp_path.glob("*.html"))
    assert Trace.load(tmp_path / "t.jsonl").spans  # not overwritten


def svg_images(html: str) -> list[str]:
    """The SVG charts of an exported notebook (nbconvert embeds them as data: images)."""
    found = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(data).decode() for data in found]


def _check_report(html: str) -> None:
    for text in ("transfer_to_billing", "lookup_order", "✗ error", "Messages that crossed (3)",
                 "refund the duplicate charge on order 42"):  # fmt: skip
        assert text in html, text
    charts = [svg for svg in svg_images(html) if "Cost by agent" in svg]
    assert len(charts) == 1 and "mark-rect" in charts[0]  # drawn in the kernel, no CDN
    assert "good" in html and "same" in html  # the compare view's fallback
    assert "application/vnd.jupyter.widget-state+json" not in html


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    write_demo_notebook(folder)
    [report] = export_notebooks(folder, folder / "reports")
    return report


def test_export_notebooks_executes_and_writes_offline_html(executed):
    assert executed.name == "demo.html"
    _check_report(executed.read_text())


def test_a_failing_notebook_is_named(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(notebook, tmp_path / "broken.ipynb")
    with pytest.raises(RuntimeError, match=r"broken\.ipynb: a cell failed"):
        export_notebooks(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out" / "broken.html").exists()


def test_report_module_cli_says_when_there_is_nothing_to_do(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "agentlab.export.report", str(tmp_path), str(tmp_path / "r")],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert "no notebooks found" in out.stdout


def test_notebook_saved_without_widget_state_converts_with_plain_nbconvert(tmp_path):
    """What a person does: run in JupyterLab (which saves no widget state), then convert."""
    import nbformat
    from nbclient import NotebookClient

    path = write_demo_notebook(tmp_path)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    nbformat.write(notebook, path)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    _check_report((tmp_path / "demo.html").read_text())


def test_show_in_a_notebook_output_has_both_views():
    viewer = al.show(handoff_trace())
    data = viewer._repr_mimebundle_()[0]
    assert set(data) == {"text/plain", "application/vnd.jupyter.widget-view+json", "text/html"}


KEY = "sk-test-LEAKY-0123456789"


def leaky_trace() -> Trace:
    """A run whose tool returned a key: in a message, a tool call, outputs, attributes,
    an error, a handoff's intent and state, the stop detail, and at a clipping edge."""
    long = "x" * (MAX_TEXT - 16) + KEY  # a clip right after the key's first 16 characters
    messages = [
        Message.user(f"my key is {KEY}"),
        Message.assistant("", tool_calls=(ToolCall("show_env", {"token": KEY}, "c1"),)),
        Message("tool", KEY, tool_call_id="c1", name="show_env"),
        Message.assistant(long),
    ]
    attrs = {"from_agent": "A", "to_agent": "B", "hop": 1, "intent": f"use {KEY}",
             "state": f"key={KEY}", "filter": KEY}  # fmt: skip
    stop = {"status": "failed", "stop_reason": "error", "stop_detail": f"boom {KEY}"}
    spans = [
        Span(2, 1, "model", "m", "A", 1.0, 1.1, messages_in=(0,), messages_out=(1,)),
        Span(
            3,
            1,
            "tool",
            "show_env",
            "A",
            1.1,
            1.2,
            output=KEY,
            attributes={"arguments": {"name": KEY}},
            messages_out=(2,),
        ),
        Span(4, 1, "tool", "boom", "A", 1.2, 1.3, "error", f"KeyError: {KEY}"),
        Span(5, 1, "gate", "g", "A", 1.3, 1.4, attributes={"reason": KEY}, output={"k": KEY}),
        Span(6, 1, "model", "m", "A", 1.4, 1.5, messages_out=(3,)),
        Span(
            7,
            1,
            "handoff",
            "transfer",
            "A",
            1.5,
            1.6,
            attributes=attrs,
            messages_in=(0, 1),
            messages_out=(0,),
        ),
        Span(1, 0, "agent", "A", "A", 1.0, 1.7),
        Span(0, None, "run", "leaky", None, 1.0, 1.8, "error", attributes=stop),
    ]
    return Trace(spans=spans, messages=messages)


def test_nothing_shown_holds_a_secret_even_before_the_trace_is_saved(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    trace = leaky_trace()
    viewer = RunViewer(trace)
    shown = {
        "snapshot": snapshot_html(trace),
        "page": standalone_html(trace),
        "index": json.dumps(viewer.index),
        "summary": json.dumps(viewer.summary),
        "details": json.dumps([viewer.detail(s.id) for s in trace.spans]),
        "fallback": viewer._repr_mimebundle_()[0]["text/html"],
    }
    for name, text in shown.items():
        assert "LEAKY" not in text, name  # not the key, nor the part of it before a clip
        assert "[REDACTED:OPENAI_API_KEY]" in text, name
    assert "-&gt; [REDACTED:OPENAI_API_KEY]" in shown["snapshot"]  # the tool's row note


def test_every_field_of_a_crafted_trace_file_is_escaped(tmp_path):
    bad = "<img src=x onerror=alert(1)>"
    spans = [
        Span(2, 1, "model", "m", bad, 1.0, 1.1, "running", messages_out=(0,)),
        Span(1, 0, "handoff", bad, bad, 1.0, 1.2, attributes={"hop": bad, "from_agent": bad}),
        Span(0, None, "run", bad, None, 1.0, 1.3, attributes={"status": bad, "stop_reason": bad}),
    ]
    path = tmp_path / "t.jsonl"
    Trace(spans=spans, messages=[Message("tool", bad, name=bad)]).save(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:  # what a hand-edited file can hold: markup as a span's kind
        if line.get("kind") == "model":
            line["kind"] = bad
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    trace = Trace.load(path)
    html = snapshot_html(trace) + compare_html([summary(trace), summary(trace, bad)])
    assert "<img" not in html and html.count("&lt;img src=x") > 5


def test_scrub_finds_keys_that_json_escapes_and_keys_inside_objects(monkeypatch):
    key = 'sk-"odd\\key-0123456789'  # a quote and a backslash: JSON writes them escaped
    monkeypatch.setenv("OPENAI_API_KEY", key)

    class Holder:
        def __str__(self) -> str:
            return f"holds {key}"

    value = {"a": [f"x{key}y", 3, None], (1, 2): key, "o": Holder()}
    scrubbed = scrub(value)
    assert key not in repr(scrubbed) and "odd" not in repr(scrubbed)
    assert scrubbed["a"] == ["x[REDACTED:OPENAI_API_KEY]y", 3, None]
    assert scrub({"plain": "nothing secret"}) == {"plain": "nothing secret"}


def test_reports_are_titled_by_the_first_heading_and_print_no_kernel_warning(tmp_path):
    import nbformat

    for name, heading in (("a", "# 01 · Prompt `chaining`"), ("b", "Intro text only")):
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_markdown_cell(f"{heading}\n\ntext"),
                          nbformat.v4.new_code_cell("1 + 1")]  # fmt: skip
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    out = subprocess.run(
        [sys.executable, "-m", "agentlab.export.report", str(tmp_path), str(tmp_path / "r")],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert "WARNING" not in out.stderr and "without encryption" not in out.stderr, out.stderr
    assert "<title>01 · Prompt chaining</title>" in (tmp_path / "r" / "a.html").read_text()
    assert "<title>b</title>" in (tmp_path / "r" / "b.html").read_text()  # no heading: file name
    assert "<title>Notebook</title>" not in (tmp_path / "r" / "a.html").read_text()
