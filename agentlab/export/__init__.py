"""Exports: runs to OpenTelemetry (``otel``), notebooks to offline HTML reports (``report``).

May import: anything below it (the leaf modules, ``trace``, ``models``, ``core``,
``handoffs``, ``patterns``, ``experiment``). Names load on first use.
"""

from agentlab._lazy import lazy_exports

__all__ = ["OTelProcessor", "export_notebooks"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {"OTelProcessor": "agentlab.export.otel", "export_notebooks": "agentlab.export.report"},
)
