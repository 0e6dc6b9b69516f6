"""What an ``Experiment`` returns: one ``TaskResult`` per design x example x repeat.

``ExperimentResult.to_pandas()`` gives one row per task, ``findings()`` what
``al.diagnose`` found per design and kind, ``summary()`` one row per
design (completion rate with a Wilson 95% interval, cost per task, time, handoffs,
iterations), ``compare(a, b)`` the paired difference between two designs. Every
task's trace is kept (``result.traces``) and ``save(folder)`` writes them all.

The statistics count a task only when it ran to its own end (``TaskResult.counted``):
a task never started, interrupted, or stopped by the money the experiment's own
``max_cost_usd`` had left for it says nothing about its design and is left out (and
counted, per design, in ``summary().attrs["not_counted"]``). A task stopped by its own
limits (``max_turns``...) is counted, as not passed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentlab._json import dumps_line, jsonable
from agentlab._jsonl import JsonlError, read_json, read_jsonl, write_lines
from agentlab._redact import redactor, scrub
from agentlab.experiment.statistics import (
    Comparison,
    mcnemar_exact,
    paired_difference_ci,
    wilson_interval,
)
from agentlab.trace.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

    from agentlab.core.run import Run

TASK_COLUMNS = (
    "design", "example_id", "repeat", "input", "output", "score", "passed", "counted",
    "status", "stop_reason", "error", "cost_usd", "tokens", "duration_s", "hops", "iterations",
    "trace_id",
)  # fmt: skip
SUMMARY_COLUMNS = (
    "design", "tasks", "completion_rate", "completion_ci_low", "completion_ci_high",
    "cost_per_task", "cost_per_task_p95", "time_s_mean", "time_s_p95", "handoff_rate",
    "iterations_mean",
)  # fmt: skip


@dataclass(slots=True)
class TaskResult:
    """One design run on one example (one repeat) and what ``check`` said of it.

    ``status`` is the run's ("completed" / "stopped" / "failed"), "failed" when
    ``check`` raised, or "skipped" for a task never started (the experiment's money
    budget was spent, or it was interrupted; ``stop_reason`` says which).
    ``cut_by_budget``: the run was stopped by the money cap the experiment lowered for
    it (its ``max_cost_usd`` ran out), not by the task's own limits.
    """

    design: str
    index: int  # position of the example in the dataset
    example_id: Any
    repeat: int
    input: Any
    status: str = "skipped"
    output: Any = None
    score: float | None = None
    passed: bool = False
    stop_reason: str | None = None
    error: str | None = None
    cost_usd: float | None = None
    tokens: int = 0
    duration_s: float | None = None
    hops: int = 0
    iterations: int = 0
    trace_id: str | None = None
    cut_by_budget: bool = False
    trace: Trace | None = field(default=None, repr=False)
    run: Run | None = field(default=None, repr=False)

    @property
    def ran(self) -> bool:
        return self.status != "skipped"

    @property
    def counted(self) -> bool:
        """The task ran to its own end, so the statistics count it: it started, was not
        interrupted, and was not cut by the experiment-wide money budget. (A task
        stopped by its own limits, e.g. ``max_turns``, is counted, as not passed.)"""
        return self.ran and self.stop_reason != "interrupted" and not self.cut_by_budget

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TASK_COLUMNS}


class ExperimentResult:
    """Results of ``Experiment.run``: rows, summary, paired comparisons, traces.

    >>> result = await experiment.run(concurrency=8)   # doctest: +SKIP
    >>> result.summary()                                # doctest: +SKIP
    >>> result.compare("single", "chain")               # doctest: +SKIP
    """

    def __init__(
        self,
        tasks: list[TaskResult],
        *,
        designs: list[str],
        stopped_early: str | None = None,
        notes: list[str] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.tasks = tasks
        self.designs = designs
        self.stopped_early = stopped_early  # None, "max_cost_usd" or "interrupted"
        self.notes = notes or []
        self.settings = settings or {}

    @property
    def traces(self) -> list[Trace]:
        """The trace of every task that ran, in task order (charts take this list)."""
        return [t.trace for t in self.tasks if t.trace is not None]

    @property
    def skipped(self) -> int:
        return sum(not t.ran for t in self.tasks)

    @property
    def not_counted(self) -> int:
        """Tasks left out of the statistics: never started, interrupted, or cut by the
        experiment's budget (see ``TaskResult.counted``)."""
        return sum(not t.counted for t in self.tasks)

    @property
    def cost(self) -> float | None:
        """USD spent by all tasks that ran (counted or not: the money is spent), or None
        when any task's model had no known price."""
        total = 0.0
        for task in self.tasks:
            if task.ran:
                if task.cost_usd is None:
                    return None
                total += task.cost_usd
        return total

    def to_pandas(self) -> pd.DataFrame:
        """One row per design x example x repeat (skipped tasks included)."""
        import pandas as pd

        rows = [scrub(t.row()) for t in self.tasks]  # what is shown hides key values
        frame = pd.DataFrame(rows, columns=list(TASK_COLUMNS))
        frame["cost_usd"] = frame["cost_usd"].astype("float64")
        frame["duration_s"] = frame["duration_s"].astype("float64")
        frame["score"] = frame["score"].astype("float64")
        frame["counted"] = frame["counted"].astype(bool)
        return frame

    def summary(self) -> pd.DataFrame:
        """One row per design over its counted tasks (``tasks``; see ``TaskResult.counted``).

        ``summary().attrs["not_counted"]`` says, per design, how many tasks were left
        out: never started, interrupted, or cut by the experiment's money budget.
        completion_rate is the share of counted tasks whose check passed (a run stopped
        by its own limits or failed counts as not passed), with a Wilson 95% interval;
        cost_per_task is NaN when any counted task was unpriced; handoff_rate is the
        share of tasks with at
        least one handoff.
        """
        rows = [
            summarize_tasks(design, [t.row() for t in self.tasks if t.design == design])
            for design in self.designs
        ]
        return summary_frame(rows)

    def findings(self) -> pd.DataFrame:
        """What ``al.diagnose`` finds in each design's runs: one row per design and
        finding kind (findings, tasks with one, runs, share); see
        ``agentlab.experiment.findings``.

        >>> result.findings()  # doctest: +SKIP
        """
        from agentlab.experiment.findings import findings_frame

        return findings_frame(self.tasks, self.designs)

    def compare(self, a: str, b: str) -> Comparison:
        """Paired comparison of two designs on the tasks counted for both (same example,
        same repeat); ``left_out`` says how many pairs had a task not counted.

        >>> result.compare("chain", "single")   # doctest: +SKIP
        chain vs single on 50 paired tasks ... exact McNemar p = 0.0129
        """
        for name in (a, b):
            if name not in self.designs:
                raise KeyError(f"no design named {name!r}; this experiment has {self.designs}")
        by_key = {(t.design, t.index, t.repeat): t for t in self.tasks}
        both = [(ta, by_key.get((b, ta.index, ta.repeat))) for ta in self.tasks if ta.design == a]
        pairs = [(x, y) for x, y in both if y is not None and x.counted and y.counted]
        n = len(pairs)
        only_a = sum(x.passed and not y.passed for x, y in pairs)
        only_b = sum(y.passed and not x.passed for x, y in pairs)
        a_rate = sum(x.passed for x, _ in pairs) / n if n else math.nan
        b_rate = sum(y.passed for _, y in pairs) / n if n else math.nan
        low, high = paired_difference_ci(only_a, only_b, n)
        cost_diffs = [
            x.cost_usd - y.cost_usd
            for x, y in pairs
            if x.cost_usd is not None and y.cost_usd is not None
        ]
        time_diffs = [
            x.duration_s - y.duration_s
            for x, y in pairs
            if x.duration_s is not None and y.duration_s is not None
        ]
        return Comparison(
            a, b, n, a_rate, b_rate, a_rate - b_rate, low, high, only_a, only_b,
            mcnemar_exact(only_a, only_b),
            cost_difference_usd=_mean(cost_diffs) if n and len(cost_diffs) == n else None,
            time_difference_s=_mean(time_diffs) if time_diffs else None,
            left_out=len(both) - n,
        )  # fmt: skip

    # -- persistence -----------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``experiment.json``, ``tasks.jsonl`` and ``traces/<trace id>.jsonl``
        (each file replaced atomically: a failed save leaves no half-written file)."""
        folder = Path(folder)
        meta = {
            "designs": self.designs, "stopped_early": self.stopped_early,
            "notes": self.notes, "settings": self.settings,
        }  # fmt: skip
        clean = redactor()
        rows = (
            clean(
                dumps_line(
                    jsonable({"index": t.index, **t.row(), "cut_by_budget": t.cut_by_budget})
                )
            )
            for t in self.tasks
        )
        write_lines(folder / "tasks.jsonl", rows)
        for trace in self.traces:
            trace.save(folder / "traces" / f"{trace.id}.jsonl")
        text = clean(json.dumps(jsonable(meta), indent=2, ensure_ascii=True))
        write_lines(folder / "experiment.json", [text])  # last: it marks a complete save
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> ExperimentResult:
        """Read a folder written by ``save`` (traces included; live ``Run``s are not).

        A folder that is not a saved result, or a file in it that is cut short or
        malformed, raises ``ValueError`` naming the file and line.
        """
        folder = Path(folder)
        if not (folder / "experiment.json").is_file():
            raise FileNotFoundError(
                f"{folder} holds no experiment.json: load a folder written by result.save(folder)"
            )
        meta = read_json(folder / "experiment.json", "saved experiment result")
        if not isinstance(meta, dict) or not isinstance(meta.get("designs"), list):
            raise JsonlError(folder / "experiment.json", None, "has no list of 'designs'")
        tasks = []
        for number, data in read_jsonl(folder / "tasks.jsonl", "saved experiment result"):
            try:
                task = TaskResult(**{k: v for k, v in data.items() if k in _TASK_FIELDS})
            except TypeError as exc:
                raise JsonlError(
                    folder / "tasks.jsonl", number, f"not a task row ({exc})"
                ) from None
            path = folder / "traces" / f"{task.trace_id}.jsonl"
            if task.trace_id and path.exists():
                task.trace = Trace.load(path)
            tasks.append(task)
        return cls(tasks, designs=meta["designs"], stopped_early=meta.get("stopped_early"),
                   notes=meta.get("notes"), settings=meta.get("settings"))  # fmt: skip

    # -- display -----------------------------------------------------------------------
    def __repr__(self) -> str:
        ran = len(self.tasks) - self.skipped
        passed = sum(t.passed for t in self.tasks)
        extra = f", {self.not_counted} not counted" if self.not_counted else ""
        extra += f", stopped early: {self.stopped_early}" if self.stopped_early else ""
        return (
            f"<ExperimentResult {len(self.designs)} designs, {ran} tasks run "
            f"({passed} passed), {self.skipped} skipped{extra}>"
        )

    def _repr_html_(self) -> str:
        left_out = {d: n for d, n in self.summary().attrs["not_counted"].items() if n}
        notes = "".join(f"<p>{_escape(n)}</p>" for n in self.notes)
        if left_out:
            listed = ", ".join(f"{d}: {n}" for d, n in left_out.items())
            notes += (
                "<p>Tasks not counted (interrupted, never started or cut by the budget): "
                f"{_escape(listed)}</p>"
            )
        return f"<p>{_escape(repr(self))}</p>{notes}" + self.summary().to_html(index=False)


def summary_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The ``summary()`` table from ``summarize_tasks`` rows: the ``SUMMARY_COLUMNS``,
    with ``attrs["not_counted"]`` (design -> tasks left out)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    frame.attrs["not_counted"] = {row["design"]: row["not_counted"] for row in rows}
    return frame


def summarize_tasks(design: str, rows: list[Mapping[Any, Any]]) -> dict[str, Any]:
    """One ``summary()`` row (``SUMMARY_COLUMNS`` and ``not_counted``) from one design's
    task rows.

    ``rows`` are ``TaskResult.row()`` dicts or ``to_pandas()`` records (NaN counts as
    missing), so the summary and the chart drawn from ``to_pandas()`` agree. Only
    counted tasks (``TaskResult.counted``) are summarised; a counted task that stopped
    on its own limits or failed counts as not passed.
    """
    tasks = [r for r in rows if r["counted"]]
    n = len(tasks)
    passed = sum(bool(r["passed"]) for r in tasks)
    low, high = wilson_interval(passed, n)
    costs = [_number(r["cost_usd"]) for r in tasks]
    priced = [c for c in costs if c is not None]
    times = [t for t in (_number(r.get("duration_s")) for r in tasks) if t is not None]
    return {
        "design": design,
        "tasks": n,
        "not_counted": len(rows) - n,
        "completion_rate": passed / n if n else math.nan,
        "completion_ci_low": low,
        "completion_ci_high": high,
        "cost_per_task": _mean(priced) if n and len(priced) == n else math.nan,
        "cost_per_task_p95": _p95(priced) if n and len(priced) == n else math.nan,
        "time_s_mean": _mean(times),
        "time_s_p95": _p95(times),
        "handoff_rate": sum((_number(r.get("hops")) or 0) > 0 for r in tasks) / n
        if n
        else math.nan,
        "iterations_mean": _mean([_number(r.get("iterations")) or 0.0 for r in tasks]),
    }


def _number(value: Any) -> float | None:
    """A row's number, None when missing (None in a TaskResult, NaN in a DataFrame)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


_TASK_FIELDS = {"index", "cut_by_budget", *TASK_COLUMNS} - {"counted"}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _p95(values: list[float]) -> float:
    """95th percentile with linear interpolation (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = 0.95 * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
