"""What the run viewer shows, computed from a trace only (so saved traces look like live ones).

The front-end gets a compact *index* (one row per span, as columns, in tree order) and
asks for one span's *detail* (its exact messages, output, attributes) when it is shown,
so a 10,000-span trace opens without shipping every message to the browser.

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> index = build_index(run.trace)
>>> index["kind"], [index["kind"][row] for row in index["steps"]]
(['run', 'agent', 'model'], ['model'])
>>> detail(run.trace, index["id"][2])["messages_out"]["items"][0]["content"]
'hi'
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from agentlab._format import clip
from agentlab._json import jsonable
from agentlab._redact import scrub as scrub_secrets
from agentlab._redact import secrets
from agentlab.trace.read import call_cost, hop_number, subtree_totals, tree_order
from agentlab.trace.spans import start_order
from agentlab.views.findings import findings_index
from agentlab.views.timing import NO_LATENCY_NOTE, untimed

if TYPE_CHECKING:
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace

# Spans a person steps through ("turns"); the others are containers shown in the tree.
STEP_KINDS = frozenset(
    {"model", "tool", "handoff", "gate", "route", "limit", "plan", "merge", "vote", "evaluation"}
)
_DETAIL_KEYS = (
    "limit", "value", "reached", "passed", "reason", "label", "route", "fell_back", "score",
    "accepted", "winner", "counts", "iteration", "hop", "intent",
)  # fmt: skip
MAX_TEXT = 20_000  # characters of one message or output sent to the front-end
MAX_MESSAGES = 200  # messages of one side of a span sent to the front-end (the latest ones)


_SECRETS: ContextVar[tuple[str, ...] | None] = ContextVar("agentlab_secrets", default=None)


@contextmanager
def secrets_read_once() -> Iterator[None]:
    """Read the key variables once for a whole view (not once per string scrubbed)."""
    token = _SECRETS.set(_secret_values())
    try:
        yield
    finally:
        _SECRETS.reset(token)


def _secret_values() -> tuple[str, ...]:
    found = _SECRETS.get()
    return tuple(value for _, value in secrets()) if found is None else found


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reading_secrets_once(function: Callable[_P, _R]) -> Callable[_P, _R]:
    @wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with secrets_read_once():
            return function(*args, **kwargs)

    return wrapper


def scrub(value: Any) -> Any:
    """``value`` with every known secret replaced by a marker (``agentlab._redact``), in
    strings and inside dicts and lists. Everything the viewer, the static snapshot and
    the standalone page show passes through here: a trace in memory is only redacted
    when it is saved, and a tool may well have returned a key.
    """
    return scrub_secrets(value, _secret_values())


def recorded_latency_s(kind: str, attributes: Any) -> float | None:
    """A replayed model call's recorded latency in seconds (its own span lasted ~1 ms).

    ``None`` for every other span: live calls, and recordings made in this run (their
    span already lasted the latency it recorded).
    """
    if kind != "model" or not isinstance(attributes, Mapping):
        return None
    latency = attributes.get("latency_s")
    if attributes.get("replayed") is not True or isinstance(latency, bool):
        return None
    return float(latency) if isinstance(latency, (int, float)) else None


def recorded_ms(span: Span) -> float | None:
    """``recorded_latency_s`` of a span, in ms (what the viewer shows, marked "recorded")."""
    latency = recorded_latency_s(span.kind, span.attributes)
    return None if latency is None else round(latency * 1000, 3)


def note_of(span: Span, width: int = 120) -> str:
    """A short description shown on a span's row: the error, a tool's result, a decision
    (secrets redacted before clipping, so no part of one is left)."""
    attrs = span.attributes
    if span.status in ("error", "stopped") and span.error:
        text = span.error
    elif span.kind == "tool":
        text = f"-> {span.output}"
    elif span.kind == "handoff":
        text = f"{attrs.get('from_agent')} -> {attrs.get('to_agent')}: {attrs.get('intent', '')}"
    else:
        text = " ".join(f"{k}={attrs[k]!r}" for k in _DETAIL_KEYS if k in attrs)
    return clip(scrub(text), width)


@_reading_secrets_once
def build_index(trace: Trace, extra: list[Span] | None = None) -> dict[str, Any]:
    """The span index the front-end draws: columns in tree order, steps and handoffs.

    ``ms`` is each span's own duration; ``rec_ms`` a replayed model call's recorded
    latency (else None), which the viewer shows instead, marked "recorded".
    ``extra`` adds spans that are still running (the live view); ``trace`` is the
    trace's id; ``findings`` what ``al.diagnose`` found (with their ``rows``) and
    ``flags`` per row the finding kinds that point at it (None for most rows).
    """
    spans = list(trace.spans) + list(extra or ())
    rows = tree_order(spans)
    t0 = min((s.start for s in spans), default=0.0)
    tin, tout, cost = subtree_totals(rows)
    index: dict[str, Any] = {
        "id": [s.id for s, _, _ in rows],
        "parent": [p for _, _, p in rows],
        "depth": [d for _, d, _ in rows],
        "kind": [s.kind for s, _, _ in rows],
        "name": scrub([s.name for s, _, _ in rows]),
        "agent": scrub([s.agent for s, _, _ in rows]),
        "status": [s.status for s, _, _ in rows],
        "t0": [round((s.start - t0) * 1000, 3) for s, _, _ in rows],
        "ms": [None if s.end is None else round((s.end - s.start) * 1000, 3) for s, _, _ in rows],
        "rec_ms": [recorded_ms(s) for s, _, _ in rows],
        "tin": tin,
        "tout": tout,
        "cost": cost,
        "note": [note_of(s) for s, _, _ in rows],
    }
    order = sorted(range(len(rows)), key=lambda r: start_order(rows[r][0]))
    findings, flags = findings_index(trace, index["id"])
    index["findings"] = scrub(findings)  # al.diagnose: listed, and a badge on each span
    index["flags"] = flags
    index["trace"] = trace.id  # the viewer keeps its cached details while this stays
    index["steps"] = [r for r in order if rows[r][0].kind in STEP_KINDS]
    index["handoffs"] = scrub(
        [
            {
                "row": r,
                "from": a.get("from_agent"),
                "to": a.get("to_agent"),
                "hop": a.get("hop"),
                "intent": a.get("intent"),
                "state": a.get("state"),
            }
            for r in order
            if rows[r][0].kind == "handoff"
            for a in [rows[r][0].attributes]
        ]
    )
    return index


@_reading_secrets_once
def message_data(trace: Trace, i: int) -> dict[str, Any]:
    """Message ``i`` as the viewer shows it: secrets redacted, long text clipped."""
    data: dict[str, Any] = (
        scrub(trace.messages[i].to_dict()) if 0 <= i < len(trace.messages) else {"role": "?"}
    )
    content = str(data.get("content", ""))
    if len(content) > MAX_TEXT:
        data["content"] = content[:MAX_TEXT] + f"… ({len(content) - MAX_TEXT} more characters)"
    data["index"] = i
    return data


def _messages(trace: Trace, indices: tuple[int, ...] | list[int]) -> dict[str, Any]:
    shown = list(indices)[-MAX_MESSAGES:]
    return {"items": [message_data(trace, i) for i in shown], "hidden": len(indices) - len(shown)}


def _jsonable(value: Any) -> Any:
    data = scrub(jsonable(value))
    text = json.dumps(data, ensure_ascii=False, default=str)
    return data if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


# per live trace: (the trace, its spans list, how many of them are in the dict, id -> span)
_LOOKUPS: dict[int, tuple[weakref.ref[Trace], list[Span], int, dict[Any, Span]]] = {}
_LOOKUPS_LOCK = threading.Lock()


def span_by_id(trace: Trace, span_id: Any) -> Span | None:
    """The span ``span_id`` of ``trace`` (the last one, should a file repeat an id), or None.

    The id -> span dict is built once per trace and extended as spans are appended (a
    live run), so every span's details (the standalone page) take linear time.
    """
    spans = trace.spans
    with _LOOKUPS_LOCK:
        ref, seen, done, by_id = _LOOKUPS.get(id(trace)) or (None, None, 0, {})
        if ref is None or ref() is not trace:
            ref, seen = weakref.ref(trace), None
            weakref.finalize(trace, _LOOKUPS.pop, id(trace), None)
        tail = spans[done - 1] if 0 < done <= len(spans) else None
        if seen is not spans or done > len(spans) or (tail and by_id.get(tail.id) is not tail):
            done, by_id = 0, {}  # a new list, or spans replaced rather than appended
        new = spans[done:]
        by_id.update((span.id, span) for span in new)  # the latest of an id wins
        _LOOKUPS[id(trace)] = (ref, spans, done + len(new), by_id)
        return by_id.get(span_id)


@_reading_secrets_once
def detail(trace: Trace, span_id: Any) -> dict[str, Any]:
    """Everything the viewer shows for one span: exact messages in and out, output, attributes.

    For a ``handoff`` span, ``messages_in`` is the default context, ``messages_out``
    exactly what the receiver got, and ``removed`` what a filter dropped.
    """
    span = span_by_id(trace, span_id)
    if span is None:
        return {"id": span_id, "missing": True}
    data: dict[str, Any] = {
        "id": span.id,
        "kind": span.kind,
        "name": scrub(span.name),
        "agent": scrub(span.agent),
        "status": span.status,
        "error": scrub(span.error),
        "model": span.model,
        "usage": None if span.usage is None else span.usage.to_dict(),
        "cost": _own_cost(span),
        "ms": None if span.end is None else round((span.end - span.start) * 1000, 3),
        "rec_ms": recorded_ms(span),
        "attributes": _jsonable(dict(span.attributes)),
        "output": _jsonable(span.output),
        "messages_in": _messages(trace, span.messages_in),
        "messages_out": _messages(trace, span.messages_out),
    }
    if span.kind == "handoff":
        data["removed"] = _removed(trace, span)
    return data


def _removed(trace: Trace, span: Span) -> dict[str, Any]:
    """What a handoff filter dropped: ``attributes["removed"]`` when it lists message
    indices, else the default context (``messages_in``) minus what crossed."""
    removed = span.attributes.get("removed")
    if isinstance(removed, (list, tuple)) and all(isinstance(i, int) for i in removed):
        return _messages(trace, list(removed))
    crossed = set(span.messages_out)
    return _messages(trace, [i for i in span.messages_in if i not in crossed])


def money_note(attrs: Mapping[str, Any]) -> str | None:
    """Why the run's money is unknown (models with no price), or None."""
    models = attrs.get("unpriced_models")
    if not models:
        return None
    names = ", ".join(map(str, models))
    guard = "; the money limit could not act" if attrs.get("cost_budget") else ""
    return f"money unknown: no price for {names} (give the model priced_as=...){guard}"


@_reading_secrets_once
def summary(trace: Trace, title: str | None = None) -> dict[str, Any]:
    """Totals and per-agent figures (model calls, tokens, money, model time), plus hops.

    ``time_note`` (the run's and each agent's) is set when those times are noise, not
    figures: every model call was scripted or simulated with no latency (``timing.py``).
    """
    agents: dict[str, dict[str, Any]] = {}
    calls: dict[str, list[Span]] = {}  # each agent's model spans, for its time_note
    for span in trace.spans:
        if span.kind != "model":
            continue
        name = span.agent or "?"
        zero = {"agent": name, "calls": 0, "tokens_in": 0, "tokens_out": 0, "cost": 0.0}
        row = agents.setdefault(name, {**zero, "time_s": 0.0})
        calls.setdefault(name, []).append(span)
        row["calls"] += 1
        if span.usage is not None:
            row["tokens_in"] += span.usage.input_tokens
            row["tokens_out"] += span.usage.output_tokens
        cost, known = call_cost(span)
        row["cost"] = None if row["cost"] is None or not known else row["cost"] + cost
        row["time_s"] += span.duration_s or 0.0
    try:
        root: Span | None = trace.root
    except LookupError:
        root = None
    attrs = root.attributes if root is not None else {}
    usage = trace.usage
    handoffs = [s for s in trace.spans if s.kind == "handoff"]
    figures: dict[str, Any] = {
        "title": title or (root.name if root is not None else "run (running)"),
        "status": attrs.get("status", "running" if root is None else root.status),
        "stop_reason": attrs.get("stop_reason"),
        "stop_detail": attrs.get("stop_detail"),
        "unpriced": money_note(attrs),
        "spans": len(trace.spans),
        "messages": len(trace.messages),
        "tokens_in": usage.input_tokens,
        "tokens_out": usage.output_tokens,
        "cost": trace.cost,
        "time_s": None if root is None else root.duration_s,
        "hops": max((hop_number(s.attributes.get("hop")) for s in handoffs), default=0),
        "handoffs": len(handoffs),
        "time_note": NO_LATENCY_NOTE if untimed(trace.spans) else None,
        "agents": [
            {**agents[name], "time_note": NO_LATENCY_NOTE if untimed(calls[name]) else None}
            for name in sorted(agents)
        ],
    }
    return dict(scrub(figures))


def _own_cost(span: Any) -> float | None:
    """A span's own cost under the cost rule: a model call that failed or was cancelled
    before any answer costs a known 0 (not ``$?``); an answered one without a price None."""
    if span.kind != "model":
        return span.cost_usd  # type: ignore[no-any-return]
    cost, known = call_cost(span)
    return cost if known else None
