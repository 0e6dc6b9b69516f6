"""Views: what a person looks at, computed from traces (and experiment results) only.

What lives here: ``data`` (what the run viewer shows: span index, details, summary,
redaction), ``widgets`` (the run viewer and compare widgets; front-end in the top-level
``widgets/`` folder, found by ``files``), ``charts`` and ``chart_data`` (altair charts
and their tables), ``snapshot`` (static HTML a saved notebook shows), ``page`` (the
standalone offline page), ``text`` (the terminal span tree).

May import: the leaf modules, ``agentlab.trace`` and ``agentlab.experiment``; never
``core``, ``models``, ``patterns`` or ``handoffs``: views read traces, not live objects.
Names load on first use (altair, anywidget).
"""

from agentlab._lazy import lazy_exports

__all__ = [
    "CompareView",
    "RunViewer",
    "charts",
    "compare",
    "format_trace",
    "show",
    "snapshot_html",
    "standalone_html",
]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CompareView": "agentlab.views.widgets",
        "RunViewer": "agentlab.views.widgets",
        "charts": "agentlab.views.charts",
        "compare": "agentlab.views.widgets",
        "format_trace": "agentlab.views.text",
        "show": "agentlab.views.widgets",
        "snapshot_html": "agentlab.views.snapshot",
        "standalone_html": "agentlab.views.page",
    },
)
