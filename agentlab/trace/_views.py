"""The one bridge from traces up to the views: ``Trace.show()``, ``Trace.pretty()``,
``print(run)`` and ``run(..., show=True)`` come through here.

Traces sit below the views (views read traces), so each function imports its view
inside the call: nothing here runs at import, and nothing else in ``trace/`` or
``core/`` imports ``agentlab.views``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentlab.trace.trace import Trace

TERMINAL = object()
"""What ``live_viewer`` returns outside a notebook: print the tree when the run ends."""


def text_tree(trace: Trace, *, max_spans: int) -> str:
    """The indented span tree of ``print(run)`` (``agentlab.views.text``)."""
    # bridge: a trace prints itself with the views' text tree (views read traces)
    from agentlab.views.text import format_trace

    return format_trace(trace, max_spans=max_spans)


def viewer(trace: Trace | None) -> Any:
    """The run viewer widget on ``trace`` (``agentlab.views.widgets``)."""
    # bridge: a trace opens the views' run viewer on itself (views read traces)
    from agentlab.views.widgets import show

    return show(trace)


def live_viewer() -> Any:
    """A live run viewer, displayed now, in a notebook; ``TERMINAL`` elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:
        return TERMINAL
    shell = get_ipython()
    if shell is None or not getattr(shell, "kernel", None):
        return TERMINAL  # plain Python or a terminal IPython: no widget can show
    from IPython.display import display

    viewer_widget = viewer(None)  # no trace yet: a live viewer for the run to come
    display(viewer_widget)  # type: ignore[no-untyped-call]
    return viewer_widget
