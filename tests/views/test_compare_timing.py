"""Compare tables say "no real latency" for scripted runs instead of comparing noise.

Runs whose models are all scripted or simulated with no ``latency_s`` last about a
millisecond of bookkeeping; two of them differ by noise (0.6 ms vs 1.1 ms), which the
compare table used to show, with a ▲ on the "larger" one. A model with ``latency_s``,
a real provider and a replayed recording keep their times.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from test_browser import browser, open_module, page  # noqa: F401 (fixtures)
from trace_samples import handoff_trace

import agentlab as al
from agentlab.trace import Trace
from agentlab.views.snapshot import snapshot_html
from agentlab.views.timing import NO_LATENCY_NOTE, untimed
from agentlab.views.widgets import CompareView

PRICE = "openai:gpt-4o-mini"
NOTE = f"— ({NO_LATENCY_NOTE})"


def scripted(name: str, latency_s: float = 0.0) -> al.Run:
    model = al.ScriptedModel(
        [al.ToolCall("look", {}), "done"], priced_as=PRICE, latency_s=latency_s
    )
    return al.Agent(name=name, model=model, tools=[look]).run_sync("hi")


def look() -> str:
    """A tool that returns at once."""
    return "found"


def cells(html: str, label: str) -> list[str]:
    row = re.search(rf"<tr><th[^>]*>{label}</th>(.*?)</tr>", html)
    assert row is not None, label
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


def compare_html_of(*runs: al.Run | Trace) -> str:
    return str(al.compare(*runs)._repr_mimebundle_()[0]["text/html"])


def test_two_scripted_runs_show_no_time_row_figures_and_no_larger_mark():
    html = compare_html_of(scripted("Manager"), scripted("Transfer"))
    assert cells(html, "time") == [NOTE]  # one cell across both runs
    assert "colspan='2'" in html and " ms</td>" not in html
    assert cells(html, "model calls") == ["2", "2"]  # other rows unchanged


def test_simulated_latency_and_real_models_keep_their_times():
    slow = scripted("Slow", latency_s=0.02)
    assert not untimed(slow.trace.spans)
    html = compare_html_of(scripted("Instant"), slow)
    instant_time, slow_time = cells(html, "time")
    assert instant_time == NOTE and re.fullmatch(r"\d+\.\d ms", slow_time)
    real = compare_html_of(handoff_trace(), handoff_trace())  # gpt-4o-mini spans
    assert cells(real, "time") == ["1.51 s", "1.51 s"]


def test_a_replayed_recording_keeps_its_time():
    trace = scripted("Replayed").trace
    spans = [
        dataclasses.replace(s, attributes={**s.attributes, "replayed": True, "latency_s": 0.9})
        if s.kind == "model"
        else s
        for s in trace.spans
    ]
    assert not untimed(spans)


def test_a_tool_that_waits_keeps_the_time_of_a_scripted_run():
    async def fetch() -> str:
        """A tool that waits for a (pretend) network."""
        import asyncio

        await asyncio.sleep(0.02)
        return "page"

    model = al.ScriptedModel([al.ToolCall("fetch", {}), "done"])
    run = al.Agent(name="Fetcher", model=model, tools=[fetch]).run_sync("go")
    assert not untimed(run.trace.spans)


def test_per_agent_model_time_and_the_snapshot_say_the_same():
    run = scripted("Solo")
    html = compare_html_of(run, scripted("Other"))
    assert "<td>" + NOTE + "</td>" in re.sub(r" style='[^']*'", "", html)  # per-agent table
    assert NOTE in snapshot_html(run.trace)


@pytest.mark.browser
def test_compare_widget_writes_the_note_once_and_marks_no_larger_time(page):  # noqa: F811
    view = CompareView([scripted("A").trace, scripted("B").trace], ["a", "b"])
    open_module(page, "compare.js", {"runs": view.runs})
    totals = page.get_by_role("table", name="Totals per run")
    row = totals.locator("tr", has_text="time")
    assert row.locator("td").all_inner_texts() == [NOTE]
    assert row.locator("td").get_attribute("colspan") == "2"
    per_agent = page.get_by_role("table", name="Per agent, a")
    assert NOTE in per_agent.inner_text() and "ms" not in per_agent.inner_text()
    mixed = CompareView([scripted("A").trace, handoff_trace()], ["a", "real"])
    open_module(page, "compare.js", {"runs": mixed.runs})
    times = page.get_by_role("table", name="Totals per run").locator("tr", has_text="time")
    assert times.locator("td").all_inner_texts() == [NOTE, "1.51 s"]  # no ▲ on either
