"""How ``Parallel.vote`` picks one answer from its candidates, in a ``vote`` span.

The span's attrs: ``rule`` (majority, first, a function's name, or the judge's
name), ``candidates`` (every attempt as text, None for failed ones, in branch order),
``counts`` (normalised answer -> how many attempts gave it, in first-seen order),
``winner`` (the chosen answer, normalised like the keys of ``counts``) and
``winner_index`` (the branch index of the attempt that is the output, None when a
function or non-agent judge returned something that is not a candidate; the span's
output is the chosen answer as written).

Rules:

- ``"majority"``: the normalised answer with the most votes; on a tie, the one seen
  first in branch order. The output is that answer as the first attempt wrote it.
- ``"first"``: the first successful attempt in branch order.
- a function: gets the successful answers (in branch order), returns the chosen one.
- a judge runnable: gets the task and the numbered successful candidates as text. An
  ``al.Agent`` judge is given a copy with ``output_type=Choice`` and answers
  ``{"choice": <number>, "reason": "..."}``; any other runnable's output is the pick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from agentlab._json import as_text
from agentlab.core.agent import Agent
from agentlab.core.context import RunContext
from agentlab.core.outcome import Outcome, failed_outcome
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError, DecisionError, LimitExceeded
from agentlab.patterns._steps import (
    field_of,
    function_name,
    input_text,
    normalize,
    numeric_field,
)

_RULES = ("majority", "first")


class Picker:
    """One vote rule, applied to a Parallel block's outcomes."""

    def __init__(self, pick: str | Callable[[list[Any]], Any] | Runnable) -> None:
        self.judge: Runnable | None = None
        self.fn: Callable[[list[Any]], Any] | None = None
        self.structured = False
        if isinstance(pick, str):
            if pick not in _RULES:
                raise ConfigError(
                    f"pick={pick!r} is not a rule; use 'majority', 'first', a function of "
                    "the list of answers, or a judge agent"
                )
            self.rule = pick
        elif isinstance(pick, Runnable):
            from agentlab.patterns.decisions import Choice

            self.structured = isinstance(pick, Agent)
            if isinstance(pick, Agent) and pick.output_type is not None:
                if not numeric_field(pick, "choice", integer=True):
                    raise ConfigError(
                        f"the judge's output_type {pick.output_type!r} cannot serve for a "
                        "vote: it needs an integer field choice (the candidate's number, "
                        "from 1), e.g. choice: int. Or leave output_type unset and the "
                        "judge answers al.Choice"
                    )
                self.judge = pick  # the user's own decision schema, kept
            else:
                self.judge = pick.clone(output_type=Choice) if isinstance(pick, Agent) else pick
            self.rule = pick.name
        elif callable(pick):
            self.fn = pick
            self.rule = function_name(pick, "function")
        else:
            raise ConfigError(
                f"pick must be 'majority', 'first', a function or a judge runnable, got {pick!r}"
            )

    def children(self) -> list[Runnable]:
        return [self.judge] if self.judge is not None else []

    async def decide(
        self,
        input: Any,
        labels: tuple[str, ...],
        outcomes: list[Outcome],
        ctx: RunContext,
        parent_id: int | str,
    ) -> Outcome:
        good = [(i, o.output) for i, o in enumerate(outcomes) if o.ok]
        counts: dict[str, int] = {}
        for _, value in good:
            counts[normalize(value)] = counts.get(normalize(value), 0) + 1
        with ctx.span("vote", self.rule, parent_id) as span:
            span.attributes = {
                "rule": self.rule,
                "winner": None,
                "winner_index": None,
                "counts": counts,
                "candidates": [as_text(o.output) if o.ok else None for o in outcomes],
            }
            try:
                outcome, index = await self._pick(input, good, counts, ctx, span.id)
            except (LimitExceeded, asyncio.CancelledError):
                raise
            except Exception as exc:  # noqa: BLE001 - a broken pick rule fails the block
                outcome, index = failed_outcome(exc), None
            if outcome.ok:
                span.attributes.update(winner=normalize(outcome.output), winner_index=index)
            else:
                span.status = "stopped" if outcome.status == "stopped" else "error"
                span.error = outcome.stop_detail
            span.output = outcome.output
        return outcome

    async def _pick(
        self,
        input: Any,
        good: list[tuple[int, Any]],
        counts: dict[str, int],
        ctx: RunContext,
        parent_id: int | str,
    ) -> tuple[Outcome, int | None]:
        if self.rule == "majority" and self.judge is None and self.fn is None:
            top = max(counts.values())
            winner = next(key for key, count in counts.items() if count == top)
            index, value = next((i, v) for i, v in good if normalize(v) == winner)
            return Outcome(value), index
        if self.rule == "first" and self.judge is None and self.fn is None:
            return Outcome(good[0][1]), good[0][0]
        if self.fn is not None:
            value = await ctx.call_user(parent_id, self.fn, [v for _, v in good])
            return Outcome(value), _index_of(value, good)
        assert self.judge is not None
        return await self._ask_judge(input, good, ctx, parent_id)

    async def _ask_judge(
        self, input: Any, good: list[tuple[int, Any]], ctx: RunContext, parent_id: int | str
    ) -> tuple[Outcome, int | None]:
        assert self.judge is not None
        numbered = "\n\n".join(f"[{n}] {as_text(v)}" for n, (_, v) in enumerate(good, 1))
        prompt = (
            f"Task:\n{input_text(input)}\n\nCandidates:\n{numbered}\n\n"
            "Pick the best candidate by its number."
        )
        outcome = await ctx.invoke(self.judge, prompt, parent_id)
        if not outcome.ok:
            return outcome, None
        if not self.structured:
            return outcome, _index_of(outcome.output, good)
        choice = field_of(outcome.output, "choice")
        if not 1 <= choice <= len(good):
            error = DecisionError(
                f"judge {self.judge.name!r} picked candidate {choice}, but the candidates "
                f"are numbered 1 to {len(good)}"
            )
            return failed_outcome(error), None
        index, value = good[choice - 1]
        return Outcome(value, agent=outcome.agent), index


def _index_of(value: Any, good: list[tuple[int, Any]]) -> int | None:
    """The branch index of the first candidate equal (normalised) to ``value``."""
    wanted = normalize(value)
    return next((i for i, v in good if normalize(v) == wanted), None)
