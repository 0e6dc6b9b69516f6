"""Offline HTML for runs: static snapshots, a standalone viewer page, notebook reports.

- ``snapshot_html(trace)``: the span tree and every handoff's context as plain HTML (no
  script, no network), capped at ``max_spans`` rows. Run viewer widgets carry it as
  their ``text/html`` fallback, so a saved notebook converted with
  ``jupyter nbconvert --to html`` shows the run without a kernel.
- ``standalone_html(trace)``: one self-contained page with the interactive run viewer
  (the widget's own ES module and CSS inlined, every span's details embedded). It is
  what ``python -m agentlab view trace.jsonl -o trace.html`` writes.
- ``export_notebooks("notebooks", "reports")``: execute notebooks and write HTML
  reports (``make report``); widget state is not stored, so every run viewer shows its
  static snapshot offline and charts are inline SVG.

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> "Echo" in snapshot_html(run.trace)
True
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentlab.errors import ConfigError
from agentlab.viewdata import build_index, detail, message_data, summary, tree_order

if TYPE_CHECKING:
    from agentlab.tracing import Trace

_MARKS = {"error": "✗ error", "stopped": "■ stopped", "running": "… running"}
_SNAP_CSS = """
.al-snap{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;
color:var(--jp-ui-font-color0,#1a1a1a);border:1px solid var(--jp-border-color2,#d0d0d0);
border-radius:4px;padding:6px;max-width:100%;overflow:auto}
.al-snap .al-tree-s{font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px;
max-height:480px;overflow:auto;border:1px solid var(--jp-border-color2,#d0d0d0);padding:2px 0}
.al-snap .r{white-space:nowrap;line-height:20px}
.al-snap .k,.al-snap .n2,.al-snap .x{color:var(--jp-ui-font-color2,#666)}
.al-snap .nm{font-weight:600}
.al-snap .x{font-style:italic}
.al-snap .e{color:var(--jp-error-color1,#c62828);font-weight:700}
.al-snap .s{color:var(--jp-warn-color1,#b26a00);font-weight:700}
.al-snap .msg{border-left:3px solid var(--jp-border-color2,#d0d0d0);padding:2px 6px;margin:3px 0}
.al-snap pre{white-space:pre-wrap;word-break:break-word;margin:2px 0;font-size:12px}
.al-snap table{border-collapse:collapse}
.al-snap td,.al-snap th{padding:1px 8px;border-bottom:1px solid var(--jp-border-color2,#d0d0d0);
text-align:right}
.al-snap td:first-child,.al-snap th:first-child{text-align:left}
"""


def _money(cost: float | None) -> str:
    from agentlab.pretty import format_money

    return format_money(cost)


def _time(seconds: float | None) -> str:
    from agentlab.pretty import format_seconds

    return format_seconds(seconds)


def _summary_html(s: dict[str, Any]) -> str:
    status = s["status"] + (f" ({s['stop_reason']})" if s["stop_reason"] else "")
    mark = {"failed": "e", "error": "e", "stopped": "s"}.get(s["status"], "")
    line = (
        f"<strong>{escape(s['title'])}</strong> <span class='{mark}'>{escape(status)}</span>"
        f" · {s['spans']} spans · {s['tokens_in']} in / {s['tokens_out']} out tokens"
        f" · {_money(s['cost'])} · {_time(s['time_s'])}"
    )
    if s["handoffs"]:
        line += f" · {s['handoffs']} handoffs"
    if s["stop_detail"]:
        line += f"<div class='n2'>{escape(str(s['stop_detail']))}</div>"
    return f"<div>{line}</div>"


def _agents_html(s: dict[str, Any], folded: bool = True) -> str:
    if not s["agents"]:
        return ""
    head = "".join(
        f"<th>{t}</th>"
        for t in ("agent", "calls", "tokens in", "tokens out", "money", "model time")
    )
    rows = "".join(
        f"<tr><td>{escape(a['agent'])}</td><td>{a['calls']}</td><td>{a['tokens_in']}</td>"
        f"<td>{a['tokens_out']}</td><td>{_money(a['cost'])}</td><td>{_time(a['time_s'])}</td></tr>"
        for a in s["agents"]
    )
    table = f"<table><tr>{head}</tr>{rows}</table>"
    return f"<details><summary>Per agent</summary>{table}</details>" if folded else table


def _tree_html(trace: Trace, max_spans: int) -> str:
    index = build_index(trace)
    lines = []
    for r in range(min(max_spans, len(index["id"]))):
        status = index["status"][r]
        mark = f" <span class='{status[0]}'>{_MARKS[status]}</span>" if status in _MARKS else ""
        agent = index["agent"][r]
        who = (
            f" <span class='k'>[{escape(agent)}]</span>"
            if agent and agent != index["name"][r]
            else ""
        )
        nums = (
            f"{index['tin'][r]}/{index['tout'][r]} tok {_money(index['cost'][r])} "
            if (index["tin"][r] or index["tout"][r])
            else ""
        )
        ms = index["ms"][r]
        nums += _time(None if ms is None else ms / 1000)
        note = f" <span class='x'>{escape(index['note'][r])}</span>" if index["note"][r] else ""
        lines.append(
            f"<div class='r' style='padding-left:{index['depth'][r] * 14 + 4}px'>"
            f"<span class='k'>{index['kind'][r]}</span> <span class='nm'>"
            f"{escape(index['name'][r])}</span>{who}{mark} <span class='n2'>{nums}</span>"
            f"{note}</div>"
        )
    hidden = len(index["id"]) - len(lines)
    more = (
        f"<div class='n2'>… {hidden} more spans not shown in this snapshot "
        "(open the run with al.show() or trace.to_pandas() to see them all)</div>"
    )
    return "<div class='al-tree-s'>" + "".join(lines) + "</div>" + (more if hidden > 0 else "")


def _messages_html(items: list[dict[str, Any]], limit: int = 30) -> str:
    out = []
    for m in items[-limit:]:
        who = " · ".join(str(x) for x in (m.get("role"), m.get("agent"), m.get("name")) if x)
        calls = "".join(
            f"<div>→ calls <code>{escape(c['name'])}"
            f"({escape(json.dumps(c['arguments']))})</code></div>"
            for c in m.get("tool_calls", ())
        )
        text = clip_block(str(m.get("content", "")), 2000)
        body = f"<pre>{escape(text)}</pre>" if text else ""
        out.append(
            f"<div class='msg'><div class='n2'>#{m['index']} {escape(who)}</div>{body}{calls}</div>"
        )
    hidden = len(items) - len(out)
    return (
        f"<div class='n2'>{hidden} earlier messages not shown</div>" if hidden else ""
    ) + "".join(out)


def clip_block(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width] + f"… ({len(text) - width} more characters)"


def _handoffs_html(trace: Trace, max_handoffs: int = 50) -> str:
    spans = [s for s, _, _ in tree_order(trace.spans) if s.kind == "handoff"]
    if not spans:
        return ""
    parts = [f"<h4>Handoffs ({len(spans)})</h4>"]
    opened = " open" if len(spans) <= 10 else ""
    for span in spans[:max_handoffs]:
        d = detail(trace, span.id)
        a = span.attributes
        crossed = d["messages_out"]["items"]
        removed = d["removed"]["items"]
        parts.append(
            f"<details{opened}><summary><strong>hop {escape(str(a.get('hop', '?')))}: "
            f"{escape(str(a.get('from_agent')))} → {escape(str(a.get('to_agent')))}</strong> "
            f"<em class='al-intent'>{escape(str(a.get('intent', '')))}</em></summary>"
            f"<div>state: {escape(str(a.get('state') or '-'))}</div>"
            + (f"<div>filter: {escape(str(a['filter']))}</div>" if a.get("filter") else "")
            + f"<div><strong>Messages that crossed ({len(crossed)})</strong></div>"
            + _messages_html(crossed)
            + (
                f"<div><strong>Removed by the filter ({len(removed)})</strong></div>"
                + _messages_html(removed)
                if removed
                else ""
            )
            + "</details>"
        )
    if len(spans) > max_handoffs:
        parts.append(f"<div class='n2'>… {len(spans) - max_handoffs} more handoffs</div>")
    return "".join(parts)


def snapshot_html(trace: Trace, *, max_spans: int = 500, title: str | None = None) -> str:
    """Static HTML of a run: summary, per-agent table, span tree, handoff contexts.

    >>> html = snapshot_html(run.trace, max_spans=100)  # doctest: +SKIP
    """
    s = summary(trace, title)
    return (
        f"<div class='al-snap'><style>{_SNAP_CSS}</style>{_summary_html(s)}{_agents_html(s)}"
        f"{_tree_html(trace, max_spans)}{_handoffs_html(trace)}</div>"
    )


def compare_html(summaries: list[dict[str, Any]]) -> str:
    """Static HTML of several runs side by side (the ``al.compare`` fallback)."""
    head = "".join(f"<th>{escape(s['title'])}</th>" for s in summaries)
    status = [
        s["status"] + (f" ({s['stop_reason']})" if s["stop_reason"] else "") for s in summaries
    ]
    rows = [
        ("status", status),
        ("model calls", [str(sum(a["calls"] for a in s["agents"])) for s in summaries]),
        ("tokens in", [str(s["tokens_in"]) for s in summaries]),
        ("tokens out", [str(s["tokens_out"]) for s in summaries]),
        ("money", [_money(s["cost"]) for s in summaries]),
        ("time", [_time(s["time_s"]) for s in summaries]),
        ("handoffs", [str(s["handoffs"]) for s in summaries]),
        ("max hop", [str(s["hops"]) for s in summaries]),
    ]
    body = "".join(
        f"<tr><th>{label}</th>" + "".join(f"<td>{escape(v)}</td>" for v in values) + "</tr>"
        for label, values in rows
    )
    agents = "".join(
        f"<div><h4>{escape(s['title'])}: per agent</h4>{_agents_html(s, folded=False)}</div>"
        for s in summaries
    )
    return (
        f"<div class='al-snap'><style>{_SNAP_CSS}</style><table><tr><th></th>{head}</tr>"
        f"{body}</table>{agents}</div>"
    )


def widget_file(name: str) -> Path:
    """A front-end file of the widgets: ``agentlab/_widgets`` in a wheel, ``widgets/`` in a
    source checkout (editable install)."""
    here = Path(__file__).resolve().parent
    for folder in (here / "_widgets", here.parent / "widgets"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"agentlab's widget file {name!r} is missing; reinstall agentlab-kit")


def _script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c")


def page_data(trace: Trace, title: str | None = None) -> dict[str, Any]:
    """Index, summary and every span's details, with messages stored once (by index)."""
    index = build_index(trace)
    details = {}
    for span_id in index["id"]:
        d = detail(trace, span_id)
        for key in ("messages_in", "messages_out", "removed"):
            if key in d:
                d[key] = {**d[key], "items": [m["index"] for m in d[key]["items"]]}
        details[str(span_id)] = d
    messages = [message_data(trace, i) for i in range(len(trace.messages))]
    return {
        "index": index,
        "summary": summary(trace, title),
        "title": title or "",
        "details": details,
        "messages": messages,
    }


_BOOT = """
const data = JSON.parse(document.getElementById("al-data").textContent);
const listeners = {};
const state = {index: data.index, summary: data.summary, title: data.title, step: 0};
const resolve = (list) => list && {...list, items: list.items.map((i) => data.messages[i])};
const model = {
  get: (key) => state[key],
  set: (key, value) => {
    state[key] = value;
    (listeners["change:" + key] || []).forEach((f) => f());
  },
  on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
  off: (name, f) => { listeners[name] = (listeners[name] || []).filter((g) => g !== f); },
  save_changes: () => {},
  send: (msg) => setTimeout(() => {
    const d = data.details[String(msg.id)];
    const out = d && {...d, messages_in: resolve(d.messages_in),
                      messages_out: resolve(d.messages_out),
                      removed: resolve(d.removed)};
    (listeners["msg:custom"] || []).forEach((f) => f({type: "detail", id: msg.id, data: out}));
  }, 0),
};
window.agentlabModel = model;
const source = document.getElementById("al-esm").textContent;
const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
const viewer = (await import(url)).default;
const t0 = performance.now();
viewer.render({model, el: document.getElementById("al-app")});
window.agentlabRenderMs = performance.now() - t0;
document.getElementById("al-app").dataset.ready = "1";
"""


def standalone_html(
    trace: Trace, *, title: str | None = None, page_title: str | None = None
) -> str:
    """A self-contained offline page with the interactive run viewer for ``trace``.

    >>> Path("trace.html").write_text(standalone_html(run.trace))  # doctest: +SKIP
    """
    data = page_data(trace, title)
    name = escape(page_title or title or data["summary"]["title"])
    esm = widget_file("viewer.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = widget_file("viewer.css").read_text(encoding="utf-8")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{name} · agentlab"
        "</title><meta name='viewport' content='width=device-width'>"
        f"<meta name='color-scheme' content='light dark'><style>{css}"
        "body{margin:12px;background:Canvas;color:CanvasText}</style></head>"
        "<body class='al-standalone'><div id='al-app'></div>"
        f"<noscript>{snapshot_html(trace, title=title)}</noscript>"
        f"<script type='application/json' id='al-data'>{_script_json(data)}</script>"
        f"<script type='text/plain' id='al-esm'>{esm}</script>"
        f"<script type='module'>{_BOOT}</script></body></html>"
    )


def write_view(trace_path: str | Path, output: str | Path | None = None) -> Path:
    """Write ``trace.jsonl`` as a standalone HTML viewer (``python -m agentlab view``).

    >>> write_view("trace.jsonl", "trace.html")  # doctest: +SKIP
    """
    from agentlab.tracing import Trace

    source = Path(trace_path)
    if not source.is_file():
        raise FileNotFoundError(f"no trace file at {source}: save one with run.trace.save(path)")
    target = Path(output) if output else source.with_suffix(".html")
    if target.resolve() == source.resolve():
        raise ValueError(f"the output {target} is the trace itself; give -o page.html")
    try:
        trace = Trace.load(source)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{source} is not a trace saved with trace.save(path) (JSON lines): {exc}"
        ) from exc
    if not trace.spans:
        raise ValueError(f"{source} holds no spans: nothing to view")
    html = standalone_html(trace, page_title=source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def export_notebooks(
    source: str | Path = "notebooks", out: str | Path = "reports", *, timeout: int = 600
) -> list[Path]:
    """Execute every ``*.ipynb`` in ``source`` and write ``<out>/<name>.html`` (``make report``).

    Widget state is not stored, so run viewers show their static snapshots and the
    reports work offline. Returns the written files; a failing cell (unless tagged
    ``raises-exception``) stops with a RuntimeError naming the notebook.

    >>> export_notebooks("notebooks", "reports")  # doctest: +SKIP
    """
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from nbconvert import HTMLExporter
    except ImportError as exc:
        raise ConfigError(
            f"writing reports needs {exc.name}: pip install 'agentlab-kit[notebook]'"
        ) from exc

    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            store_widget_state=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        except CellExecutionError as exc:
            raise RuntimeError(f"{path}: a cell failed, so no report was written\n{exc}") from exc
        html, _ = HTMLExporter().from_notebook_node(notebook)  # type: ignore[no-untyped-call]
        target = out / f"{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m agentlab.report [notebooks] [reports]``: what ``make report`` runs."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        written = export_notebooks(*(args[:2] or ["notebooks", "reports"]))
    except ConfigError as exc:
        print(f"agentlab.report: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"no notebooks found in {args[0] if args else 'notebooks'}/: nothing to report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
