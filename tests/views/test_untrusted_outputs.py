"""What a notebook opened fresh (untrusted) in JupyterLab shows: PNG charts, styled snapshots.

JupyterLab renders no SVG for an untrusted notebook and sanitizes its HTML (``<style>``
elements go, ``style`` attributes stay), so charts carry a PNG and snapshots inline styles.
"""

from __future__ import annotations

import re

from trace_samples import handoff_trace

import agentlab as al
from agentlab.views.data import summary
from agentlab.views.snapshot import compare_html, inline_styles, snapshot_html


def sanitized(html: str) -> str:
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)


def test_snapshot_keeps_its_look_without_its_style_element():
    html = sanitized(snapshot_html(handoff_trace()))
    assert "<style" not in html
    assert re.search(r"class='al-snap' style='[^']*border:1px solid", html)
    assert re.search(r"class='nm' style='font-weight:600'>Triage", html)
    assert re.search(
        r"class='r' style='white-space:nowrap;line-height:20px;padding-left:\d+px'", html
    )
    assert re.search(r"class='s' style='color:#b26a00", html)  # the stopped mark stays coloured


def test_compare_fallback_is_styled_and_hostile_names_stay_escaped():
    hostile = al.Agent(name="Evil", model=al.ScriptedModel(["<b onclick='x'>hi</b>"])).run_sync("q")
    html = sanitized(compare_html([summary(handoff_trace()), summary(hostile.trace, "it's <b>")]))
    assert "<b onclick" not in html and "it&#x27;s &lt;b&gt;" in html
    assert re.search(r"<td style='padding:1px 8px", html)


def test_inline_styles_merges_with_an_existing_style_and_leaves_text_alone():
    out = inline_styles("<div class='k n2' style='padding-left:4px'>a > b</div>")
    assert out == "<div class='k n2' style='color:#777;color:#777;padding-left:4px'>a > b</div>"
    assert inline_styles("plain <em>text</em>") == "plain <em>text</em>"
