"""The run viewer live in JupyterLab (about 20-40 s): it renders offline, clicks reach the
Python side, and the live viewer fills in while a run goes.

Skips without Chromium (fails with AGENTLAB_REQUIRE_BROWSER=1), like test_browser.py.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from lab_server import jupyterlab, require_chromium
from test_browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TESTS = Path(__file__).resolve().parent.parent  # where trace_samples.py is

CELLS = [
    f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
    "import agentlab as al\nfrom trace_samples import handoff_trace\n"
    "viewer = al.show(handoff_trace())\nviewer",
    "live = al.show()\nlive",
    "from trace_samples import big_trace\nbig = al.show(big_trace())\nbig",
    "al.charts.cost_by_agent(handoff_trace())",  # the kit's default renderer: inline SVG
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    import nbformat

    root = tmp_path_factory.mktemp("lab")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}  # fmt: skip
    nbformat.write(notebook, root / "viewer.ipynb")
    with jupyterlab(root) as url:
        yield url


KERNEL = "jupyterapp.shell.currentWidget.sessionContext.session.kernel"
ASK = """async (code) => {
    let out = "";
    const future = KERNEL.requestExecute({code});
    future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") out += msg.content.text; };
    await future.done;
    return out;
}""".replace("KERNEL", KERNEL)


COLOURS = """() => {  // relative luminance of the viewer's background and text
    const style = getComputedStyle(document.querySelector('.al-viewer'));
    const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).map(Number);
                         return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
    return [lum(style.backgroundColor), lum(style.color)];
}"""


def _colours(page) -> tuple[str, str]:
    background, text = page.evaluate(COLOURS)
    return ("light" if background > 0.5 else "dark"), ("light" if text > 0.5 else "dark")


def test_viewer_runs_live_in_jupyterlab_offline(lab):
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab) else r.abort())
        page.goto(f"{lab}/lab/tree/viewer.ipynb")
        ready = "window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status"
        page.wait_for_function(f"{ready} === 'idle'", timeout=60_000)
        page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".al-viewer .al-row", timeout=30_000)
        viewer = page.locator(".al-viewer").first
        viewer.get_by_role("button", name="Next step").click()
        viewer.get_by_role("button", name="Next step").click()
        assert viewer.locator(".al-position").inner_text() == "Step 3 / 6: model gpt-4o-mini"
        viewer.locator(".al-detail").get_by_text("Received (4)").wait_for()  # asked the kernel
        assert page.evaluate(ASK, "print(viewer.step)").strip() == "2"
        page.evaluate(ASK, "viewer.step = 4")  # and Python moves the view
        viewer.locator(".al-position").get_by_text("Step 5 / 6: model gpt-4o-mini").wait_for()
        viewer.locator(".al-detail").get_by_text("Refund issued").first.wait_for()

        code = ("with al.processing(live):\n"
                "    al.Agent(name='LiveAgent', model=al.ScriptedModel(['hi'])).run_sync('go')\n"
                "print(json.dumps(live.index['kind']))")  # fmt: skip
        kinds = page.evaluate(ASK, "import json\n" + code).strip()
        assert json.loads(kinds) == ["run", "agent", "model"]
        live = page.locator(".al-viewer").nth(1)
        live.locator(".al-row", has_text="agent LiveAgent").wait_for()
        live.locator(".al-detail").get_by_text("Returned (1)").wait_for()
        slow = (
            "import time\ndef slow(messages, tools):\n    time.sleep(2)\n    return 'late'\n"
            "with al.processing(live):\n"
            "    al.Agent(name='SlowAgent', model=al.FunctionModel(slow)).run_sync('go')"
        )
        page.evaluate(f"(code) => {{ {KERNEL}.requestExecute({{code}}); }}", slow)  # no wait
        running = live.locator(".al-row.al-st-running", has_text="agent SlowAgent")
        running.wait_for(timeout=10_000)  # shown while the model call is still going
        assert "… running" in running.inner_text()  # in words, not only a colour
        live.locator(".al-row.al-st-ok", has_text="agent SlowAgent").wait_for(timeout=15_000)
        big = page.locator(".al-viewer").nth(2)
        big.locator(".al-row").first.wait_for()
        chart = page.locator(".jp-RenderedSVG img").first  # drawn offline, no vega from a CDN
        chart.wait_for()
        assert chart.evaluate("(img) => img.naturalWidth > 200 && img.complete")
        assert "Cost by agent" in chart.evaluate(
            "(img) => img.src.startsWith('data:') ? decodeURIComponent(img.src) : img.src"
        )
        page.evaluate("jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.wait_for_function("document.querySelectorAll('.al-viewer').length === 0")
        opened = time.monotonic()
        page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")  # again, timed
        page.wait_for_function("document.querySelectorAll('.al-viewer').length === 3 && "
                               "document.querySelectorAll('.al-viewer')[2].textContent"
                               ".includes('10001 spans')", timeout=30_000)  # fmt: skip
        shown_s = time.monotonic() - opened
        big.locator(".al-tree").focus()
        stepped = time.monotonic()
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        big.locator(".al-position").get_by_text("Step 21 / 7500").wait_for()
        big.locator(".al-detail").get_by_text("result 6.1").wait_for()  # from the kernel
        step_s = (time.monotonic() - stepped) / 20
        print(
            f"\nJupyterLab, 10,001 spans: shown {shown_s:.2f} s after run-all "
            f"({len(CELLS)} cells), {step_s * 1000:.0f} ms per step with its kernel round trip"
        )
        assert _colours(page) == ("light", "dark")  # light theme: dark text on light
        page.evaluate("jupyterapp.commands.execute('apputils:change-theme', "
                      "{theme: 'JupyterLab Dark'})")  # fmt: skip
        page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
        page.wait_for_function(f"({COLOURS})()[0] < 0.5", timeout=10_000)
        assert _colours(page) == ("dark", "light")  # the viewer follows the theme
        browser.close()
    assert time.monotonic() - started < 60
