"""Traces: every run writes one, and everything else reads it.

What lives here: the span schema (``spans``), ``Trace`` and its open spans
(``trace``), processors that observe runs (``processors``), JSONL files (``jsonl``)
and the live exporter (``exporters``), ``to_pandas`` (``frame``), the read helpers
every view shares (``read``: tree order, totals, the cost rule, handoff records), and
``_views``, the one bridge up to the views (``Trace.show()``, ``print(run)``).

May import: the leaf modules only (``agentlab.errors``, ``messages``, ``usage`` and
the private helpers), plus ``agentlab.views`` from ``_views`` alone, inside functions.
"""

from agentlab.trace.exporters import JsonlExporter
from agentlab.trace.processors import (
    TraceProcessor,
    active_processors,
    add_processor,
    disabled,
    processing,
    remove_processor,
)
from agentlab.trace.read import HandoffContext, subtree_totals, sum_costs, tree_order
from agentlab.trace.spans import SPAN_KINDS, Span, SpanKind, SpanStatus, start_order
from agentlab.trace.trace import SpanHandle, Trace

__all__ = [
    "SPAN_KINDS",
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
    "disabled",
    "processing",
    "remove_processor",
    "start_order",
    "subtree_totals",
    "sum_costs",
    "tree_order",
]
