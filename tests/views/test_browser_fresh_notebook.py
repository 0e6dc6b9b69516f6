"""A committed notebook opened fresh in JupyterLab (untrusted, nothing run) shows its
charts and run snapshots, and is not marked modified; screenshots go to test-artifacts/.

Skips without Chromium (fails with AGENTLAB_REQUIRE_BROWSER=1), like test_browser.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lab_server import jupyterlab, require_chromium
from test_browser import CHROMIUM_ARGS, open_viewer
from trace_samples import handoff_trace

from agentlab.views.widgets import RunViewer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("fresh")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")  # as a clone has them
    with jupyterlab(root, env={"JUPYTER_DATA_DIR": str(root / ".data")}) as url:  # no trust db
        yield url


@pytest.mark.parametrize("name", ["00_tour"])
def test_a_committed_notebook_opens_rendered_and_unmodified(lab, name):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)  # fmt: skip
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab) else r.abort())
        page.goto(f"{lab}/lab/tree/notebooks/{name}.ipynb")
        ready = "window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status"
        page.wait_for_function(f"{ready} === 'idle'", timeout=60_000)
        page.wait_for_timeout(1500)  # let kernel info and metadata settle
        chart = page.locator(".jp-RenderedImage img").first  # the PNG: no SVG when untrusted
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("(img) => img.complete && img.naturalWidth > 200")
        snap = page.locator(".al-snap").first  # the run snapshot, styled without <style>
        snap.scroll_into_view_if_needed()
        assert snap.evaluate("(el) => getComputedStyle(el).borderTopStyle") == "solid"
        weight = page.locator(".al-snap .nm").first.evaluate(
            "(el) => getComputedStyle(el).fontWeight"
        )
        assert int(weight) >= 600
        assert page.locator(".jp-RenderedSVG").count() == 0  # untrusted: SVG not shown
        snap.screenshot(path=str(ARTIFACTS / f"fresh_{name}_snapshot.png"))
        chart.screenshot(path=str(ARTIFACTS / f"fresh_{name}_chart.png"))
        page.screenshot(path=str(ARTIFACTS / f"fresh_{name}.png"))
        dirty = "jupyterapp.shell.currentWidget.content.model.dirty"
        assert page.evaluate(dirty) is False, "opened unedited, the notebook is already modified"
        browser.close()


def test_viewer_after_the_fixes_screenshot(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)  # fmt: skip
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        open_viewer(page, RunViewer(handoff_trace()))
        page.locator(".al-row", has_text="model gpt-4o-mini").last.click()
        page.wait_for_selector(".al-detail .al-msg-head")
        page.screenshot(path=str(ARTIFACTS / "viewer_after_fixes.png"))
        page.locator(".al-row", has_text="agent Billing").click()
        assert page.locator(".al-position").inner_text().startswith("agent Billing")
        browser.close()
