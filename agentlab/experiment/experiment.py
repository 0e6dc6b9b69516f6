"""``Experiment``: run designs on a dataset and measure completion rate, cost and time.

The article's rule: measure task completion rate, average cost per task and
time-to-resolution, not the number of agents. Every design runs on every example
(x repeats), concurrently within ``concurrency``, each task a separate
``design.run(input)`` with its own trace. A crashing task or ``check`` is recorded as
failed and the rest go on; an experiment-wide money budget stops launching new tasks
once spent; interrupting keeps the finished results.

>>> import agentlab as al
>>> answer = al.FunctionModel(lambda messages, tools: messages[-1].content.upper())
>>> exp = al.Experiment(
...     {"shout": al.Agent(name="Shout", model=answer)},
...     [{"input": "hi", "expected": "HI"}, {"input": "ok", "expected": "OK"}],
...     check=lambda output, example: output == example["expected"],
... )
>>> result = exp.run_sync(progress=False)
>>> result.summary()[["design", "tasks", "completion_rate"]].to_dict("records")
[{'design': 'shout', 'tasks': 2, 'completion_rate': 1.0}]
"""

from __future__ import annotations

import asyncio
import math
import numbers
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agentlab._format import safe_str
from agentlab._redact import redact
from agentlab._workers import call_user
from agentlab.core.limits import Limits, as_limits
from agentlab.core.run import preflight
from agentlab.core.runnable import Runnable
from agentlab.core.sync import run_sync
from agentlab.errors import ConfigError
from agentlab.experiment.dataset import (
    as_designs,
    check_budget,
    check_threshold,
    check_whole,
    load_dataset,
)
from agentlab.experiment.estimate import estimate_from_traces, traces_by_design
from agentlab.experiment.result import ExperimentResult, TaskResult

if TYPE_CHECKING:
    from agentlab.core.run import Run
    from agentlab.experiment.estimate import Estimate

Check = Callable[[Any, dict[str, Any]], Any]


class Experiment:
    """Compare designs on a dataset: completion rate, cost per task, time per task.

    Args:
        designs: One runnable, a dict ``name -> runnable``, or a list of runnables
            (named by their ``name``).
        dataset: A list of dicts, a pandas DataFrame, or a JSONL path. Each example's
            ``"input"`` goes to the design; the whole example goes to ``check``. An
            ``"id"`` field, when present, names the example in the results.
        check: ``check(output, example) -> bool | float`` (sync or async). A float
            passes at ``>= pass_threshold``. Without a check, a completed run passes.
            A stopped or failed run never passes.
        repeats: How many times each design runs on each example.
        pass_threshold: The score a float ``check`` must reach (default 1.0).
        limits: Per-task ``al.Limits`` (default: the design's own, else the defaults).
        max_cost_usd: Money for the whole experiment; no new task starts once the
            finished tasks have spent it, and each task starts with its money limit
            capped at what is left (tasks running side by side can still overshoot
            by up to ``concurrency`` times that; ``concurrency=1`` makes it hard).
            A task cut short by that cap, like one interrupted, is not counted in
            ``summary()`` and ``compare()`` (``TaskResult.counted``).

    >>> exp = al.Experiment({"single": agent, "chain": chain}, "data/tickets.jsonl",
    ...                     check=lambda out, ex: ex["label"] in out)  # doctest: +SKIP
    >>> exp.estimate()                                                 # doctest: +SKIP
    >>> result = await exp.run(concurrency=8)                          # doctest: +SKIP
    """

    def __init__(
        self,
        designs: Runnable | Mapping[str, Runnable] | Iterable[Runnable],
        dataset: Any,
        check: Check | None = None,
        *,
        repeats: int = 1,
        pass_threshold: float = 1.0,
        limits: Limits | None = None,
        max_cost_usd: float | None = None,
        deps: Any = None,
    ) -> None:
        self.designs = as_designs(designs)
        self.examples = load_dataset(dataset)
        if check is not None and not callable(check):
            raise ConfigError(
                f"check must be a function check(output, example) -> bool | float, got "
                f"{check!r}; e.g. check=lambda output, example: output == example['expected']"
            )
        check_whole("repeats", repeats, 3)
        check_threshold(pass_threshold)
        limits = as_limits(limits, "Experiment")
        check_budget(max_cost_usd)
        self.check = check
        self.repeats = repeats
        self.pass_threshold = float(pass_threshold)
        self.limits = limits
        self.max_cost_usd = max_cost_usd
        self.deps = deps  # every task's run(..., deps=deps): al.Ctx parameters read it

    @property
    def size(self) -> int:
        """Number of tasks a full run makes: designs x examples x repeats."""
        return len(self.designs) * len(self.examples) * self.repeats

    async def run(
        self,
        *,
        concurrency: int = 8,
        progress: bool = True,
        limits: Limits | None = None,
        max_cost_usd: float | None = None,
        deps: Any = None,
    ) -> ExperimentResult:
        """Run every design on every example (x repeats) and return the results.

        ``limits``, ``max_cost_usd`` and ``deps`` given here win over the constructor's. Raises
        only ``ConfigError`` (bad arguments, or a design that cannot start, e.g. a
        missing API key); everything else is recorded per task.

        >>> result = await exp.run(concurrency=8)   # doctest: +SKIP
        """
        return await self._run(
            self._tasks(len(self.examples), self.repeats), concurrency=concurrency,
            progress=progress, limits=limits or self.limits,
            max_cost_usd=max_cost_usd if max_cost_usd is not None else self.max_cost_usd,
            deps=deps if deps is not None else self.deps,
        )  # fmt: skip

    def run_sync(self, **options: Any) -> ExperimentResult:
        """``run`` for sync code (scripts, terminals, and inside Jupyter too).

        Ctrl-C (or Jupyter's stop button) stops it and returns the finished results.
        """
        return run_sync(self.run(**options))

    def estimate(self, *, pilot: int = 2, traces: Any = None, concurrency: int = 8) -> Estimate:
        """Print and return the expected model calls, tokens and money of a full run.

        Without ``traces`` it runs a small pilot: the first ``pilot`` examples on each
        design, once (this really calls the models: it spends money and consumes
        ScriptedModel responses). With ``traces`` (an earlier ``ExperimentResult``, a
        dict ``design -> traces or runs``, or a list when there is one design) it
        reads the recorded usage instead and calls nothing.

        >>> exp.estimate(pilot=3)   # doctest: +SKIP
        """
        pilot_result: ExperimentResult | None = None
        if traces is None:
            check_whole("pilot", pilot, 2)
            count = min(pilot, len(self.examples))
            coro = self._run(self._tasks(count, 1), concurrency=concurrency, progress=False,
                             limits=self.limits, max_cost_usd=None, deps=self.deps)  # fmt: skip
            pilot_result = run_sync(coro)
            traces = pilot_result
        grouped = traces_by_design(traces, list(self.designs))
        estimate = estimate_from_traces(grouped, len(self.examples) * self.repeats, pilot_result)
        print(estimate)
        return estimate

    # -- running -----------------------------------------------------------------------
    def _tasks(self, count: int, repeats: int) -> list[TaskResult]:
        """Tasks in launch order: repeat, then example, then design (designs interleave,
        so a budget stop or an interrupt cuts every design at about the same place)."""
        examples = self.examples
        return [
            TaskResult(name, i, examples[i].get("id", i), repeat, examples[i]["input"])
            for repeat in range(repeats)
            for i in range(count)
            for name in self.designs
        ]

    async def _run(
        self, tasks: list[TaskResult], *, concurrency: int, progress: bool,
        limits: Limits | None, max_cost_usd: float | None, deps: Any = None,
    ) -> ExperimentResult:  # fmt: skip
        check_whole("concurrency", concurrency, 8)
        limits = as_limits(limits, "Experiment")
        check_budget(max_cost_usd)
        for design in self.designs.values():
            preflight(design)  # a missing key fails here, before any call
        runner = _Runner(self, tasks, concurrency, limits, max_cost_usd, progress)
        runner.deps = deps
        started = time.time()
        await runner.go()
        settings = {
            "examples": len(self.examples), "repeats": self.repeats,
            "pass_threshold": self.pass_threshold, "concurrency": concurrency,
            "max_cost_usd": max_cost_usd, "limits": limits.to_dict() if limits else None,
            "started": started, "duration_s": round(time.time() - started, 6),
        }  # fmt: skip
        return ExperimentResult(tasks, designs=list(self.designs), stopped_early=runner.stop,
                                notes=runner.notes(), settings=settings)  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"Experiment(designs={list(self.designs)}, examples={len(self.examples)}, "
            f"repeats={self.repeats}, tasks={self.size})"
        )


class _Runner:
    """One experiment run: the semaphore, the money spent, the stop flag, the bar."""

    def __init__(
        self, exp: Experiment, tasks: list[TaskResult], concurrency: int,
        limits: Limits | None, max_cost_usd: float | None, progress: bool,
    ) -> None:  # fmt: skip
        self.exp = exp
        self.tasks = tasks
        self.limits = limits
        self.max_cost_usd = max_cost_usd
        self.semaphore = asyncio.Semaphore(concurrency)
        self.spent = 0.0
        self.unpriced = False
        self.stop: str | None = None  # "max_cost_usd" or "interrupted"
        self.futures: list[asyncio.Future[None]] = []
        self.progress = progress
        self.deps: Any = None

    async def go(self) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=len(self.tasks), desc="experiment", unit="task",
                        disable=not self.progress)  # fmt: skip
        try:
            self.futures = [asyncio.ensure_future(self._one(task)) for task in self.tasks]
            if not self.futures:
                return
            try:
                await asyncio.wait(self.futures)
            except (asyncio.CancelledError, KeyboardInterrupt):
                self.stop = "interrupted"
            if self.stop == "interrupted":
                for future in self.futures:
                    future.cancel()  # running runs end "stopped"/"interrupted"
                await asyncio.wait(self.futures)
        finally:
            self.bar.close()

    async def _one(self, task: TaskResult) -> None:
        design = self.exp.designs[task.design]
        try:
            async with self.semaphore:
                if self.stop is not None:
                    task.stop_reason = self.stop
                    return
                limits, capped = self._limits_for(design)
                extra = {} if self.deps is None else {"deps": self.deps}  # custom run() may lack it
                run = await design.run(task.input, limits=limits, **extra)
                _record_run(task, run)
                if _cut_by_budget(run, capped):
                    task.cut_by_budget = True
                    task.error = f"cut by the experiment's max_cost_usd (not counted): {task.error}"
                await self._check(task, run)
        except (asyncio.CancelledError, KeyboardInterrupt):
            self.stop = "interrupted"
            task.stop_reason = task.stop_reason or "interrupted"
        except Exception as exc:  # noqa: BLE001 - one broken task must not stop the rest
            task.status, task.error = "failed", redact(f"{type(exc).__name__}: {safe_str(exc)}")
        finally:
            self._account(task)

    def _limits_for(self, design: Runnable) -> tuple[Limits, float | None]:
        """The task's limits, its money capped at what the experiment budget has left,
        so one runaway task cannot spend past it (with concurrency=1 the cap is hard),
        and that cap when it is lower than the task's own (else None)."""
        limits = self.limits or design.limits or Limits()
        if self.max_cost_usd is None:
            return limits, None
        left = self.max_cost_usd - self.spent
        if left > 0 and (limits.max_cost_usd is None or left < limits.max_cost_usd):
            return replace(limits, max_cost_usd=left), left
        return limits, None

    async def _check(self, task: TaskResult, run: Run) -> None:
        if run.status != "completed":
            return  # a stopped or failed run counts as not passed
        if self.exp.check is None:
            task.score, task.passed = 1.0, True
            return
        example = self.exp.examples[task.index]
        try:
            value = await call_user(self.exp.check, run.output, example)
            score = _as_score(value)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a broken check fails this task only
            task.status = "failed"
            task.error = redact(f"check raised {type(exc).__name__}: {safe_str(exc)}")
            return
        task.score = score
        task.passed = score >= self.exp.pass_threshold

    def _account(self, task: TaskResult) -> None:
        if task.cost_usd is not None:
            self.spent += task.cost_usd
        elif task.ran:
            self.unpriced = True
        if task.stop_reason == "interrupted" and task.ran and self.stop is None:
            self.stop = "interrupted"  # Ctrl-C landed inside a run: stop the others too
            current = asyncio.current_task()
            for future in self.futures:
                if future is not current:
                    future.cancel()
        if self.max_cost_usd is not None and self.spent >= self.max_cost_usd:
            self.stop = self.stop or "max_cost_usd"
        self.bar.update(1)
        if task.ran:
            self.bar.set_postfix(spent=f"${self.spent:.4f}", refresh=False)

    def notes(self) -> list[str]:
        notes = []
        skipped = sum(not t.ran for t in self.tasks)
        cut = sum(t.cut_by_budget for t in self.tasks)
        stopped = sum(t.ran and t.stop_reason == "interrupted" for t in self.tasks)
        if self.stop == "max_cost_usd" or cut:
            notes.append(
                f"the experiment budget max_cost_usd=${self.max_cost_usd} was spent "
                f"(${self.spent:.4f}); {skipped} tasks were not started and {cut} were cut "
                "short by it: none of them is counted in summary() or compare()"
            )
        if self.stop == "interrupted":
            notes.append(
                f"interrupted: finished tasks are kept; {stopped} tasks stopped mid-run and "
                f"{skipped} never started are not counted in summary() or compare()"
            )
        if self.unpriced and self.max_cost_usd is not None:
            notes.append(
                "max_cost_usd not enforceable: some tasks used a model with no known price; "
                "give the model priced_as='provider:model' to price it"
            )
        return notes


def _record_run(task: TaskResult, run: Run) -> None:
    trace = run.trace
    usage = trace.usage
    task.status = run.status
    task.output = run.output
    task.stop_reason = run.stop_reason
    task.error = run.stop_detail if run.status != "completed" else None
    task.cost_usd = run.cost
    task.tokens = usage.input_tokens + usage.output_tokens
    task.duration_s = run.duration_s
    task.hops = sum(1 for s in trace.spans if s.kind == "handoff")
    task.iterations = sum(1 for s in trace.spans if s.kind == "iteration")
    task.trace_id = trace.id
    task.trace = trace
    task.run = run


def _cut_by_budget(run: Run, capped: float | None) -> bool:
    """The run stopped on the money cap the experiment lowered for it (what the budget
    had left), not on a limit of its own: a lower one inside the design would have
    stopped it below the cap."""
    if capped is None or run.stop_reason != "max_cost_usd" or run.cost is None:
        return False
    return run.cost >= capped * (1 - 1e-9)  # summed in another order: allow rounding


def _as_score(value: Any) -> float:
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", None) == "b":
        return 1.0 if value else 0.0  # numpy's bool (e.g. from a pandas comparison) too
    if isinstance(value, numbers.Real):
        if math.isnan(value):
            raise ValueError("check returned NaN; return a bool, or a score that is a number")
        return float(value)
    raise TypeError(f"check must return a bool or a number, got {type(value).__name__}: {value!r}")
