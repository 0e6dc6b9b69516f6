"""Shared helpers for the benchmarks: machine info, timing, tables, result files."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
LOAD_AT_START = os.getloadavg() if hasattr(os, "getloadavg") else None
PEER_PACKAGES = ("agentlab-kit", "openai-agents", "pydantic-ai-slim", "langgraph")


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, Python, OS, package versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    start = [round(x, 2) for x in LOAD_AT_START] if LOAD_AT_START else None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "os": platform.platform(),
        "load_average_1_5_15min": {
            "start": start,
            "end": [round(x, 2) for x in load] if load else None,
        },
        "agentlab_commit": _commit(),
        "packages": {name: package_version(name) for name in PEER_PACKAGES},
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def _commit() -> str | None:
    """The repo's commit, with "+dirty" when the work tree differs from it."""
    import subprocess

    root = Path(__file__).parent.parent
    try:
        head = _git(root, "rev-parse", "--short", "HEAD")
        dirty = _git(root, "status", "--porcelain", "agentlab")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def _git(root: Path, *args: str) -> str:
    import subprocess

    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def write_result(name: str, figures: dict[str, Any], *, quick: bool = False) -> Path | None:
    """Write ``benchmarks/results/<name>.json`` with the machine info and the figures.

    Quick (smoke) runs write nothing, so they never overwrite the real figures.
    """
    if quick:
        print("\nquick run: results/ left as it was")
        return None
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "machine": machine_info(), **figures}
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return path


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table (also valid Markdown)."""
    cells = [[str(c) for c in headers]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return "skipped"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)
