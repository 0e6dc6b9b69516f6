"""Findings (``al.diagnose``) as the views show them: a list, and a badge per span.

The run viewer, the static snapshot and the text tree all read these, so they agree.

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> findings_index(run.trace, [s.id for s in run.trace.spans])
([], [None, None, None])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab.trace.diagnose import diagnose

if TYPE_CHECKING:
    from agentlab.trace.findings import Finding
    from agentlab.trace.trace import Trace

__all__ = ["badge_text", "findings_index", "findings_of"]

ICONS = {"warning": "⚠", "info": "ⓘ"}


def findings_of(trace: Trace) -> list[Finding]:
    """``al.diagnose`` of a finished trace; [] while it has no root span (still running)."""
    if not any(span.parent_id is None for span in trace.spans):
        return []
    return diagnose(trace)


def findings_index(trace: Trace, ids: list[Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """(findings as plain data with the rows of their spans, per row the kinds flagged).

    ``ids`` are the span ids of the rows, in the order the view draws them; a row's
    flag is None or ``{"kinds": [...], "severity": "warning" | "info"}``.
    """
    row_of = {span_id: row for row, span_id in enumerate(ids)}
    flags: list[Any] = [None] * len(ids)
    listed = []
    for finding in findings_of(trace):
        rows = [row_of[i] for i in finding.span_ids if i in row_of]
        listed.append({**finding.to_dict(), "rows": rows})
        for row in rows:
            flag = flags[row] or {"kinds": [], "severity": "info"}
            if finding.kind not in flag["kinds"]:
                flag["kinds"].append(finding.kind)
            if finding.severity == "warning":
                flag["severity"] = "warning"
            flags[row] = flag
    return listed, flags


def badge_text(flag: dict[str, Any] | None) -> str:
    """The badge on a flagged span's row, e.g. ``"⚠ repeated_call"``."""
    if not flag:
        return ""
    return f"{ICONS.get(flag['severity'], '⚑')} {', '.join(flag['kinds'])}"
