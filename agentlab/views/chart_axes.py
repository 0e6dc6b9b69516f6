"""Axes every chart shares: money as money, counts as whole numbers, categories that fit.

Vega-Lite's defaults draw a cost axis as ``0.00000 0.00005``, a count axis as ``0.0 0.5
1.0``, turn long category names on an x axis on end until they collide, and title an
axis with its column (``cost_usd``). The kit's charts take their axes from here instead.

>>> import altair as alt
>>> alt.X("cost_usd:Q", title="Cost (USD)", axis=money_axis(alt))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

MONEY_LABELS = (
    "datum.value == 0 ? '$0' : abs(datum.value) >= 1 ? format(datum.value, '$,.2f') "
    ": format(datum.value, '$.2~r')"
)
"""``$0``, ``$0.00005``, ``$0.0001``, ``$1.50``: two significant digits below a dollar."""
LABEL_LIMIT = 180
"""Pixels of a category label before it is cut with an ellipsis (the full name stays in
the data and the tooltip)."""


def money_axis(alt: Any, **options: Any) -> Any:
    """An axis of US dollars, labelled like money, never with six trailing decimals; a
    label that would touch its neighbour (sub-cent prices are long) is left out."""
    return alt.Axis(
        **{"labelExpr": MONEY_LABELS, "labelOverlap": "greedy", "tickCount": 4, **options}
    )


def count_axis(alt: Any, **options: Any) -> Any:
    """An axis of counts: whole-number ticks only (no ``0.5 votes``)."""
    return alt.Axis(format="d", tickMinStep=1, **options)


def category_x_axis(alt: Any, **options: Any) -> Any:
    """Category names along x, slanted and cut at ``LABEL_LIMIT`` so neighbours never
    overlap however long or many they are."""
    settings = {"labelAngle": -35, "labelAlign": "right", "labelLimit": LABEL_LIMIT}
    return alt.Axis(**{**settings, **options})


def category_y_axis(alt: Any, **options: Any) -> Any:
    """Category names along y, cut at ``LABEL_LIMIT`` (a long name cannot squeeze the plot)."""
    return alt.Axis(**{"labelLimit": LABEL_LIMIT, **options})


def level_axis(alt: Any, **options: Any) -> Any:
    """Short ordinal labels along x (iteration 1, 2, 3) written upright, not on end."""
    return alt.Axis(**{"labelAngle": 0, **options})
