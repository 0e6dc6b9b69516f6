"""Evaluator-optimizer: generate, score, improve, until accepted or ``max_iterations``.

Trace shape::

    evaluator MinStack loop         attrs: max_iterations, accept
    ├─ iteration 1                  attrs: iteration, score, accepted
    │  ├─ agent Coder               the generator
    │  └─ evaluation Reviewer       attrs: score, feedback, accepted
    │     └─ agent Reviewer         your evaluator (a copy with output_type=Verdict
    │                               when it has no output_type of its own)
    ├─ iteration 2 ...
    └─ limit max_iterations         only when no attempt was accepted

The generator's first input is the run's input; each later input is that input, its
previous attempt (as an assistant message) and the evaluator's feedback (a user
message), so a generator agent sees a normal conversation. The evaluator gets the
task and the attempt as text. At ``max_iterations`` the run is "stopped"
(``stop_reason="max_iterations"``) and its output is the best-scored attempt, ties
going to the latest. An unparseable verdict (after one corrective retry) fails the run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from agentlab._format import safe_str
from agentlab._json import as_text
from agentlab.core.agent import Agent
from agentlab.core.context import RunContext
from agentlab.core.outcome import Outcome, failed_outcome, keep_partial
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError, MaxIterations
from agentlab.messages import Message, as_messages
from agentlab.patterns._base import Pattern
from agentlab.patterns._steps import (
    as_handler,
    function_name,
    input_text,
    numeric_field,
)


class EvaluatorOptimizer(Pattern):
    """Evaluator-optimizer: a generator writes, an evaluator scores and gives feedback.

    ``evaluator`` is an ordinary agent. Without an ``output_type`` of its own the
    pattern gives a copy of it ``output_type=Verdict`` (``{"score": <number>,
    "feedback": "<text>"}``); with one, that type is kept: ``accept`` then decides
    from your object (a function of it, or a threshold when it has a numeric
    ``score`` field), the generator's feedback is the object's JSON, and when no
    attempt is accepted the output is the best-scored attempt with a numeric score,
    else the latest. ``accept`` is required: a score threshold (accepted when
    ``score >= accept``) or a function of the verdict returning a bool.
    ``max_iterations`` is required to be a whole number >= 1: unbounded loops burn
    money.

    When to use: there are clear evaluation criteria and feedback measurably
    improves the result (code that must meet a spec, a translation with nuances).
    When not: the first attempt is usually good enough, or the evaluator cannot
    tell better from worse; each round costs a generation and an evaluation.

    >>> import agentlab as al
    >>> coder = al.Agent(name="Coder", model=al.ScriptedModel(["v1", "v2"]))
    >>> reviewer = al.Agent(name="Reviewer", model=al.ScriptedModel([
    ...     {"score": 5, "feedback": "getMin is O(n)"}, {"score": 9, "feedback": "good"}]))
    >>> loop = al.EvaluatorOptimizer(coder, reviewer, max_iterations=3, accept=8)
    >>> loop.run_sync("Write a MinStack with O(1) operations").output
    'v2'
    """

    def __init__(
        self,
        generator: Runnable,
        evaluator: Runnable,
        max_iterations: int | None = 5,
        accept: float | Callable[[Any], Any] | None = None,
        *,
        name: str | None = None,
        limits: Any = None,
        description: str | None = None,
    ) -> None:
        from agentlab.patterns.decisions import Verdict

        self._configure(name, limits, description=description)
        self.generator = as_handler(generator, "the generator")
        if not isinstance(evaluator, Agent):
            raise ConfigError(
                "the evaluator must be an al.Agent (it gets a copy with output_type=Verdict), "
                f"got {evaluator!r}"
            )
        self.evaluator = evaluator
        self.own_type = evaluator.output_type is not None  # the user's decision schema
        self._evaluator = evaluator if self.own_type else evaluator.clone(output_type=Verdict)
        self.max_iterations = _check_iterations(max_iterations)
        self.accept = _check_accept(accept)
        if self.own_type and not callable(self.accept) and not numeric_field(evaluator, "score"):
            raise ConfigError(
                f"accept={self.accept!r} is a score threshold, but the evaluator's "
                f"output_type {evaluator.output_type!r} has no numeric 'score' field; add "
                "one (score: float) or decide from your object with a function, e.g. "
                "accept=lambda review: review.approved"
            )

    @property
    def accept_rule(self) -> str:
        """``accept`` as text, for traces: ``"score >= 8"`` or the function's name."""
        if callable(self.accept):
            return function_name(self.accept, "function")
        return f"score >= {self.accept}"

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        with ctx.span("evaluator", self.name, parent_id) as span:
            span.attributes = {"max_iterations": self.max_iterations, "accept": self.accept_rule}
            best: tuple[float | None, int, Any] | None = None
            prompt: Any = input
            try:
                for iteration in range(1, self.max_iterations + 1):
                    outcome, verdict = await self._round(input, prompt, iteration, ctx, span.id)
                    score = score_of(verdict)
                    if verdict is not None and _better(score, best):
                        best = (score, iteration, outcome.output)
                    if verdict is None or outcome.ok:  # broke, or accepted
                        if verdict is None:  # the contract: the best-scored attempt
                            outcome.output = best[2] if best is not None else None
                        break
                    prompt = _next_input(input, outcome.output, verdict, self.own_type)
                else:
                    outcome = self._give_up(best, ctx, span.id)
            except BaseException as exc:  # a shared limit, a timeout, an interrupt
                keep_partial(exc, Outcome(best[2] if best else None))
                raise
            outcome.close(span)
            span.attributes["iterations"] = iteration
        return outcome

    async def _round(
        self, input: Any, prompt: Any, iteration: int, ctx: RunContext, parent_id: int | str
    ) -> tuple[Outcome, Any]:
        """One iteration span. (outcome, verdict): verdict None when something broke;
        outcome completed when accepted, "stopped" (status only) when rejected."""
        with ctx.span("iteration", str(iteration), parent_id) as span:
            span.attributes = {"iteration": iteration, "score": None, "accepted": False}
            made = await ctx.invoke(self.generator, prompt, span.id)
            if not made.ok:
                span.status, span.error = made.span_status, made.stop_detail
                return made, None
            judged, verdict = await self._evaluate(input, made.output, ctx, span.id)
            if verdict is None:
                span.status, span.error = judged.span_status, judged.stop_detail
                return judged, None
            accepted = judged.ok
            span.attributes.update(score=score_of(verdict), accepted=accepted)
            span.output = made.output
        return Outcome(
            made.output, "completed" if accepted else "stopped", agent=made.agent
        ), verdict

    async def _evaluate(
        self, input: Any, attempt: Any, ctx: RunContext, parent_id: int | str
    ) -> tuple[Outcome, Any]:
        """The evaluation span: (completed if accepted else stopped, verdict) or (broken, None)."""
        text = f"Task:\n{input_text(input)}\n\nAttempt:\n{as_text(attempt)}"
        with ctx.span("evaluation", self.evaluator.name, parent_id) as span:
            span.attributes = {"score": None, "feedback": None, "accepted": False}
            judged = await ctx.invoke(self._evaluator, text, span.id)
            if not judged.ok:
                span.status, span.error = judged.span_status, judged.stop_detail
                detail = f"the evaluator gave no usable verdict: {judged.stop_detail}"
                return Outcome(None, judged.status, judged.stop_reason, detail, judged.error), None
            verdict = judged.output
            span.attributes.update(
                score=score_of(verdict), feedback=getattr(verdict, "feedback", None)
            )
            try:
                if callable(self.accept):
                    accepted = bool(await ctx.call_user(span.id, self.accept, verdict))
                else:
                    accepted = score_of(verdict) >= self.accept  # type: ignore[operator]
            except Exception as exc:  # noqa: BLE001 - a broken accept rule fails the run
                span.status, span.error = "error", f"{type(exc).__name__}: {safe_str(exc)}"
                return failed_outcome(exc), None
            span.attributes["accepted"] = accepted
            span.output = verdict
        return Outcome(verdict, "completed" if accepted else "stopped"), verdict

    def _give_up(self, best: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        score, iteration, output = best
        which = (
            f"the latest attempt (iteration {iteration})"
            if score is None
            else f"the best-scored attempt (iteration {iteration}, score {score:g})"
        )
        stop = MaxIterations(
            f"max_iterations={self.max_iterations} reached without an accepted attempt "
            f"(accept: {self.accept_rule}); the output is {which}. Raise max_iterations, "
            "relax accept, or improve the generator",
            value=self.max_iterations,
            reached=self.max_iterations,
        )
        ctx.record_limit(parent_id, stop)
        return Outcome(output, "stopped", "max_iterations", str(stop))

    def _children(self) -> list[Runnable]:
        return [self.generator, self._evaluator]

    def __repr__(self) -> str:
        return (
            f"EvaluatorOptimizer({self.generator.name} <-> {self.evaluator.name}, "
            f"max_iterations={self.max_iterations}, accept={self.accept_rule})"
        )


def _next_input(input: Any, attempt: Any, verdict: Any, own_type: bool) -> list[Message]:
    """The run's input, the previous attempt and the feedback, as a conversation
    (with the user's own evaluator type, the feedback is that object's JSON)."""
    if own_type:
        feedback = f"An evaluator judged your attempt:\n{as_text(verdict)}"
    else:
        feedback = (
            f"An evaluator scored your attempt {verdict.score:g}. Feedback:\n{verdict.feedback}"
        )
    return [
        *as_messages(input),
        Message.assistant(as_text(attempt)),
        Message.user(f"{feedback}\n\nWrite an improved version that addresses the feedback."),
    ]


def _better(score: float | None, best: Any) -> bool:
    """Whether an attempt scored ``score`` replaces ``best`` (ties and unscored: the latest)."""
    return best is None or score is None or best[0] is None or score >= best[0]


def score_of(verdict: Any) -> float | None:
    """The verdict's numeric ``score``, or None (no such field, or not a number)."""
    score = getattr(verdict, "score", None)
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return None
    return float(score)


def _check_iterations(value: Any) -> int:
    if value is None:
        raise ConfigError(
            "max_iterations cannot be None: an unbounded loop burns money. Set a bound, "
            "e.g. max_iterations=5"
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"max_iterations={value!r} must be a whole number >= 1; e.g. 5")
    return value


def _check_accept(value: Any) -> float | Callable[[Any], Any]:
    if value is None:
        raise ConfigError(
            "accept is required: a score threshold (accept=8 accepts score >= 8) or a "
            "function of the verdict, e.g. accept=lambda v: v.score >= 8 and 'O(1)' in v.feedback"
        )
    if callable(value) or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ):
        return value  # type: ignore[no-any-return]
    raise ConfigError(
        f"accept must be a finite number or a function of the verdict, got {value!r}; e.g. accept=8"
    )
