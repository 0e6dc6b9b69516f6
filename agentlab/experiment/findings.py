"""Findings across an experiment: how often each design shows each failure mode.

``ExperimentResult.findings()`` runs ``al.diagnose`` on the trace of every task that
ran and counts, per design and finding kind, the findings and the tasks that had one.

>>> result.findings()   # doctest: +SKIP
  design            kind severity  findings  tasks  runs  share
0  chain  unchecked_chain     info        20     20    20   1.00
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from agentlab.trace.diagnose import diagnose
from agentlab.trace.findings import FINDING_KINDS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FINDINGS_COLUMNS", "findings_frame"]

FINDINGS_COLUMNS = ("design", "kind", "severity", "findings", "tasks", "runs", "share")


def findings_frame(tasks: list[Any], designs: list[str]) -> pd.DataFrame:
    """One row per design and finding kind found at least once, designs in their order
    and kinds in ``FINDING_KINDS`` order.

    ``findings``: how many findings of that kind; ``tasks``: how many of the design's
    tasks had one; ``runs``: the design's tasks that ran (have a trace); ``share``:
    tasks / runs. ``frame.attrs["runs"]`` holds runs per design, for designs with none.
    """
    import pandas as pd

    found: dict[tuple[str, str], int] = Counter()
    with_one: dict[tuple[str, str], int] = Counter()
    runs: dict[str, int] = Counter()
    for task in tasks:
        trace = getattr(task, "trace", None)
        if trace is None:
            continue
        runs[task.design] += 1
        kinds = Counter(f.kind for f in diagnose(trace))
        for kind, n in kinds.items():
            found[(task.design, kind)] += n
            with_one[(task.design, kind)] += 1
    rows = [
        {
            "design": design,
            "kind": kind,
            "severity": FINDING_KINDS[kind][0],
            "findings": found[(design, kind)],
            "tasks": with_one[(design, kind)],
            "runs": runs[design],
            "share": with_one[(design, kind)] / runs[design],
        }
        for design in designs
        for kind in FINDING_KINDS
        if found[(design, kind)]
    ]
    frame = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    frame["share"] = frame["share"].astype("float64")
    frame.attrs["runs"] = {design: runs[design] for design in designs}
    return frame
