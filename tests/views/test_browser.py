"""Real-browser tests (headless Debian Chromium through Playwright), all requests offline.

- the widget's ES module rendered in a page with a small anywidget model stub whose
  ``send`` asks the Python ``RunViewer`` for details (like a kernel would);
- a 10,000-span trace: time to render and to step, printed and bounded generously;
- the standalone page of ``python -m agentlab view``;
- exported notebook reports, opened with every non-file request aborted.

Without Chromium they skip, with the reason; with AGENTLAB_REQUIRE_BROWSER=1 (CI) they
fail instead. Chromium: ``apt-get install -y chromium`` (never ``playwright install``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from trace_samples import big_trace, handoff_trace, write_demo_notebook

from agentlab.export.report import export_notebooks
from agentlab.trace import Span
from agentlab.views.data import build_index
from agentlab.views.files import widget_file
from agentlab.views.page import write_view
from agentlab.views.widgets import CompareView, RunViewer

pytestmark = pytest.mark.browser
ORIGIN = "http://agentlab.test"  # served by page.route, never by the network
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    reason = "needs Chromium: apt-get install -y chromium (then `chromium` is on PATH)"
    if executable is None:
        if os.environ.get("AGENTLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"AGENTLAB_REQUIRE_BROWSER=1 but no browser: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()
    assert errors == []


HARNESS = """<!doctype html><html><head><meta charset="utf-8"><style>__CSS__</style></head>
<body><div id="theme"><div id="app"></div></div><script type="module">
import viewer from "__ORIGIN__/__MODULE__";
const listeners = {};
const state = __STATE__;
window.log = {sent: [], saves: 0};
const model = {  // the part of anywidget's model API the viewer uses
  get: (key) => state[key],
  set: (key, value) => {
    state[key] = value;
    (listeners["change:" + key] || []).forEach((f) => f());
  },
  on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
  off: (name, f) => { listeners[name] = (listeners[name] || []).filter((g) => g !== f); },
  save_changes: () => { window.log.saves += 1; },
  send: async (msg) => {  // the kernel round trip: Python answers with RunViewer.detail
    window.log.sent.push(msg);
    if (!window.pyDetail) return;  // no kernel
    const data = await window.pyDetail(msg.id);
    (listeners["msg:custom"] || []).forEach((f) => f({type: "detail", id: msg.id, data}));
  },
};
window.model = model;
const t0 = performance.now();
viewer.render({model, el: document.getElementById("app")});
window.renderMs = performance.now() - t0;
document.body.dataset.ready = "1";
</script></body></html>"""


def open_viewer(page, viewer: RunViewer) -> None:
    """Render the real widget ES module with a model stub backed by ``viewer``."""
    state = {"index": viewer.index, "summary": viewer.summary, "title": viewer.title, "step": 0}
    open_module(page, "viewer.js", state, viewer.detail)


def open_module(page, module: str, state: dict, detail=None) -> None:
    html = (HARNESS.replace("__CSS__", widget_file("viewer.css").read_text())
            .replace("__ORIGIN__", ORIGIN).replace("__MODULE__", module)
            .replace("__STATE__", json.dumps(state)))  # fmt: skip
    files = {"/page.html": (html, "text/html"),
             f"/{module}": (widget_file(module).read_text(), "text/javascript")}  # fmt: skip

    def serve(route):
        url = route.request.url
        path = url[len(ORIGIN) :] if url.startswith(ORIGIN) else None
        if path in files:
            body, kind = files[path]
            route.fulfill(body=body, content_type=kind)
        else:
            route.abort()

    page.route("**/*", serve)
    if detail is not None:
        page.expose_function("pyDetail", detail)
    page.goto(f"{ORIGIN}/page.html")
    page.wait_for_selector("body[data-ready='1']")


def test_widget_steps_through_turns_and_opens_a_handoff(page):
    viewer = RunViewer(handoff_trace())
    open_viewer(page, viewer)
    position, detail = page.locator(".al-position"), page.locator(".al-detail")
    assert position.inner_text() == "Step 1 / 6: model gpt-4o-mini"
    page.wait_for_selector(".al-detail :text('Received (2)')")
    assert "I was charged twice for order 42" in detail.inner_text()
    returned = detail.locator("section", has_text="Returned (1)").inner_text()
    assert 'calls lookup_order({"order_id":"42"})' in " ".join(returned.split())

    page.get_by_role("button", name="Next step").click()
    assert position.inner_text() == "Step 2 / 6: tool lookup_order"
    page.wait_for_selector(".al-detail :text('Arguments')")
    assert '"order_id": "42"' in detail.inner_text() and "✗ error" in detail.inner_text()

    page.locator(".al-tree").focus()
    page.keyboard.press("ArrowRight")
    assert position.inner_text() == "Step 3 / 6: model gpt-4o-mini"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert position.inner_text() == "Step 1 / 6: model gpt-4o-mini"
    assert page.get_by_role("button", name="Previous step").is_disabled()
    assert page.evaluate("window.model.get('step')") == 0 and page.evaluate("window.log.saves") >= 3

    page.get_by_role("button", name="Open handoff Triage to Billing, hop 1").click()
    assert position.inner_text() == "Step 4 / 6: handoff transfer_to_billing"
    page.wait_for_selector(".al-detail :text('Messages that crossed (3)')")
    text = detail.inner_text()
    for expected in ("Triage → Billing", "refund the duplicate charge on order 42",
                     "order lookup failed; user is annoyed", "Removed by the filter (2)",
                     "Handoff from Triage to Billing (hop 1).", "KeyError: '42'"):  # fmt: skip
        assert expected in text, expected
    # one request per span: going back to step 1 used the cached details
    assert page.evaluate("window.log.sent.map((m) => m.id)") == [3, 4, 5, 6]


def test_tree_marks_failures_in_text_collapses_and_follows_the_step(page):
    open_viewer(page, RunViewer(handoff_trace()))
    rows = page.locator(".al-row")
    assert rows.count() == 10
    first_model = " ".join(rows.nth(3).inner_text().split())  # agent, tokens, money, time
    assert first_model == "model gpt-4o-mini [Triage]100/20 tok $0.001000 500.0 ms"
    failed = page.locator(".al-row.al-st-error")
    assert "✗ error" in failed.inner_text()  # not by colour alone
    assert "■ stopped" in page.locator(".al-row.al-st-stopped").first.inner_text()
    page.get_by_role("button", name="Collapse agent Triage").click()
    assert rows.count() == 6
    page.get_by_role("button", name="Next step").click()  # the tool call inside Triage
    assert rows.count() == 10  # stepping into a collapsed agent opens it
    assert page.locator(".al-row.al-selected").inner_text().startswith("tool lookup_order")
    page.locator(".al-row", has_text="agent Billing").click()  # a container: no step change
    page.wait_for_selector(".al-detail :text('agent Billing')")
    # the label names the selected row, not the step that was current before
    assert page.locator(".al-position").inner_text() == "agent Billing · 4 of 6 steps before it"
    assert page.evaluate("window.model.get('step')") == 1
    page.get_by_role("button", name="Next step").click()
    assert page.locator(".al-position").inner_text().startswith("Step 3 / 6")


def test_messages_are_numbered_in_order_and_wrap_between_words(page):
    open_viewer(page, RunViewer(handoff_trace()))
    page.locator(".al-row", has_text="model gpt-4o-mini").last.click()
    page.wait_for_selector(".al-detail .al-msg-head")
    heads = page.locator(".al-detail section").first.locator(".al-msg-head")
    numbers = [int(t.split(".")[0]) for t in heads.all_inner_texts()]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 2
    assert heads.first.get_attribute("title").startswith("message #")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.al-detail .al-pre'));"
        " return [s.wordBreak, s.overflowWrap]; })()"
    )
    assert style == ["normal", "break-word"]  # long words wrap, words never split mid-way


def test_a_replayed_model_call_shows_its_recorded_latency(page):
    trace = handoff_trace()
    marked = {"replayed": True, "latency_s": 0.93}  # what a cassette replay writes
    trace.spans = [
        dataclasses.replace(s, attributes={**s.attributes, **marked}) if s.id == 3 else s
        for s in trace.spans
    ]
    open_viewer(page, RunViewer(trace))
    rows = page.locator(".al-row")
    first_model = " ".join(rows.nth(3).inner_text().split())
    assert first_model == "model gpt-4o-mini [Triage]100/20 tok $0.001000 930.0 ms recorded"
    tip = rows.nth(3).locator(".al-nums").get_attribute("title")
    assert tip is not None and "took 930.0 ms when it was recorded" in tip
    assert rows.nth(5).inner_text().endswith("400.0 ms")  # a live call: its own time
    page.wait_for_selector(".al-detail :text('Received (2)')")
    facts = page.locator(".al-facts").inner_text()
    assert "930.0 ms recorded (replayed in 500.0 ms)" in facts


def test_without_a_kernel_the_viewer_says_why_details_are_missing(page):
    viewer = RunViewer(handoff_trace())
    page.clock.install()
    state = {"index": viewer.index, "summary": viewer.summary, "title": "", "step": 0}
    open_module(page, "viewer.js", state)  # a model whose kernel never answers
    assert "Loading model gpt-4o-mini" in page.locator(".al-detail").inner_text()
    page.clock.run_for(9000)
    assert "run the cell again" in page.locator(".al-detail").inner_text()
    assert page.locator(".al-row").count() == 10  # the tree needs no kernel


def test_widget_takes_its_colours_from_jupyterlab_theme_variables(page):
    open_viewer(page, RunViewer(handoff_trace()))
    style = "getComputedStyle(document.querySelector('.al-viewer'))"
    assert page.evaluate(f"{style}.backgroundColor") == "rgb(255, 255, 255)"  # fallback
    page.evaluate("document.getElementById('theme').style.setProperty("
                  "'--jp-layout-color0', 'rgb(17, 17, 17)')")  # fmt: skip
    page.evaluate("document.getElementById('theme').style.setProperty("
                  "'--jp-ui-font-color0', 'rgb(230, 230, 230)')")  # fmt: skip
    assert page.evaluate(f"{style}.backgroundColor") == "rgb(17, 17, 17)"
    assert page.evaluate(f"{style}.color") == "rgb(230, 230, 230)"


def test_compare_view_shows_runs_side_by_side_and_marks_the_larger_value(page):
    single = RunViewer(handoff_trace()).summary | {"title": "single", "handoffs": 0, "hops": 0}
    view = CompareView([handoff_trace(), handoff_trace()], ["team", "copy"])
    open_module(page, "compare.js", {"runs": [view.runs[0], single]})
    totals = page.get_by_role("table", name="Totals per run")
    assert totals.locator("thead").inner_text().split() == ["team", "single"]
    handoffs = totals.locator("tr", has_text="handoffs").inner_text().split()
    assert handoffs == ["handoffs", "1", "▲", "0"]  # the larger value is marked in text
    tokens = totals.locator("tr", has_text="tokens in").inner_text().split()
    assert tokens == ["tokens", "in", "280", "280"]  # equal: nothing marked
    per_agent = page.get_by_role("table", name="Per agent, team")
    assert "Triage 2 200 40 $0.002000 900.0 ms" in " ".join(per_agent.inner_text().split())


def test_ten_thousand_spans_open_and_step_without_freezing(page):
    trace = big_trace()
    started = time.perf_counter()
    viewer = RunViewer(trace)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    open_viewer(page, viewer)
    open_s = time.perf_counter() - started
    render_ms = page.evaluate("window.renderMs")
    steps_ms = page.evaluate("""() => {
        const app = document.getElementById('app');
        const t0 = performance.now();
        for (let i = 0; i < 200; i++) {
            app.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
        }
        return (performance.now() - t0) / 200;
    }""")
    assert page.locator(".al-position").inner_text().startswith("Step 201 / 7500")
    page.get_by_role("slider", name="Step").fill("7499")
    assert page.locator(".al-position").inner_text() == "Step 7500 / 7500: tool tool1"
    page.wait_for_selector(".al-detail :text('result 2499.1')")
    assert page.locator(".al-row").count() < 100  # only the rows on screen are drawn
    print(f"\n10,001 spans: index {index_s * 1000:.0f} ms in Python, page open {open_s:.2f} s, "
          f"render {render_ms:.1f} ms, {steps_ms:.2f} ms per step")  # fmt: skip
    assert render_ms < 2000 and steps_ms < 50  # generous: seen ~10 ms and ~1 ms here


def test_standalone_view_page_works_from_a_file_offline(page, tmp_path):
    handoff_trace().save(tmp_path / "support.jsonl")
    html = write_view(tmp_path / "support.jsonl")
    blocked: list[str] = []

    def offline(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(html.as_uri())
    page.wait_for_selector("#al-app[data-ready='1']")
    page.get_by_role("button", name="Open handoff Triage to Billing, hop 1").click()
    page.wait_for_selector(".al-detail :text('Messages that crossed (3)')")
    assert "refund the duplicate charge on order 42" in page.locator(".al-detail").inner_text()
    page.keyboard.press("ArrowRight")
    assert page.locator(".al-position").inner_text() == "Step 5 / 6: model gpt-4o-mini"
    assert blocked == []


@pytest.fixture(scope="module", params=["make report", "saved from JupyterLab + nbconvert"])
def report(request, tmp_path_factory) -> Path:
    """Both ways to a report: ``make report``, and a notebook saved with no widget state
    (what JupyterLab saves) converted with plain ``jupyter nbconvert --to html``."""
    folder = tmp_path_factory.mktemp("browser-report")
    path = write_demo_notebook(folder)
    if request.param == "make report":
        [html] = export_notebooks(folder, folder / "reports")
        return html
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(folder)}}).execute()  # fmt: skip
    nbformat.write(notebook, path)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(path)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    return path.with_suffix(".html")


def test_exported_report_shows_runs_and_charts_offline(page, report):
    blocked: list[str] = []

    def offline(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(url)  # nbconvert's template asks for MathJax and require.js
            route.abort()

    page.route("**/*", offline)
    page.goto(report.as_uri(), wait_until="load")
    for text in ("transfer_to_billing", "lookup_order", "✗ error"):
        assert page.locator(".al-snap", has_text=text).first.is_visible(), text
    intent = page.locator(".al-intent", has_text="refund the duplicate charge on order 42")
    assert intent.first.is_visible()
    crossed = page.locator(".al-snap details[open]", has_text="Handoff from Triage to Billing")
    assert crossed.first.is_visible()
    charts = page.evaluate("""() => [...document.images]
        .filter((img) => img.src.startsWith('data:image/svg+xml') && img.naturalWidth > 200)
        .map((img) => ({w: img.naturalWidth, svg: atob(img.src.split(',')[1]),
                        visible: img.getBoundingClientRect().height > 0}))""")  # fmt: skip
    [cost] = [c for c in charts if "Cost by agent" in c["svg"]]
    assert cost["visible"] and "mark-rect" in cost["svg"] and "Triage" in cost["svg"]
    assert page.locator("table", has_text="max hop").first.is_visible()  # al.compare
    assert all("agentlab" not in url and "vega" not in url for url in blocked)


def test_tree_can_be_used_from_the_keyboard(page):
    open_viewer(page, RunViewer(handoff_trace()))
    rows, position = page.locator(".al-row"), page.locator(".al-position")
    focused = "document.activeElement.getAttribute('aria-label')"
    page.keyboard.press("Tab")  # focus order: the first control is the step slider
    assert page.evaluate(focused) == "Step"  # (Previous is disabled on the first step)
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Next step"
    page.get_by_role("button", name="Collapse agent Triage").focus()
    page.keyboard.press("Enter")
    assert rows.count() == 6
    assert page.evaluate(focused) == "Expand agent Triage"  # focus stays on the caret
    page.keyboard.press("Enter")
    assert rows.count() == 10
    page.locator(".al-tree").focus()  # the tree: up/down select any row, Enter folds it
    assert page.locator(".al-row.al-selected").inner_text().startswith("model gpt-4o-mini")
    page.keyboard.press("ArrowUp")
    selected = page.locator(".al-row.al-selected")
    assert "agent Triage" in selected.inner_text()
    page.wait_for_selector(".al-detail :text('agent Triage')")
    active = page.evaluate(
        "document.querySelector('.al-tree').getAttribute('aria-activedescendant')"
    )
    assert active == selected.get_attribute("id")
    page.keyboard.press("Enter")
    assert rows.count() == 6
    page.keyboard.press("ArrowDown")  # the next visible row: the Billing agent
    assert "agent Billing" in page.locator(".al-row.al-selected").inner_text()
    page.keyboard.press("ArrowRight")  # steps still follow the arrows: step 2, inside Triage
    assert position.inner_text() == "Step 2 / 6: tool lookup_order"
    assert rows.count() == 10


def test_a_live_update_keeps_the_selection_and_asks_the_kernel_for_nothing_new(page):
    trace = handoff_trace()
    viewer = RunViewer(trace)
    open_viewer(page, viewer)
    page.locator(".al-row", has_text="agent Billing").click()  # a container, not a step
    page.wait_for_selector(".al-detail :text('agent Billing')")
    asked = page.evaluate("window.log.sent.length")
    page.evaluate("window.shown = document.querySelector('.al-detail').firstChild")
    page.evaluate("(s) => window.model.set('summary', s)", {**viewer.summary, "title": "Later"})
    assert page.locator(".al-summary strong").inner_text() == "Later"
    assert page.evaluate("document.querySelector('.al-detail').firstChild === window.shown")
    late = Span(50, 0, "limit", "late", None, 99.0, None, "running")  # the run goes on
    index = build_index(trace, [late])
    page.evaluate("(ix) => window.model.set('index', ix)", index)
    assert "agent Billing" in page.locator(".al-row.al-selected").inner_text()
    assert page.evaluate("window.log.sent.length") == asked  # its details were kept
    assert page.evaluate("window.model.get('step')") == 0
    page.locator(".al-row", has_text="limit late").click()
    assert "still running" in page.locator(".al-detail").inner_text()
    assert page.evaluate("window.log.sent.length") == asked  # nothing to ask yet


def test_a_step_past_the_last_shows_the_last_step(page):
    open_viewer(page, RunViewer(handoff_trace()))
    page.evaluate("window.model.set('step', 40)")  # as a kernel would, had it not refused
    assert page.locator(".al-position").inner_text().startswith("Step 6 / 6: limit")
    page.wait_for_selector(".al-detail :text('limit max_hops')")
    assert "running" not in page.locator(".al-detail").inner_text()
