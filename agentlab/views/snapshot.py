"""Static HTML of runs: what a saved notebook shows without a kernel.

- ``snapshot_html(trace)``: what ``al.diagnose`` found (a badge on each span concerned),
  the span tree and every handoff's context as plain HTML (no
  script, no network), capped at ``max_spans`` rows. Run viewer widgets carry it as
  their ``text/html`` fallback, so a saved notebook converted with
  ``jupyter nbconvert --to html`` shows the run without a kernel.
- ``compare_html(summaries)``: the ``al.compare`` fallback.

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> "Echo" in snapshot_html(run.trace)
True
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import TYPE_CHECKING, Any

from agentlab._format import format_money, format_seconds
from agentlab._json import jsonable
from agentlab.trace.read import tree_order
from agentlab.views.data import build_index, detail, scrub, secrets_read_once, summary
from agentlab.views.findings import badge_text

if TYPE_CHECKING:
    from agentlab.trace.trace import Trace

__all__ = ["compare_html", "snapshot_html"]

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
.al-snap pre{white-space:pre-wrap;overflow-wrap:break-word;margin:2px 0;font-size:12px}
.al-snap table{border-collapse:collapse}
.al-snap td,.al-snap th{padding:1px 8px;border-bottom:1px solid var(--jp-border-color2,#d0d0d0);
text-align:right}
.al-snap .fb{border-radius:3px;padding:0 4px;font-style:normal;font-size:11px}
.al-snap .wb{background:#fdecc8;color:#7a4a00}.al-snap .ib{background:#dbe7f7;color:#174a84}
.al-snap .al-findings-s{margin:2px 0 6px;padding-left:18px}
.al-snap td:first-child,.al-snap th:first-child{text-align:left}
"""
# The same look as inline styles: JupyterLab drops <style> from the HTML of an untrusted
# notebook (one opened fresh from a clone) but keeps these style attributes.
_GREY = "color:#777"
_INLINE_BY_CLASS = {
    "al-snap": "font-family:system-ui,sans-serif;font-size:13px;border:1px solid #d0d0d0;"
    "border-radius:4px;padding:6px;max-width:100%;overflow:auto",
    "al-tree-s": "font-family:monospace;font-size:12px;max-height:480px;overflow:auto;"
    "border:1px solid #d0d0d0;padding:2px 0",
    "r": "white-space:nowrap;line-height:20px",
    "k": _GREY, "n2": _GREY, "x": _GREY + ";font-style:italic",
    "nm": "font-weight:600",
    "e": "color:#c62828;font-weight:700", "s": "color:#b26a00;font-weight:700",
    "msg": "border-left:3px solid #d0d0d0;padding:2px 6px;margin:3px 0",
    "fb": "border-radius:3px;padding:0 4px;font-style:normal;font-size:11px",
    "wb": "background:#fdecc8;color:#7a4a00", "ib": "background:#dbe7f7;color:#174a84",
    "al-findings-s": "margin:2px 0 6px;padding-left:18px",
}  # fmt: skip
_INLINE_BY_TAG = {
    "pre": "white-space:pre-wrap;overflow-wrap:break-word;margin:2px 0;font-size:12px",
    "table": "border-collapse:collapse",
    "td": "padding:1px 8px;border-bottom:1px solid #d0d0d0;text-align:right",
    "th": "padding:1px 8px;border-bottom:1px solid #d0d0d0;text-align:left",
}
_TAG = re.compile(r"<(\w+)((?:\s+[\w-]+='[^'<>]*')*)\s*>")
_ATTR = re.compile(r"\s+([\w-]+)='([^'<>]*)'")


def inline_styles(html: str) -> str:
    """The snapshot's look as ``style`` attributes, so it survives HTML sanitizing.

    >>> inline_styles("<div class='nm'>Triage</div>")
    "<div class='nm' style='font-weight:600'>Triage</div>"
    """

    def one(match: re.Match[str]) -> str:
        tag, attrs = match.group(1), dict(_ATTR.findall(match.group(2)))
        extra = [_INLINE_BY_TAG.get(tag, "")]
        extra += [_INLINE_BY_CLASS.get(c, "") for c in attrs.get("class", "").split()]
        style = ";".join(x for x in [*extra, attrs.get("style", "")] if x)
        if style:
            attrs["style"] = style
        return f"<{tag}" + "".join(f" {k}='{v}'" for k, v in attrs.items()) + ">"

    return _TAG.sub(one, html)


def _e(value: Any) -> str:
    """Any value as HTML text: every field a trace holds is escaped, numbers included
    (a trace file is data from outside and may hold markup anywhere)."""
    return escape(str(value))


_money = format_money
_time = format_seconds


def _time_of(figures: dict[str, Any]) -> str:
    """A run's or an agent's time, or why it is not shown (scripted: no real latency)."""
    note = figures.get("time_note")
    return f"— ({note})" if note else _time(figures["time_s"])


def _summary_html(s: dict[str, Any]) -> str:
    mark = {"failed": "e", "error": "e", "stopped": "s"}.get(s["status"], "")
    line = (
        f"<strong>{_e(s['title'])}</strong> <span class='{mark}'>{_e(_status(s))}</span>"
        f" · {_e(s['spans'])} spans · {_e(s['tokens_in'])} in / {_e(s['tokens_out'])} out tokens"
        f" · {_e(_money(s['cost']))} · {_e(_time_of(s))}"
    )
    if s["handoffs"]:
        line += f" · {_e(s['handoffs'])} handoffs"
    if s["stop_detail"]:
        line += f"<div class='n2'>{_e(s['stop_detail'])}</div>"
    if s.get("unpriced"):
        line += f"<div class='n2 al-money'>{_e(s['unpriced'])}</div>"
    return f"<div>{line}</div>"


def _status(s: dict[str, Any]) -> str:
    return f"{s['status']}" + (f" ({s['stop_reason']})" if s["stop_reason"] else "")


def _agents_html(s: dict[str, Any], folded: bool = True) -> str:
    if not s["agents"]:
        return ""
    head = "".join(
        f"<th>{t}</th>"
        for t in ("agent", "calls", "tokens in", "tokens out", "money", "model time")
    )
    keys = ("agent", "calls", "tokens_in", "tokens_out")
    cells = [[a[k] for k in keys] + [_money(a["cost"]), _time_of(a)] for a in s["agents"]]
    rows = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in cells)
    table = f"<table><tr>{head}</tr>{rows}</table>"
    return f"<details><summary>Per agent</summary>{table}</details>" if folded else table


def _tree_html(index: dict[str, Any], max_spans: int) -> str:
    lines = []
    for r in range(min(max_spans, len(index["id"]))):
        status = index["status"][r]
        mark = f" <span class='{status[0]}'>{_MARKS[status]}</span>" if status in _MARKS else ""
        agent = index["agent"][r]
        who = (
            f" <span class='k'>[{_e(agent)}]</span>" if agent and agent != index["name"][r] else ""
        )
        nums = (
            f"{index['tin'][r]}/{index['tout'][r]} tok {_money(index['cost'][r])} "
            if (index["tin"][r] or index["tout"][r])
            else ""
        )
        ms, recorded = index["ms"][r], index["rec_ms"][r]
        if recorded is not None:  # a replayed call: the latency its recording took
            nums += f"{_time(recorded / 1000)} recorded"
        else:
            nums += _time(None if ms is None else ms / 1000)
        note = f" <span class='x'>{_e(index['note'][r])}</span>" if index["note"][r] else ""
        flag = index["flags"][r]
        if flag:
            note = f" <span class='fb {flag['severity'][0]}b'>{_e(badge_text(flag))}</span>{note}"
        lines.append(
            f"<div class='r' style='padding-left:{int(index['depth'][r]) * 14 + 4}px'>"
            f"<span class='k'>{_e(index['kind'][r])}</span> <span class='nm'>"
            f"{_e(index['name'][r])}</span>{who}{mark} <span class='n2'>{_e(nums)}</span>"
            f"{note}</div>"
        )
    hidden = len(index["id"]) - len(lines)
    more = (
        f"<div class='n2'>… {hidden} more spans not shown in this snapshot "
        "(open the run with al.show() or trace.to_pandas() to see them all)</div>"
    )
    return "<div class='al-tree-s'>" + "".join(lines) + "</div>" + (more if hidden > 0 else "")


def _findings_html(index: dict[str, Any]) -> str:
    """What ``al.diagnose`` found, each with the spans it points at."""
    findings = index.get("findings") or []
    if not findings:
        return ""
    items = []
    for f in findings:
        spans = ", ".join(f"{index['kind'][r]} {index['name'][r]}" for r in f["rows"][:6]) + (
            " …" if len(f["rows"]) > 6 else ""
        )
        items.append(
            f"<li class='fd'><span class='fb {f['severity'][0]}b'>{_e(f['severity'])}</span> "
            f"<strong>{_e(f['kind'])}</strong>: {_e(f['message'])}<br><span class='n2'>→ "
            f"{_e(f['suggestion'])} (spans: {_e(spans)})</span></li>"
        )
    return f"<h4>Findings ({len(findings)})</h4><ul class='al-findings-s'>{''.join(items)}</ul>"


def _messages_html(items: list[dict[str, Any]], limit: int = 30) -> str:
    out = []
    first = max(0, len(items) - limit) + 1  # numbered in the order the model got them
    for position, m in enumerate(items[-limit:], first):
        who = " · ".join(str(x) for x in (m.get("role"), m.get("agent"), m.get("name")) if x)
        calls = "".join(
            f"<div>→ calls <code>{_e(c.get('name'))}"
            f"({_e(json.dumps(c.get('arguments'), default=str))})</code></div>"
            for c in m.get("tool_calls", ())
        )
        text = clip_block(str(m.get("content", "")), 2000)
        body = f"<pre>{_e(text)}</pre>" if text else ""
        out.append(
            f"<div class='msg'><div class='n2' title='message #{_e(m['index'])} of the trace'>"
            f"{position}. {_e(who)}</div>{body}{calls}</div>"
        )
    hidden = len(items) - len(out)
    return (
        f"<div class='n2'>{hidden} earlier messages not shown</div>" if hidden else ""
    ) + "".join(out)


def clip_block(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width] + f"… ({len(text) - width} more characters)"


def _attributes(attributes: Any) -> dict[str, Any]:
    """A span's attributes as JSON data with secrets redacted (what the snapshot writes)."""
    data = scrub(jsonable(dict(attributes)))
    return data if isinstance(data, dict) else {}


def _handoffs_html(trace: Trace, max_handoffs: int = 50) -> str:
    spans = [s for s, _, _ in tree_order(trace.spans) if s.kind == "handoff"]
    if not spans:
        return ""
    parts = [f"<h4>Handoffs ({len(spans)})</h4>"]
    opened = " open" if len(spans) <= 10 else ""
    for span in spans[:max_handoffs]:
        d = detail(trace, span.id)
        a = _attributes(span.attributes)
        crossed = d["messages_out"]["items"]
        removed = d["removed"]["items"]
        parts.append(
            f"<details{opened}><summary><strong>hop {_e(a.get('hop', '?'))}: "
            f"{_e(a.get('from_agent'))} → {_e(a.get('to_agent'))}</strong> "
            f"<em class='al-intent'>{_e(a.get('intent', ''))}</em></summary>"
            f"<div>state: {_e(a.get('state') or '-')}</div>"
            + (f"<div>filter: {_e(a['filter'])}</div>" if a.get("filter") else "")
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
    with secrets_read_once():
        s = summary(trace, title)
        index = build_index(trace)
        body = inline_styles(
            f"<div class='al-snap'>{_summary_html(s)}"
            f"{_agents_html(s)}{_findings_html(index)}{_tree_html(index, max_spans)}"
            f"{_handoffs_html(trace)}</div>"
        )
        return body.replace(">", f"><style>{_SNAP_CSS}</style>", 1)


def _compare_row(label: str, values: list[str]) -> str:
    """One row of the compare table; the same note in every cell (all runs scripted: no
    real latency) is written once across the row, so no column looks larger."""
    if len(values) > 1 and len(set(values)) == 1 and values[0].startswith("— ("):
        return f"<tr><th>{label}</th><td colspan='{len(values)}'>{_e(values[0])}</td></tr>"
    return f"<tr><th>{label}</th>" + "".join(f"<td>{_e(v)}</td>" for v in values) + "</tr>"


def compare_html(summaries: list[dict[str, Any]]) -> str:
    """Static HTML of several runs side by side (the ``al.compare`` fallback)."""
    head = "".join(f"<th>{_e(s['title'])}</th>" for s in summaries)
    rows = [
        ("status", [_status(s) for s in summaries]),
        ("model calls", [str(sum(a["calls"] for a in s["agents"])) for s in summaries]),
        ("tokens in", [str(s["tokens_in"]) for s in summaries]),
        ("tokens out", [str(s["tokens_out"]) for s in summaries]),
        ("money", [_money(s["cost"]) for s in summaries]),
        ("time", [_time_of(s) for s in summaries]),
        ("handoffs", [str(s["handoffs"]) for s in summaries]),
        ("max hop", [str(s["hops"]) for s in summaries]),
    ]
    body = "".join(_compare_row(label, values) for label, values in rows)
    agents = "".join(
        f"<div><h4>{_e(s['title'])}: per agent</h4>{_agents_html(s, folded=False)}</div>"
        for s in summaries
    )
    html = inline_styles(
        f"<div class='al-snap'><table><tr><th></th>{head}</tr>{body}</table>{agents}</div>"
    )
    return html.replace(">", f"><style>{_SNAP_CSS}</style>", 1)
