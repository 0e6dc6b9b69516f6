"""The run viewer and compare widgets (anywidget; front-end in ``widgets/*.js``).

``al.show(run)`` steps through a run turn by turn (previous / next buttons, a slider,
the left and right arrow keys; in the span tree up/down select any span and
Enter folds it), shows the exact messages each step received and
returned, tool calls with arguments and results, and every handoff's context. It reads
the trace only, so a trace loaded from disk looks exactly like a live one. A model call
replayed from a cassette shows the latency it was recorded with, as "0.93 s recorded"
(the replay itself took about 1 ms; hover the time to see both).

    >>> viewer = al.show(run)  # doctest: +SKIP
    >>> viewer.step = 3  # jump to a step from Python; clicks update it too  # doctest: +SKIP
    >>> al.compare(manager_run, team_run)  # side by side, per agent  # doctest: +SKIP

``al.show`` takes a run, ``run.trace`` or ``al.Trace.load("trace.jsonl")``.

Live view: ``viewer = al.show()`` with no run is also a trace processor; runs started in
``with al.processing(viewer):`` (or after ``al.add_processor(viewer)``) appear as they go.

The front-end gets a compact span index and asks for one span's details (its messages)
when it is shown, so 10,000-span traces open and step without freezing. Every widget
also carries a static ``text/html`` snapshot (``agentlab.export.report.snapshot_html``), which
exported notebooks show without a kernel.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from agentlab.errors import ConfigError
from agentlab.trace.trace import Trace
from agentlab.views.data import build_index, detail, summary
from agentlab.views.files import widget_file
from agentlab.views.snapshot import compare_html, snapshot_html

if TYPE_CHECKING:
    from agentlab.core.run import Run
    from agentlab.messages import Message
    from agentlab.trace.spans import Span

LIVE_INTERVAL_S = 0.25  # the live view redraws at most this often while a run goes
LIVE_TEXT_CHARS = 2000  # the live view shows the end of a long streamed answer


def _trace_of(value: Any, caller: str = "al.show()") -> Trace:
    if isinstance(value, Trace):
        return value
    trace = getattr(value, "trace", None)
    if isinstance(trace, Trace):
        return trace
    hint = "pass run, run.trace or al.Trace.load('trace.jsonl')"
    if isinstance(value, (list, tuple)) or hasattr(value, "traces"):
        hint = "to see several runs side by side use al.compare(run_a, run_b); " + hint
    raise ConfigError(f"{caller} takes a Run or a Trace, got {type(value).__name__}; {hint}")


class RunViewer(anywidget.AnyWidget):  # type: ignore[misc]
    """Step through one run; inspect each turn's messages and each handoff's context.

    >>> viewer = RunViewer(run.trace)  # doctest: +SKIP
    >>> viewer.step  # the step shown (0-based); set it to jump  # doctest: +SKIP
    0
    """

    _esm = widget_file("viewer.js")
    _css = widget_file("viewer.css")
    index = traitlets.Dict().tag(sync=True)
    summary = traitlets.Dict().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    live_text = traitlets.Unicode("").tag(sync=True)  # a streamed model answer, arriving

    def __init__(
        self, trace: Trace | None = None, *, title: str | None = None, max_static_spans: int = 500
    ) -> None:
        super().__init__()
        self.trace = trace
        self.max_static_spans = max_static_spans
        self._title = title
        self._running: dict[Any, Span] = {}
        self._live_span: Any = None
        self._live = ""
        self._lock = threading.Lock()
        self._last_push = 0.0
        self._timer: threading.Timer | None = None  # the pending redraw of the live view
        self.on_msg(self._on_front_end_message)
        if trace is not None:
            self.refresh()

    @traitlets.validate("step")
    def _valid_step(self, proposal: Any) -> int:
        """A step of the run: ``viewer.step = 99`` past the last one says so."""
        step = int(proposal["value"])
        last = len(self.index.get("steps", ())) - 1
        if 0 <= step <= max(last, 0):
            return step
        if "step" in self._property_lock:  # from the front-end, which had an older index
            return max(0, min(step, last))
        steps = "no steps yet" if last < 0 else f"{last + 1} steps: give 0 to {last}"
        raise traitlets.TraitError(f"no such step {step}: this run has {steps}")

    def refresh(self) -> None:
        """Recompute the index and summary from the trace (the live view calls this)."""
        if self.trace is None:
            return
        with self._lock:
            running = list(self._running.values())
            index = build_index(self.trace, running)
            head = summary(self.trace, self._title)
        self.set_trait("index", index)
        self.set_trait("summary", head)
        self.title = head["title"]

    def detail(self, span_id: Any) -> dict[str, Any]:
        """What the viewer shows for one span (its exact messages, output, attributes)."""
        if self.trace is None:
            return {"id": span_id, "missing": True}
        return detail(self.trace, span_id)

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "detail":
            span_id = content.get("id")
            self.send({"type": "detail", "id": span_id, "data": self.detail(span_id)})

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/html"] = self.static_html()
        return bundle

    def static_html(self) -> str:
        """The snapshot a saved notebook shows without a kernel (span tree + handoffs)."""
        if self.trace is None:
            return "<div class='al-snap'>agentlab run viewer: waiting for a run</div>"
        return snapshot_html(self.trace, max_spans=self.max_static_spans, title=self._title)

    # -- live view: a trace processor --------------------------------------------------
    def on_span_start(self, trace: Trace, span: Span) -> None:
        if span.parent_id is None and (self.trace is None or self.trace is not trace):
            self.trace = trace  # follow the latest run started while watching
            self._running.clear()
        if trace is self.trace:
            with self._lock:
                self._running[span.id] = span
            self._push()

    def on_span_end(self, trace: Trace, span: Span) -> None:
        if trace is not self.trace:
            return
        with self._lock:
            self._running.pop(span.id, None)
        if span.parent_id is None:
            self.set_trait("live_text", "")  # the run ended: the trace shows every answer
        self._push(force=span.parent_id is None)

    def on_message(self, trace: Trace, index: int, message: Message) -> None:
        return None

    def on_text_delta(self, trace: Trace, span_id: Any, text: str) -> None:
        """Show a model's answer as it arrives (the last ``LIVE_TEXT_CHARS`` of it)."""
        if trace is not self.trace:
            return
        with self._lock:
            if span_id != self._live_span:
                self._live_span, self._live = span_id, ""
            self._live = (self._live + text)[-LIVE_TEXT_CHARS:]
            live = self._live
        self.set_trait("live_text", live)

    def _push(self, force: bool = False) -> None:
        """Redraw now, or once the interval is up (so a long call still shows as running)."""
        with self._lock:
            wait = LIVE_INTERVAL_S - (time.monotonic() - self._last_push)
            if not force and wait > 0:
                if self._timer is None:
                    self._timer = threading.Timer(wait, self._push, kwargs={"force": True})
                    self._timer.daemon = True
                    self._timer.start()
                return
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._last_push = time.monotonic()
        self.refresh()


class CompareView(anywidget.AnyWidget):  # type: ignore[misc]
    """Runs side by side: status, tokens, money, time, handoffs and hops, per agent."""

    _esm = widget_file("compare.js")
    _css = widget_file("viewer.css")
    runs: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)

    def __init__(self, traces: list[Trace], titles: list[str]) -> None:
        super().__init__()
        self.traces = traces
        self.runs = [summary(t, title) for t, title in zip(traces, titles, strict=True)]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/html"] = compare_html(self.runs)
        return bundle


def show(trace_or_run: Trace | Run | None = None, *, title: str | None = None) -> RunViewer:
    """The run viewer for a run or trace; with no argument, a live viewer for the next run.

    >>> al.show(run)                          # doctest: +SKIP
    >>> viewer = al.show()                    # doctest: +SKIP
    >>> with al.processing(viewer):           # doctest: +SKIP
    ...     run = await team.run("I was charged twice")
    """
    if trace_or_run is None:
        return RunViewer(title=title)
    return RunViewer(_trace_of(trace_or_run), title=title)


def compare(
    run_a: Trace | Run, run_b: Trace | Run, *more: Trace | Run, titles: list[str] | None = None
) -> CompareView:
    """Two (or more) runs side by side: per-agent tokens, money, time, handoffs, hops.

    >>> al.compare(manager_run, team_run, titles=["manager", "transfer"])  # doctest: +SKIP
    """
    values = [run_a, run_b, *more]
    traces = [_trace_of(v, "al.compare()") for v in values]
    if titles is None:
        names = _caller_names(values, sys._getframe(1))
        titles = [f"{names[i] or chr(65 + i)}: {summary(t)['title']}" for i, t in enumerate(traces)]
    if len(titles) != len(traces):
        raise ConfigError(
            f"compare() got {len(traces)} runs but {len(titles)} titles; give one title per run"
        )
    return CompareView(traces, list(titles))


def _caller_names(values: list[Any], frame: Any) -> list[str | None]:
    """The variable each value is bound to in the caller (``al.compare(bad, good)`` gives
    "bad" and "good"), or None where it has no single public name (``runs[0]``)."""
    names: list[str | None] = []
    scopes = {**frame.f_globals, **frame.f_locals}
    for value in values:
        found = {k for k, v in scopes.items() if v is value and not k.startswith("_")}
        names.append(found.pop() if len(found) == 1 else None)
    named = [n for n in names if n]
    if len(set(named)) < len(named):  # the same run twice: letters keep the columns apart
        return [None] * len(names)
    return names
