"""The standalone page: one self-contained offline HTML file with the interactive run
viewer for a saved trace (``python -m agentlab view trace.jsonl -o trace.html``).

The page embeds the widget's own ES module and CSS (found by ``widget_file``), every
span's details and the messages (stored once), and a small stand-in for the widget
model, so it steps and inspects like the notebook widget with no kernel and no network.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from agentlab._jsonl import write_text
from agentlab.trace.trace import Trace
from agentlab.views.data import build_index, detail, message_data, secrets_read_once, summary
from agentlab.views.files import widget_file
from agentlab.views.snapshot import snapshot_html


def _script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c")


def page_data(trace: Trace, title: str | None = None) -> dict[str, Any]:
    """Index, summary and every span's details, with messages stored once (by index)."""
    with secrets_read_once():
        return _page_data(trace, title)


def _page_data(trace: Trace, title: str | None) -> dict[str, Any]:
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
    source = Path(trace_path)
    if not source.is_file():
        raise FileNotFoundError(f"no trace file at {source}: save one with run.trace.save(path)")
    target = Path(output) if output else source.with_suffix(".html")
    if target.resolve() == source.resolve():
        raise ValueError(f"the output {target} is the trace itself; give -o page.html")
    try:
        trace = Trace.load(source)
    except ValueError as exc:  # names the line: keep it, and say what the file should be
        raise ValueError(f"{source} is not a trace saved with trace.save(path): {exc}") from exc
    if not trace.spans:
        raise ValueError(f"{source} holds no spans: nothing to view")
    html = standalone_html(trace, page_title=source.name)
    write_text(target, html)
    return target
