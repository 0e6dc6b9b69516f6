"""Whether a run's times mean anything: scripted and simulated models answer at once.

A run whose every model call came from an offline model (scripted, function, ``sim:``)
given no ``latency_s``, and whose tools returned as fast, lasted a millisecond or so of
Python bookkeeping: two such runs differ in time by noise (0.6 ms vs 1.1 ms), which
reads like a finding. The views say so instead of showing that figure
(``— (scripted: no real latency)``). A model given ``latency_s`` (it really waits), a
real provider, and a replayed recording (its span keeps the recorded latency) keep
their times.

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> untimed(run.trace.spans)
True
>>> slow = al.Agent(name="Echo", model=al.ScriptedModel(["hi"], latency_s=0.02))
>>> untimed(slow.run_sync("hello").trace.spans)
False
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentlab.trace.spans import Span

SIMULATED_MODELS = ("scripted", "function:", "sim:")
"""Model span names of scripted, function and teaching-simulation models."""
NO_LATENCY_S = 0.005
"""A call shorter than this, from an offline model or a tool, did not wait for anything
(a real provider answers in tens of milliseconds at best; a scripted call takes ~0.1 ms)."""
NO_LATENCY_NOTE = "scripted: no real latency"


def is_simulated(span: Span) -> bool:
    """A model span answered by a scripted, function or simulated model (not a provider)."""
    return span.kind == "model" and (
        str(span.name).startswith(SIMULATED_MODELS) or span.attributes.get("offline") is True
    )


def no_real_latency(span: Span) -> bool:
    """True for a model call of a simulated model that took under ``NO_LATENCY_S`` (not a
    replay) and for a tool call that returned as fast; False for every other span."""
    if span.kind == "tool":
        return (span.duration_s or 0.0) < NO_LATENCY_S
    if not is_simulated(span) or span.attributes.get("replayed") is True:
        return False
    latency = span.attributes.get("latency_s")
    if not isinstance(latency, (int, float)) or isinstance(latency, bool):
        latency = span.duration_s or 0.0
    return float(latency) < NO_LATENCY_S


def untimed(spans: Iterable[Span]) -> bool:
    """True when the spans hold model calls and every model and tool call among them took
    no real latency: their times (and the run's) are noise, not a figure to compare."""
    calls = [s for s in spans if s.kind in ("model", "tool")]
    return any(s.kind == "model" for s in calls) and all(no_real_latency(s) for s in calls)
