"""``Estimate``: what a full experiment will cost, from a pilot or from recorded traces.

Per design: mean model calls, tokens and money per task over the pilot (or given)
traces, times the number of tasks of the full run. Money is None when any of those
traces used a model with no known price (never a made-up 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentlab._format import format_money, plural
from agentlab.errors import ConfigError
from agentlab.experiment.result import ExperimentResult

if TYPE_CHECKING:
    import pandas as pd

    from agentlab.trace.trace import Trace

ESTIMATE_COLUMNS = (
    "design", "tasks", "sample", "calls_per_task", "tokens_per_task", "cost_per_task",
    "calls", "tokens", "cost_usd",
)  # fmt: skip


@dataclass(slots=True)
class Estimate:
    """Expected model calls, tokens and USD of a full experiment run, per design.

    ``rows`` hold one dict per design (``ESTIMATE_COLUMNS``); ``pilot`` is the pilot's
    ``ExperimentResult`` when one ran (its traces can be charted like any other).
    """

    rows: list[dict[str, Any]]
    pilot: ExperimentResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(int(r["calls"]) for r in self.rows)

    @property
    def tokens(self) -> int:
        return sum(int(r["tokens"]) for r in self.rows)

    @property
    def cost_usd(self) -> float | None:
        """Expected USD of the full run, or None when any design is unpriced."""
        costs = [r["cost_usd"] for r in self.rows]
        return None if any(c is None for c in costs) else sum(costs)

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(ESTIMATE_COLUMNS))

    def __str__(self) -> str:
        w = max([6, *(len(r["design"]) for r in self.rows)])
        header = f"{'design':<{w}} {'tasks':>6} {'calls':>8} {'tokens':>11} {'USD':>11}  per task"
        lines = ["Expected for the full run (from " + self._source() + "):", header]
        for r in self.rows:
            lines.append(
                f"{r['design']:<{w}} {r['tasks']:>6} {r['calls']:>8.0f} "
                f"{r['tokens']:>11,.0f} {_money(r['cost_usd']):>11}  "
                f"{r['calls_per_task']:.1f} calls, {r['tokens_per_task']:,.0f} tokens, "
                f"{_money(r['cost_per_task'])}"
            )
        total_tasks = sum(r["tasks"] for r in self.rows)
        lines.append(
            f"{'total':<{w}} {total_tasks:>6} {self.calls:>8} {self.tokens:>11,} "
            f"{_money(self.cost_usd):>11}"
        )
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def __repr__(self) -> str:
        tasks = sum(r["tasks"] for r in self.rows)
        return (
            f"<Estimate {plural(tasks, 'task')}: {plural(self.calls, 'model call')}, "
            f"{self.tokens:,} tokens, "
            f"{_money(self.cost_usd)}>"
        )

    def _source(self) -> str:
        n = sum(r["sample"] for r in self.rows)
        s = "" if n == 1 else "s"
        return f"a pilot of {n} task{s}" if self.pilot is not None else f"{n} recorded run{s}"


def _money(value: float | None) -> str:
    return "unpriced" if value is None else format_money(value)


def traces_by_design(traces: Any, designs: list[str]) -> dict[str, list[Trace]]:
    """Normalise ``traces=`` (a result, a dict, or a list for one design) to a dict."""
    if isinstance(traces, ExperimentResult):
        grouped: dict[str, list[Any]] = {d: [] for d in designs}
        for task in traces.tasks:
            if task.trace is not None and task.design in grouped:
                grouped[task.design].append(task.trace)
    elif isinstance(traces, Mapping):
        grouped = {str(name): list(items) for name, items in traces.items()}
    elif isinstance(traces, Sequence) and len(designs) == 1:
        grouped = {designs[0]: list(traces)}
    else:
        raise ConfigError(
            "traces= must be an ExperimentResult, a dict design -> list of traces (or "
            "runs), or a list when the experiment has one design"
        )
    missing = [d for d in designs if not grouped.get(d)]
    if missing:
        raise ConfigError(f"no traces for design(s) {missing}; give at least one run of each")
    return {d: [getattr(t, "trace", t) for t in grouped[d]] for d in designs}


def estimate_from_traces(
    grouped: dict[str, list[Trace]], tasks_per_design: int, pilot: ExperimentResult | None
) -> Estimate:
    """Scale each design's mean usage per trace to ``tasks_per_design`` tasks."""
    rows = []
    for design, traces in grouped.items():
        n = len(traces)
        calls = sum(t.usage.requests for t in traces) / n
        tokens = sum(t.usage.input_tokens + t.usage.output_tokens for t in traces) / n
        costs = [t.cost for t in traces]
        cost = None if any(c is None for c in costs) else sum(costs) / n  # type: ignore[arg-type]
        rows.append({
            "design": design, "tasks": tasks_per_design, "sample": n,
            "calls_per_task": calls, "tokens_per_task": tokens, "cost_per_task": cost,
            "calls": math.ceil(calls * tasks_per_design),
            "tokens": math.ceil(tokens * tasks_per_design),
            "cost_usd": None if cost is None else cost * tasks_per_design,
        })  # fmt: skip
    notes = []
    if pilot is not None:
        unfinished = sum(t.status != "completed" for t in pilot.tasks)
        if unfinished:
            notes.append(
                f"{unfinished} of {len(pilot.tasks)} pilot tasks did not complete; "
                "their usage is included, but the estimate may be off"
            )
    if any(r["cost_usd"] is None for r in rows):
        notes.append("some models have no known price; give them priced_as='provider:model'")
    return Estimate(rows, pilot, notes)
