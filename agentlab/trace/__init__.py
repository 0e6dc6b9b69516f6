"""Traces: every run writes one, and everything else reads it.

What lives here: the span schema (``spans``), ``Trace`` and its open spans
(``trace``), processors that observe runs (``processors``), JSONL files (``jsonl``)
and the live exporter (``exporters``), ``to_pandas`` (``frame``), the read helpers
every view shares (``read``: tree order, totals, the cost rule, handoff records), the
diagnosis (``findings``: ``Finding`` and its kinds; ``rules_*``; ``diagnose``), and
``_views``, the one bridge up to the views (``Trace.show()``, ``print(run)``).

May import: the leaf modules only (``agentlab.errors``, ``messages``, ``usage`` and
the private helpers), plus ``agentlab.views`` from ``_views`` alone, inside functions.
Names load on first use, so importing one module of the package loads only what it needs.
"""

from typing import TYPE_CHECKING

from agentlab._lazy import lazy_exports

__all__ = [
    "FINDING_KINDS",
    "SPAN_KINDS",
    "Finding",
    "HandoffContext",
    "JsonlExporter",
    "Span",
    "SpanHandle",
    "SpanKind",
    "SpanStatus",
    "Trace",
    "TraceProcessor",
    "active_processors",
    "add_processor",
    "diagnose",
    "disabled",
    "processing",
    "remove_processor",
    "start_order",
    "subtree_totals",
    "sum_costs",
    "tree_order",
]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "FINDING_KINDS": "agentlab.trace.findings",
        "Finding": "agentlab.trace.findings",
        "diagnose": "agentlab.trace.diagnose",
        "HandoffContext": "agentlab.trace.read",
        "JsonlExporter": "agentlab.trace.exporters",
        "SPAN_KINDS": "agentlab.trace.spans",
        "Span": "agentlab.trace.spans",
        "SpanHandle": "agentlab.trace.trace",
        "SpanKind": "agentlab.trace.spans",
        "SpanStatus": "agentlab.trace.spans",
        "Trace": "agentlab.trace.trace",
        "TraceProcessor": "agentlab.trace.processors",
        "active_processors": "agentlab.trace.processors",
        "add_processor": "agentlab.trace.processors",
        "disabled": "agentlab.trace.processors",
        "processing": "agentlab.trace.processors",
        "remove_processor": "agentlab.trace.processors",
        "start_order": "agentlab.trace.spans",
        "subtree_totals": "agentlab.trace.read",
        "sum_costs": "agentlab.trace.read",
        "tree_order": "agentlab.trace.read",
    },
)

if TYPE_CHECKING:  # what static tools see
    from agentlab.trace.diagnose import diagnose as diagnose
    from agentlab.trace.exporters import JsonlExporter as JsonlExporter
    from agentlab.trace.findings import FINDING_KINDS as FINDING_KINDS
    from agentlab.trace.findings import Finding as Finding
    from agentlab.trace.processors import (
        TraceProcessor as TraceProcessor,
    )
    from agentlab.trace.processors import (
        active_processors as active_processors,
    )
    from agentlab.trace.processors import (
        add_processor as add_processor,
    )
    from agentlab.trace.processors import (
        disabled as disabled,
    )
    from agentlab.trace.processors import (
        processing as processing,
    )
    from agentlab.trace.processors import (
        remove_processor as remove_processor,
    )
    from agentlab.trace.read import (
        HandoffContext as HandoffContext,
    )
    from agentlab.trace.read import (
        subtree_totals as subtree_totals,
    )
    from agentlab.trace.read import (
        sum_costs as sum_costs,
    )
    from agentlab.trace.read import (
        tree_order as tree_order,
    )
    from agentlab.trace.spans import (
        SPAN_KINDS as SPAN_KINDS,
    )
    from agentlab.trace.spans import (
        Span as Span,
    )
    from agentlab.trace.spans import (
        SpanKind as SpanKind,
    )
    from agentlab.trace.spans import (
        SpanStatus as SpanStatus,
    )
    from agentlab.trace.spans import (
        start_order as start_order,
    )
    from agentlab.trace.trace import SpanHandle as SpanHandle
    from agentlab.trace.trace import Trace as Trace
