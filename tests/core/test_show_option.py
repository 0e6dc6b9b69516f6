"""``run(..., show=True)``: a live viewer in a notebook, the span tree in a terminal."""

from __future__ import annotations

import types

import pytest

import agentlab as al
from agentlab.views.widgets import RunViewer


def chain() -> al.Chain:
    return al.Chain([al.Agent(name="Draft", model=al.ScriptedModel(["draft"])), str.upper])


def test_show_in_a_terminal_prints_the_span_tree_when_the_run_ends(capsys):
    run = chain().run_sync("go", show=True)
    printed = capsys.readouterr().out
    assert run.output == "DRAFT"
    assert "status: completed" in printed and "agent Draft" in printed
    assert printed.strip() == str(run).strip()


@pytest.fixture
def notebook(monkeypatch):
    """A stand-in for a Jupyter kernel: what ``display`` received, in order."""
    import IPython
    import IPython.display

    shown: list[object] = []
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    monkeypatch.setattr("agentlab.views.widgets.LIVE_INTERVAL_S", 0.0)  # redraw on every span
    return shown


def test_show_in_a_notebook_displays_a_live_viewer_before_the_run(notebook):
    seen_while_running: list[list[str]] = []

    def model(messages, tools):
        seen_while_running.append(list(notebook[0].index.get("kind", [])))
        return "answer"

    agent = al.Agent(name="Live", model=al.FunctionModel(model))
    run = agent.run_sync("go", show=True)
    (viewer,) = notebook
    assert isinstance(viewer, RunViewer)
    assert seen_while_running == [["run", "agent", "model"]]  # displayed before it ended
    assert viewer.trace is run.trace and viewer.summary["status"] == "completed"


async def test_await_run_with_show_follows_that_run_only(notebook):
    first = await chain().run("one", show=True)
    second = await chain().run("two")  # not shown: no second viewer, the first unchanged
    (viewer,) = notebook
    assert viewer.trace is first.trace and viewer.trace is not second.trace
