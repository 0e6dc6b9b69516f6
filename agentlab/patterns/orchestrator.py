"""Orchestrator-workers: a planner writes an explicit plan, workers do it, one synthesizes.

Trace shape::

    orchestrator Writer desk        attrs: workers, max_tasks
    ├─ plan Planner                 attrs: tasks [{worker, task}]
    │  └─ agent Planner             a copy of your planner (output_type=Plan unless it
    │                               has its own with tasks: [{worker, task}])
    ├─ branch 1. writer             attrs: index, worker, task (one per planned task)
    │  └─ agent Writer
    ├─ branch 2. writer ...
    └─ merge Editor                 the synthesizer; attrs: inputs
       └─ agent Editor

The planner's copy gets, appended to its instructions (visible in the trace's system
message), the list of workers with their descriptions and the ``max_tasks`` bound.
Each worker sees only its task text (keep workers' context small; the planner writes
self-contained tasks). Tasks run concurrently, started in plan order. A failed
worker is marked in its branch span and named as failed to the synthesizer.

Decisions: an unparseable plan (after the agent loop's one corrective retry) or an
unknown worker name fails the run (``OutputValidationError`` / ``al.DecisionError``;
the plan stays in the plan span); more than ``max_tasks`` tasks stops it
(``stop_reason="max_tasks"``, a ``limit`` span) before any worker runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from agentlab._json import as_text
from agentlab.core.agent import Agent
from agentlab.core.context import RunContext
from agentlab.core.outcome import Outcome, failed_outcome, gather_or_cancel, keep_partial
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError, DecisionError, MaxTasks
from agentlab.patterns._base import Pattern
from agentlab.patterns._steps import (
    as_handler,
    field_of,
    has_task_list,
    input_text,
    normalize,
)


class Orchestrator(Pattern):
    """Orchestrator-workers: a planner decides per input which tasks to delegate.

    Pass ordinary agents: the pattern asks a copy of ``planner`` for a ``Plan``
    (``{"tasks": [{"worker": "<name>", "task": "<text>"}]}``), runs the tasks on
    ``workers`` concurrently, and gives ``synthesizer`` the original input, the plan
    and the results.

    When to use: the subtasks cannot be known in advance and depend on the input
    (which files to change, which sources to search, which styles to write).
    When not: the subtasks are always the same (use Parallel or a Chain: cheaper and
    predictable). Risk: orchestrator drift; the plan here is explicit, bounded by
    ``max_tasks`` and kept in the trace.

    >>> import agentlab as al
    >>> planner = al.Agent(name="Planner", model=al.ScriptedModel([
    ...     {"tasks": [{"worker": "writer", "task": "Describe the mug, formal."},
    ...                {"worker": "writer", "task": "Describe the mug, playful."}]}]))
    >>> writer = al.Agent(name="Writer", model=al.ScriptedModel(["A mug.", "Mug time!"]))
    >>> editor = al.Agent(name="Editor", model=al.ScriptedModel(["Formal: A mug. Fun: Mug time!"]))
    >>> desk = al.Orchestrator(planner, workers={"writer": writer}, synthesizer=editor)
    >>> desk.run_sync("Product copy for a mug, two styles").output
    'Formal: A mug. Fun: Mug time!'
    """

    def __init__(
        self,
        planner: Runnable,
        workers: Mapping[str, Runnable],
        synthesizer: Runnable,
        max_tasks: int = 8,
        *,
        name: str | None = None,
        limits: Any = None,
        description: str | None = None,
    ) -> None:
        from agentlab.patterns.decisions import plan_for

        self._configure(name, limits, description=description)
        if not isinstance(planner, Agent):
            raise ConfigError(
                f"the Orchestrator's planner must be an al.Agent (it gets a copy with "
                f"output_type=Plan), got {planner!r}"
            )
        if not isinstance(workers, Mapping) or not workers:
            raise ConfigError(
                f"workers must be a non-empty dict name -> runnable, got {workers!r}; e.g. "
                "workers={'research': researcher, 'write': writer}"
            )
        self.workers = {str(k): as_handler(v, f"worker {k!r}") for k, v in workers.items()}
        self.synthesizer = as_handler(synthesizer, "the synthesizer")
        if isinstance(max_tasks, bool) or not isinstance(max_tasks, int) or max_tasks < 1:
            raise ConfigError(f"max_tasks={max_tasks!r} must be a whole number >= 1; e.g. 8")
        self.max_tasks = max_tasks
        self.planner = planner
        if planner.output_type is not None and not has_task_list(planner):
            raise ConfigError(
                f"the planner's output_type {planner.output_type!r} cannot serve as a plan: it "
                "needs a field tasks: a list of items with 'worker' and 'task' (text), e.g. "
                "class Step(BaseModel): worker: str; task: str; and tasks: list[Step]. Or "
                "leave output_type unset and the planner answers al.Plan"
            )
        self._planner = planner.clone(
            output_type=planner.output_type or plan_for(self.workers),
            instructions=_planner_instructions(planner, self.workers, max_tasks),
        )
        self._by_name = {normalize(k): k for k in self.workers}
        if len(self._by_name) < len(self.workers):
            raise ConfigError(
                f"worker names {list(self.workers)} repeat once case, spaces and punctuation "
                "are ignored (that is how the plan's names are matched); rename one"
            )

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        with ctx.span("orchestrator", self.name, parent_id) as span:
            span.attributes = {"workers": list(self.workers), "max_tasks": self.max_tasks}
            outcome = await self._plan(input, ctx, span.id)
            if outcome.ok:
                tasks = outcome.output
                results = await self._work(tasks, ctx, span.id)
                outcome = await self._synthesize(input, tasks, results, ctx, span.id)
            outcome.close(span)
        return outcome

    async def _plan(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        """The plan span: ask for a plan, check it; output [(worker, task)] when fine."""
        with ctx.span("plan", self.planner.name, parent_id, agent=self.planner.name) as span:
            span.attributes = {"tasks": []}
            asked = await ctx.invoke(self._planner, input, span.id)
            if not asked.ok:
                span.status, span.error = asked.span_status, asked.stop_detail
                detail = f"the planner gave no usable plan: {asked.stop_detail}"
                return Outcome(None, asked.status, asked.stop_reason, detail, asked.error)
            planned = [
                {"worker": str(field_of(t, "worker")), "task": str(field_of(t, "task"))}
                for t in field_of(asked.output, "tasks") or []
            ]
            span.attributes["tasks"] = planned
            span.output = planned
            unknown = [t["worker"] for t in planned if normalize(t["worker"]) not in self._by_name]
            if unknown:
                names = ", ".join(map(repr, unknown))
                error = DecisionError(
                    f"the planner assigned tasks to unknown worker(s) {names}; "
                    f"known workers: {', '.join(self.workers)}. Name the worker in the planner's "
                    "instructions, or add it to workers={...}"
                )
                span.status, span.error = "error", str(error)
                return failed_outcome(error)
            if len(planned) > self.max_tasks:
                stop = MaxTasks(
                    f"max_tasks={self.max_tasks} reached: the planner planned {len(planned)} "
                    "tasks; no worker ran. Raise Orchestrator(max_tasks=...) or ask the "
                    "planner for fewer, larger tasks",
                    value=self.max_tasks,
                    reached=len(planned),
                )
                ctx.record_limit(span.id, stop)
                span.status, span.error = "stopped", str(stop)
                return Outcome(None, "stopped", "max_tasks", str(stop))
        tasks = [(self._by_name[normalize(t["worker"])], t["task"]) for t in planned]
        return Outcome(tasks)

    async def _work(
        self, tasks: list[tuple[str, str]], ctx: RunContext, parent_id: int | str
    ) -> list[Outcome]:
        """Run every task concurrently (started in plan order); outcomes in plan order."""
        import asyncio

        async def one(index: int, worker: str, task: str) -> Outcome:
            with ctx.span("branch", f"{index + 1}. {worker}", parent_id) as span:
                span.attributes = {"index": index, "worker": worker, "task": task}
                outcome = await ctx.invoke(self.workers[worker], task, span.id)
                outcome.close(span)
            return outcome

        jobs = [asyncio.create_task(one(i, w, t)) for i, (w, t) in enumerate(tasks)]
        try:
            return await gather_or_cancel(jobs)
        except BaseException as exc:  # a shared limit, a timeout, an interrupt
            keep_partial(exc, Outcome(None))  # no synthesis: a worker's output is not ours
            raise

    async def _synthesize(
        self,
        input: Any,
        tasks: list[tuple[str, str]],
        results: list[Outcome],
        ctx: RunContext,
        parent_id: int | str,
    ) -> Outcome:
        if all(not r.ok for r in results):
            first = results[0]
            detail = f"every worker failed; first ({tasks[0][0]}): {first.stop_detail}"
            return Outcome(None, first.status, first.stop_reason, detail, first.error)
        plan = "\n".join(f"{i}. [{w}] {t}" for i, (w, t) in enumerate(tasks, 1))
        parts = []
        for i, ((worker, task), result) in enumerate(zip(tasks, results, strict=True), 1):
            body = (
                as_text(result.output) if result.ok else f"(this task failed: {result.stop_detail})"
            )
            parts.append(f"### {i}. [{worker}] {task}\n{body}")
        text = (
            f"Original request:\n{input_text(input)}\n\nPlan:\n{plan}\n\n"
            "Results:\n\n" + "\n\n".join(parts)
        )
        with ctx.span("merge", self.synthesizer.name, parent_id) as span:
            span.attributes = {"inputs": sum(1 for r in results if r.ok)}
            outcome = await ctx.invoke(self.synthesizer, text, span.id)
            outcome.close(span)
        return outcome

    def _children(self) -> list[Runnable]:
        return [self._planner, *self.workers.values(), self.synthesizer]

    def __repr__(self) -> str:
        return (
            f"Orchestrator({self.planner.name} -> [{', '.join(self.workers)}] -> "
            f"{self.synthesizer.name})"
        )


def _planner_instructions(planner: Any, workers: dict[str, Runnable], max_tasks: int) -> Any:
    """The planner's instructions plus the workers it may use, each with its description
    (visible in the trace); an instructions function gets the list added to its text."""
    lines = [
        f"- {name}: {getattr(w, 'description', None) or w.name}" for name, w in workers.items()
    ]
    added = (
        f"Plan the work as at most {max_tasks} tasks for these workers; each task must be "
        "self-contained, because the worker sees only its task:\n" + "\n".join(lines)
    )
    own = planner.instructions
    if not callable(own):
        return f"{own}\n\n{added}" if own else added

    async def with_workers(ctx: Any) -> str:
        text = own(ctx)
        if inspect.isawaitable(text):
            text = await text
        return f"{text}\n\n{added}" if text else added

    return with_workers
