"""Routing: a classifier labels the input, one specialised handler answers it.

Trace shape::

    router Support desk             attrs: routes, fallback
    ├─ agent Classifier             (or a tool span for a plain function classifier)
    ├─ route billing                attrs: label (raw), normalized, route, handler, fell_back
    └─ agent Billing                the handler, on the original input

Labels are compared normalised (case, whitespace and punctuation folded away, so
``" Billing."`` matches the route ``"billing"``). An unknown label goes to
``fallback`` (the route span says ``route="fallback"``, ``fell_back=True``); with no
fallback the run fails with ``al.DecisionError`` naming the label and the known ones.
A classifier that fails or stops ends the router the same way (no fallback then).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

from agentlab._json import as_text
from agentlab.core.context import RunContext
from agentlab.core.outcome import Outcome, failed_outcome
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError, DecisionError, DesignWarning
from agentlab.patterns._base import Pattern
from agentlab.patterns._steps import (
    as_handler,
    as_step,
    normalize,
)


class Router(Pattern):
    """Routing: a classifier (agent or function) labels the input; one handler answers.

    When to use: inputs fall into distinct categories that are better handled
    separately (sales / support / technical), and the category can be told reliably.
    Keep to 3-5 routes: with ~15 the classifier misroutes often (more than 5 gives an
    ``al.DesignWarning``); split further with a Router inside a Router.
    When not: the categories overlap or every input needs several handlers (use
    Parallel or an Orchestrator). Always give a ``fallback`` for labels you did not
    foresee.

    >>> import agentlab as al
    >>> classify = al.Agent(name="Classifier", model=al.ScriptedModel(["Billing."]))
    >>> billing = al.Agent(name="Billing", model=al.ScriptedModel(["Refund issued."]))
    >>> general = al.Agent(name="General", model=al.ScriptedModel(["Happy to help."]))
    >>> router = al.Router(classify, routes={"billing": billing}, fallback=general)
    >>> router.run_sync("I was charged twice").output
    'Refund issued.'
    """

    def __init__(
        self,
        classifier: Runnable | Callable[[Any], Any],
        routes: Mapping[str, Runnable],
        fallback: Runnable | None = None,
        *,
        name: str | None = None,
        limits: Any = None,
        description: str | None = None,
    ) -> None:
        self._configure(name, limits, description=description)
        self.classifier = as_step(classifier, "the Router's classifier")
        self.routes: dict[str, Runnable] = _check_routes(routes)
        self.fallback = None if fallback is None else as_handler(fallback, "fallback")
        self._by_label = {normalize(key): key for key in self.routes}
        if len(self.routes) > 5:
            warnings.warn(
                f"Router {self.name!r} has {len(self.routes)} routes; keep to 3-5 "
                "categories (the article's rule: with ~15 the classifier misroutes often). "
                "Merge routes, or route in two levels (a Router inside a Router).",
                DesignWarning,
                stacklevel=2,
            )

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        with ctx.span("router", self.name, parent_id) as span:
            span.attributes = {
                "routes": list(self.routes),
                "fallback": None if self.fallback is None else self.fallback.name,
            }
            label = await ctx.invoke(self.classifier, input, span.id)
            if label.ok:
                chosen = self._decide(label.output, ctx, span.id)
                if isinstance(chosen, Outcome):
                    outcome = chosen
                else:
                    outcome = await ctx.invoke(chosen, input, span.id)
            else:
                outcome = label
            span.output = outcome.output
            span.status = outcome.span_status
            span.error = outcome.stop_detail if not outcome.ok else None
        return outcome

    def _decide(self, raw: Any, ctx: RunContext, parent_id: int | str) -> Runnable | Outcome:
        """Write the ``route`` span; the handler to run, or a failed outcome."""
        label = as_text(raw)
        key = self._by_label.get(normalize(label))
        handler = self.routes[key] if key is not None else self.fallback
        route = key if key is not None else ("fallback" if handler is not None else None)
        name = route or (label if len(label) <= 40 else label[:39] + "…")
        with ctx.span("route", name, parent_id) as span:
            span.attributes = {
                "label": label,
                "normalized": normalize(label),
                "route": route,
                "handler": None if handler is None else handler.name,
                "fell_back": key is None and handler is not None,
            }
            if handler is None:
                error = DecisionError(
                    f"classifier {self.classifier.name!r} answered {label!r}, which is not a "
                    f"route of Router {self.name!r}; known routes: {', '.join(self.routes)}. "
                    "Give the Router a fallback=..., add a route for it, or tell the "
                    "classifier to answer with one of the known labels"
                )
                span.status, span.error = "error", str(error)
                return failed_outcome(error)
        return handler

    def _children(self) -> list[Runnable]:
        nested = [self.classifier, *self.routes.values()]
        return nested + ([self.fallback] if self.fallback is not None else [])

    def __repr__(self) -> str:
        fallback = f", fallback={self.fallback.name}" if self.fallback is not None else ""
        return f"Router({self.classifier.name} -> [{', '.join(self.routes)}]{fallback})"


def _check_routes(routes: Any) -> dict[str, Runnable]:
    if not isinstance(routes, Mapping) or not routes:
        raise ConfigError(
            f"Router routes must be a non-empty dict label -> runnable, got {routes!r}; e.g. "
            "routes={'billing': billing_agent, 'technical': tech_agent}"
        )
    checked: dict[str, Runnable] = {}
    seen: dict[str, str] = {}
    for key, handler in routes.items():
        if not isinstance(key, str) or not normalize(key):
            raise ConfigError(f"route labels must be non-empty text, got {key!r}")
        if normalize(key) in seen:
            raise ConfigError(
                f"routes {seen[normalize(key)]!r} and {key!r} are the same label once case, "
                "spaces and punctuation are ignored; rename one"
            )
        seen[normalize(key)] = key
        checked[key] = as_handler(handler, f"route {key!r}")
    return checked
