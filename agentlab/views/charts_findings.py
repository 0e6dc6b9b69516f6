"""``al.charts.findings``: how often each design shows each failure mode (al.diagnose).

Re-exported by ``agentlab.views.charts``, so it is ``al.charts.findings(result)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab.errors import ConfigError
from agentlab.views._altair import Chart, _alt, _empty
from agentlab.views.chart_axes import LABEL_LIMIT, category_y_axis

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["findings"]


def _design_header(alt: Any) -> Any:
    """A design's name across the top of its row of bars, upright and cut if very long."""
    return alt.Header(labelAngle=0, labelAlign="left", labelLimit=2 * LABEL_LIMIT)


def _frame(results: Any) -> pd.DataFrame:
    import pandas as pd

    frame = results.findings() if callable(getattr(results, "findings", None)) else results
    needed = {"design", "kind", "severity", "tasks", "runs", "share"}
    if not isinstance(frame, pd.DataFrame) or not needed <= set(frame.columns):
        raise ConfigError(
            f"charts.findings charts an experiment's findings; got {type(results).__name__}. "
            "Pass the ExperimentResult or result.findings()"
        )
    return frame


def findings(results: Any) -> Chart:
    """Share of each design's runs with each finding kind, one bar per design and kind.

    Takes an ``ExperimentResult`` or its ``findings()`` DataFrame. Warnings and infos
    have their own colours; a design with no finding says so.

    >>> al.charts.findings(result)  # doctest: +SKIP
    """
    alt = _alt()
    frame = _frame(results)
    if frame.empty:
        return _empty(alt, "al.diagnose found nothing in these runs").properties(
            title="Findings per design"
        )
    frame = frame[["design", "kind", "severity", "findings", "tasks", "runs", "share"]]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("kind:N", title=None, axis=category_y_axis(alt)),
            x=alt.X(
                "share:Q",
                title="Share of runs",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "severity:N",
                title="Severity",
                scale=alt.Scale(domain=["warning", "info"], range=["#d97706", "#2563eb"]),
            ),
            row=alt.Row("design:N", title=None, header=_design_header(alt)),
            tooltip=["design", "kind", "severity", "findings", "tasks", "runs"],
        )
    )
    return bars.properties(title="Findings per design (al.diagnose)", width=320)
