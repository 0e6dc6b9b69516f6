"""Parallelization: several runnables on the same input at once, then merge or vote.

Trace shape::

    parallel Review                 attrs: branches, max_concurrency, on_error, failed
    ├─ branch Grammar               attrs: index; status error if that branch failed
    │  └─ agent Grammar
    ├─ branch Facts ...
    └─ merge Editor                 attrs: inputs (how many outputs were merged)
       └─ agent Editor

Branches are asyncio tasks started in index order (so a shared ``ScriptedModel``
hands out responses in branch order when latencies are equal) and really overlap;
``max_concurrency`` caps how many run at once. A branch that fails or stops is
marked in its ``branch`` span and left out; the others are kept. With
``on_error="fail"`` the first such branch ends the block with its status, and the
branches still running are cancelled (their spans say so). If every branch fails,
the block fails with the first branch's error.

Output: ``merge`` as a runnable gets the branch outputs as labelled text
(``### <branch>`` headers, failed branches named as failed); ``merge`` as a function
gets the list of successful outputs in branch order; no merge gives the list of
outputs, with None for the branches that failed. Voting (``Parallel.vote``) is in
``patterns/vote.py``. ``Parallel.map(runnable, split)`` runs one runnable over the
pieces ``split(input)`` gives, one branch each (labelled ``<name> #1``, ``#2``, ...).

>>> import agentlab as al
>>> al.Parallel.map(str.upper, split=lambda text: text.split(",")).run_sync("a,b").output
['A', 'B']
"""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from agentlab._json import as_text
from agentlab.core.context import RunContext
from agentlab.core.ctx import call_with_value
from agentlab.core.outcome import Outcome, failed_outcome, keep_partial
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError, LimitExceeded
from agentlab.patterns._base import Pattern
from agentlab.patterns._steps import as_step, function_name, step_input
from agentlab.patterns.vote import Picker

_ON_ERROR = ("continue", "fail")


class Parallel(Pattern):
    """Sectioning: different branches on the same input at once, then one merge.

    When to use: independent subtasks that can run side by side (grammar, facts and
    style checks of one draft; one change analysed for several stakeholder groups), or
    several looks at the same task for confidence (``Parallel.vote``). Latency is
    the slowest branch, not the sum.
    When not: the subtasks depend on each other (use a Chain); cost grows linearly
    with the number of branches, so add a branch only when it earns its price.

    >>> import agentlab as al
    >>> grammar = al.Agent(name="Grammar", model=al.ScriptedModel(["No typos."]))
    >>> style = al.Agent(name="Style", model=al.ScriptedModel(["Too long."]))
    >>> review = al.Parallel([grammar, style], merge=lambda notes: " ".join(notes))
    >>> review.run_sync("Check this draft").output
    'No typos. Too long.'
    """

    def __init__(
        self,
        branches: Sequence[Runnable | Callable[[Any], Any]],
        merge: Runnable | Callable[[list[Any]], Any] | None = None,
        *,
        on_error: str = "continue",
        max_concurrency: int | None = None,
        name: str | None = None,
        limits: Any = None,
        description: str | None = None,
    ) -> None:
        self._configure(name, limits, description=description)
        if isinstance(branches, (str, bytes)) or not isinstance(branches, Sequence) or not branches:
            raise ConfigError(
                f"Parallel needs a non-empty list of branches, got {branches!r}; e.g. "
                "al.Parallel([grammar, facts, style], merge=editor)"
            )
        self.branches = tuple(
            as_step(b, f"parallel branch {i + 1}") for i, b in enumerate(branches)
        )
        self.labels = _labels(self.branches)
        self.merge = None if merge is None else as_step(merge, "merge")
        self._merge_fn: Callable[[list[Any]], Any] | None = None
        if merge is not None and not isinstance(merge, Runnable):
            self._merge_fn = merge
        if on_error not in _ON_ERROR:
            raise ConfigError(f"on_error={on_error!r} must be 'continue' or 'fail'")
        self.on_error = on_error
        if max_concurrency is not None and (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise ConfigError(
                f"max_concurrency={max_concurrency!r} must be a whole number >= 1, or None "
                "for no cap; e.g. max_concurrency=4"
            )
        self.max_concurrency = max_concurrency
        self.picker: Picker | None = None  # set by Parallel.vote

    @classmethod
    def vote(
        cls,
        solver: Runnable | Callable[[Any], Any],
        n: int = 5,
        pick: str | Callable[[list[Any]], Any] | Runnable = "majority",
        *,
        max_concurrency: int | None = None,
        name: str | None = None,
        limits: Any = None,
        description: str | None = None,
    ) -> Parallel:
        """Voting: ``n`` attempts at the same task at once, then one answer is picked.

        ``pick``: ``"majority"`` (answers compared normalised: case, whitespace and
        punctuation ignored; a tie goes to the answer seen first in branch order),
        ``"first"`` (the first successful attempt in branch order), a function of the
        list of successful answers returning the chosen one, or a judge runnable (an
        agent judge answers ``{"choice": <candidate number>, "reason": "..."}``; any
        other runnable's output is the pick). The ``vote`` span records every
        candidate, the counts, the winner and the rule.

        >>> import agentlab as al
        >>> solver = al.Agent(name="Solver", model=al.ScriptedModel(["42", "41", "42."]))
        >>> al.Parallel.vote(solver, n=3).run_sync("What is 6 x 7?").output
        '42'
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigError(f"vote needs n >= 1 attempts, got n={n!r}; e.g. n=5")
        solver = as_step(solver, "the vote's solver")
        block = cls(
            [solver] * n,
            name=name or f"Vote {solver.name}",
            max_concurrency=max_concurrency,
            limits=limits,
            description=description,
        )
        block.picker = Picker(pick)
        return block

    @classmethod
    def map(
        cls,
        runnable: Runnable | Callable[[Any], Any],
        split: Callable[[Any], Any],
        merge: Runnable | Callable[[list[Any]], Any] | None = None,
        **options: Any,
    ) -> Parallel:
        """One runnable over several inputs at once: ``split(input)`` gives a list of
        inputs, one branch each; ``merge`` (optional) combines the outputs as in
        ``Parallel``. Options: ``on_error``, ``max_concurrency``, ``name``, ``limits``,
        ``description``.

        >>> import agentlab as al
        >>> review = al.Parallel.map(analyst, split=lambda text: [  # doctest: +SKIP
        ...     f"{text}\n\nStakeholder: {s}" for s in ("customers", "staff", "investors")])
        """
        return Mapped(runnable, split, merge, **options)

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        with ctx.span("parallel", self.name, parent_id) as span:
            span.attributes = {
                "branches": list(self.labels),
                "max_concurrency": self.max_concurrency,
                "on_error": self.on_error,
            }
            outcomes = await self._run_branches(input, ctx, span.id)
            lost = [i for i, o in enumerate(outcomes) if not o.ok]
            span.attributes["failed"] = lost
            outcome = self._check_failures(outcomes, lost)
            if outcome is None:
                outcome = await self._combine(input, outcomes, ctx, span.id)
            outcome.close(span)
        return outcome

    def _check_failures(self, outcomes: list[Outcome], lost: list[int]) -> Outcome | None:
        """The block's outcome when failures end it, else None."""
        if not lost or (self.on_error == "continue" and len(lost) < len(outcomes)):
            return None
        first = min(lost, key=lambda i: (outcomes[i].stop_reason == "cancelled", i))
        bad = outcomes[first]
        why = "on_error='fail'" if self.on_error == "fail" else "every branch failed; first"
        return Outcome(
            [o.output if o.ok else None for o in outcomes] if self.picker is None else None,
            bad.status,
            bad.stop_reason if bad.status == "stopped" else None,
            f"{why}: branch {self.labels[first]!r}: {bad.stop_detail}",
            bad.error,
        )

    async def _combine(
        self, input: Any, outcomes: list[Outcome], ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        if self.picker is not None:
            return await self.picker.decide(input, self.labels, outcomes, ctx, parent_id)
        if self.merge is None:
            return Outcome([o.output if o.ok else None for o in outcomes])
        good = [o.output for o in outcomes if o.ok]
        with ctx.span("merge", self.merge.name, parent_id) as span:
            span.attributes = {"inputs": len(good)}
            if self._merge_fn is not None:
                try:
                    outcome = Outcome(await ctx.call_user(span.id, self._merge_fn, good))
                except (LimitExceeded, asyncio.CancelledError):
                    raise
                except Exception as exc:  # noqa: BLE001 - a broken merge fails the block
                    outcome = failed_outcome(exc)
            else:
                outcome = await ctx.invoke(
                    self.merge, labelled_text(self.labels, outcomes), span.id
                )
            outcome.close(span)
        return outcome

    async def _run_branches(
        self, input: Any, ctx: RunContext, parent_id: int | str
    ) -> list[Outcome]:
        """Every branch as a task, started in index order; outcomes in branch order."""
        gate = asyncio.Semaphore(self.max_concurrency) if self.max_concurrency else None
        tasks = [
            asyncio.create_task(self._branch(i, input, ctx, parent_id, gate))
            for i in range(len(self.branches))
        ]
        try:
            if self.on_error == "continue":
                await asyncio.gather(*tasks)  # branches return outcomes; only stops raise
            else:
                await self._until_first_failure(tasks)
        except BaseException as exc:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            keep_partial(exc, Outcome([_done_output(t) for t in tasks]))  # limit, timeout, Ctrl-C
            raise
        return [
            Outcome(status="failed", stop_reason="cancelled", stop_detail="cancelled")
            if task.cancelled()
            else task.result()
            for task in tasks
        ]

    async def _until_first_failure(self, tasks: list[asyncio.Task[Outcome]]) -> None:
        """Wait for every branch; the first that fails or stops cancels the rest."""
        pending: set[asyncio.Task[Outcome]] = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            stop = next((t for t in tasks if t in done and not t.result().ok), None)
            if stop is not None and pending:
                label = self.labels[tasks.index(stop)]
                for task in pending:
                    task.cancel(f"cancelled: branch {label!r} failed and on_error='fail'")
                await asyncio.wait(pending)
                return

    async def _branch(
        self,
        index: int,
        input: Any,
        ctx: RunContext,
        parent_id: int | str,
        gate: asyncio.Semaphore | None,
    ) -> Outcome:
        if gate is None:
            return await self._run_branch(index, input, ctx, parent_id)
        async with gate:
            return await self._run_branch(index, input, ctx, parent_id)

    async def _run_branch(
        self, index: int, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        with ctx.span("branch", self.labels[index], parent_id) as span:
            span.attributes = {"index": index}
            outcome = await ctx.invoke(self.branches[index], input, span.id)
            outcome.close(span)
        return outcome

    def _children(self) -> list[Runnable]:
        nested = list(self.branches) + ([self.merge] if self.merge is not None else [])
        return nested + (self.picker.children() if self.picker is not None else [])

    def __repr__(self) -> str:
        merge = f", merge={self.merge.name}" if self.merge is not None else ""
        return f"Parallel([{', '.join(self.labels)}]{merge})"


def _labels(branches: Sequence[Runnable]) -> tuple[str, ...]:
    """Branch names; repeated names get ``#1``, ``#2``... so every label is unique."""
    names = [b.name or "branch" for b in branches]
    totals = Counter(names)
    seen: Counter[str] = Counter()
    labels = []
    for name in names:
        seen[name] += 1
        labels.append(f"{name} #{seen[name]}" if totals[name] > 1 else name)
    return tuple(labels)


def _done_output(task: asyncio.Task[Outcome]) -> Any:
    if task.done() and not task.cancelled() and task.exception() is None and task.result().ok:
        return task.result().output
    return None


def labelled_text(labels: Sequence[str], outcomes: Sequence[Outcome]) -> str:
    """Branch outputs as one text: a ``### label`` header per branch, failures named."""
    parts = []
    for label, outcome in zip(labels, outcomes, strict=True):
        body = (
            as_text(outcome.output)
            if outcome.ok
            else f"(this branch failed: {outcome.stop_detail})"
        )
        parts.append(f"### {label}\n{body}")
    return "\n\n".join(parts)


class Mapped(Parallel):
    """A ``Parallel`` whose branches are one runnable, each on its own piece of the input."""

    def __init__(
        self,
        runnable: Runnable | Callable[[Any], Any],
        split: Callable[[Any], Any],
        merge: Runnable | Callable[[list[Any]], Any] | None = None,
        **options: Any,
    ) -> None:
        step = as_step(runnable, "the runnable of Parallel.map")
        if not callable(split) or isinstance(split, Runnable):
            raise ConfigError(
                f"Parallel.map needs split, a function input -> list of inputs, got {split!r}; "
                "e.g. al.Parallel.map(analyst, split=lambda text: text.split('\\n\\n'))"
            )
        options["name"] = options.get("name") or f"Map {step.name}"
        super().__init__([step], merge, **options)
        self.split = split
        self._inputs: list[Any] = []

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        pieces = await call_with_value(ctx, parent_id, self.split, input)
        if isinstance(pieces, (str, bytes, dict)) or not hasattr(pieces, "__iter__"):
            raise TypeError(
                f"split {function_name(self.split, 'function')!r} of {self.name!r} returned "
                f"{type(pieces).__name__}, not a list of inputs (one branch each)"
            )
        pieces = list(pieces)
        if not pieces:
            raise ValueError(
                f"split {function_name(self.split, 'function')!r} of {self.name!r} returned "
                "no inputs; Parallel.map needs at least one"
            )
        block = copy.copy(self)  # this run's branches; the block itself stays as built
        block.branches = (self.branches[0],) * len(pieces)
        block.labels = _labels(block.branches)
        block._inputs = pieces
        return await Parallel._execute(block, input, ctx, parent_id)

    async def _run_branch(
        self, index: int, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        piece = self._inputs[index]
        return await super()._run_branch(
            index, step_input(self.branches[index], piece), ctx, parent_id
        )

    def __repr__(self) -> str:
        split = function_name(self.split, "split")
        return f"Parallel.map({self.branches[0].name}, split={split})"
