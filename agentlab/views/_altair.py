"""altair, loaded on first use with the offline renderer (see ``agentlab.views.charts``)."""

from __future__ import annotations

from typing import Any

OFFLINE_RENDERER = "svg"
Chart = Any  # an altair chart: alt.Chart, or a layered / faceted one


def _alt() -> Any:
    import altair as alt

    if alt.renderers.active == "default":
        alt.renderers.enable(OFFLINE_RENDERER)
    return alt


def _empty(alt: Any, message: str) -> Chart:
    import pandas as pd

    return alt.Chart(pd.DataFrame({"text": [message]})).mark_text(size=13).encode(text="text:N")
