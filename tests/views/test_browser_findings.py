"""The run viewer's findings list in a real browser: al.diagnose's findings are listed,
choosing one selects its spans, and each span concerned wears a badge."""

from __future__ import annotations

import pytest
from test_browser import browser, open_viewer, page  # noqa: F401 (fixtures)

import agentlab as al
from agentlab.views.widgets import RunViewer

pytestmark = pytest.mark.browser


def ping() -> str:
    """Ping."""
    return "pong"


def flagged_run() -> al.Run:
    calls = [al.ToolCall("ping", {})] * 3
    steps = [al.Agent(name=n, model=al.ScriptedModel([f"{n} ok"])) for n in ("B", "C")]
    looping = al.Agent(name="A", model=al.ScriptedModel([*calls, "done"]), tools=[ping])
    return al.Chain([looping, *steps], name="Doc").run_sync("go")


def test_findings_list_selects_the_spans_of_a_finding_and_badges_them(page):  # noqa: F811
    run = flagged_run()
    assert [f.kind for f in run.diagnose()] == ["repeated_call", "unchecked_chain"]
    open_viewer(page, RunViewer(run.trace))
    box = page.get_by_role("group", name="Findings")
    assert "Findings (2)" in box.inner_text()
    buttons = box.locator(".al-finding-btn")
    assert buttons.count() == 2
    assert "A called ping() 3 times" in buttons.nth(0).inner_text()
    badges = page.locator(".al-row .al-badge")
    assert badges.count() == 5  # the chain, agent A and its three ping calls
    assert "repeated_call" in page.locator(".al-row", has_text="agent A").inner_text()

    buttons.nth(0).click()
    assert buttons.nth(0).get_attribute("aria-pressed") == "true"
    marked = page.locator(".al-row.al-marked")
    assert marked.count() == 4
    texts = [" ".join(marked.nth(i).inner_text().lstrip("▾▸").split()) for i in range(4)]
    assert texts[0].startswith("agent A") and all(t.startswith("tool ping") for t in texts[1:])
    assert "agent A" in page.locator(".al-row.al-selected").inner_text()
    page.wait_for_selector(".al-detail :text('agent A')")

    buttons.nth(1).click()  # the chain finding: its one span
    assert page.locator(".al-row.al-marked").count() == 1
    assert "chain Doc" in page.locator(".al-row.al-selected").inner_text()
    buttons.nth(1).click()  # choosing it again clears the selection of spans
    assert page.locator(".al-row.al-marked").count() == 0
    assert buttons.nth(1).get_attribute("aria-pressed") == "false"


def test_a_clean_run_shows_no_findings_list(page):  # noqa: F811
    run = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    open_viewer(page, RunViewer(run.trace))
    assert page.get_by_role("group", name="Findings").inner_text().strip() == ""
    assert page.locator(".al-badge").count() == 0
