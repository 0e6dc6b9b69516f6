"""altair, loaded on first use with the offline renderer (see ``agentlab.views.charts``)."""

from __future__ import annotations

from typing import Any

OFFLINE_RENDERER = "agentlab"
Chart = Any  # an altair chart: alt.Chart, or a layered / faceted one


def offline_bundle(spec: dict[str, Any], **_metadata: Any) -> dict[str, str]:
    """The ``agentlab`` renderer: a chart's SVG and PNG (base64), drawn offline by vl-convert.

    >>> sorted(offline_bundle(chart.to_dict()))  # doctest: +SKIP
    ['image/png', 'image/svg+xml']
    """
    import base64

    import altair as alt
    from altair.utils.mimebundle import spec_to_mimebundle

    version = alt.SCHEMA_VERSION.lstrip("v")
    svg: Any = spec_to_mimebundle(spec, format="svg", mode="vega-lite", vegalite_version=version)
    png: Any = spec_to_mimebundle(spec, format="png", mode="vega-lite", vegalite_version=version)
    png_data = (png[0] if isinstance(png, tuple) else png)["image/png"]
    return {
        "image/svg+xml": svg["image/svg+xml"],
        "image/png": base64.b64encode(png_data).decode("ascii"),
    }


def _register(alt: Any) -> None:
    if OFFLINE_RENDERER not in alt.renderers.names():
        alt.renderers.register(OFFLINE_RENDERER, offline_bundle)


def _alt() -> Any:
    import altair as alt

    _register(alt)
    if alt.renderers.active == "default":
        alt.renderers.enable(OFFLINE_RENDERER)
    return alt


def _empty(alt: Any, message: str) -> Chart:
    import pandas as pd

    return alt.Chart(pd.DataFrame({"text": [message]})).mark_text(size=13).encode(text="text:N")
