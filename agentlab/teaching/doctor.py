"""``python -m agentlab doctor``: is this laptop ready for the workshop?

One line per need (Python, the kit, JupyterLab, the kernel, the widget front-end, the
model in use and whether it answers, the API keys), each ``ok``, ``MISSING`` or
``note``; the exit status is 0 only when nothing is missing. Key values are never
printed, only whether a variable is set.

Example::

    $ python -m agentlab doctor
    ok       Python 3.11.7 (3.11+ needed)
    ...
    ready: open JupyterLab with `jupyter lab notebooks/00_tour.ipynb`
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["Check", "checks", "main"]

KEY_VARIABLES = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY")
Status = Literal["ok", "MISSING", "note"]


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report: what was checked, its status and what to do."""

    status: Status
    what: str
    fix: str = ""

    def line(self) -> str:
        """The printed line, e.g. ``ok       Python 3.11.7``."""
        return f"{self.status:<8} {self.what}" + (f"\n         -> {self.fix}" if self.fix else "")


def _python(v: tuple[int, ...] = sys.version_info[:3]) -> Check:
    text = f"Python {'.'.join(map(str, v[:3]))} (3.11+ needed)"
    if tuple(v) >= (3, 11):
        return Check("ok", text)
    return Check("MISSING", text, "install Python 3.11 or newer and recreate the .venv with it")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _kit() -> Check:
    from agentlab._version import __version__

    where = Path(__file__).resolve().parents[1]
    missing = [m for m in ("pandas", "altair", "vl_convert", "anywidget", "ipywidgets")
               if importlib.util.find_spec(m) is None]  # fmt: skip
    if missing:
        return Check("MISSING", f"agentlab {__version__}: cannot import {', '.join(missing)}",
                     'pip install -e ".[lab]" (or make lab-install)')  # fmt: skip
    return Check("ok", f"agentlab {__version__} at {where}")


def _jupyterlab() -> Check:
    version = _version("jupyterlab")
    if version is None:
        return Check("MISSING", "JupyterLab", 'pip install -e ".[lab]" (or make lab-install)')
    return Check("ok", f"JupyterLab {version}")


def _kernel() -> Check:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except ImportError:
        return Check("MISSING", "Jupyter kernel: jupyter_client is not installed",
                     'pip install -e ".[lab]"')  # fmt: skip
    if "python3" not in specs:
        return Check("MISSING", "Jupyter kernel 'python3'",
                     "python -m ipykernel install --sys-prefix --name python3")  # fmt: skip
    spec = KernelSpecManager().get_kernel_spec("python3")
    python = spec.argv[0]
    if python in ("python", "python3"):
        python = sys.executable  # ipykernel's own spec runs whichever python is on PATH
    try:
        done = subprocess.run([python, "-c", "import agentlab, ipykernel"],
                              capture_output=True, timeout=60, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("MISSING", f"Jupyter kernel 'python3' ({python}): {type(exc).__name__}",
                     "python -m ipykernel install --sys-prefix --name python3")  # fmt: skip
    if done.returncode:
        return Check("MISSING", f"Jupyter kernel 'python3' runs {python}, which cannot import "
                     "agentlab", "activate the .venv, then: python -m ipykernel install "
                     "--sys-prefix --name python3")  # fmt: skip
    return Check("ok", f"Jupyter kernel 'python3' runs {python} and imports agentlab")


def _labextensions() -> Check:
    try:
        from jupyter_core.paths import jupyter_path

        roots = [Path(p) for p in jupyter_path("labextensions")]
    except ImportError:
        roots = [Path(sys.prefix, "share", "jupyter", "labextensions")]
    wanted = {"anywidget": "anywidget", "@jupyter-widgets/jupyterlab-manager": "ipywidgets"}
    absent = [name for name in wanted if not any((r / name / "package.json").exists()
                                                 for r in roots)]  # fmt: skip
    if absent:
        dists = " ".join(sorted({wanted[a] for a in absent}))
        return Check("MISSING", f"widget front-end in JupyterLab: {', '.join(absent)} not found",
                     f"pip install --force-reinstall {dists}, then restart JupyterLab")  # fmt: skip
    return Check("ok", "widget front-end in JupyterLab (anywidget, jupyterlab-manager)")


def _model(timeout_s: float) -> Check:
    from agentlab.core.agent import Agent
    from agentlab.core.limits import Limits
    from agentlab.errors import ConfigError
    from agentlab.models.scripted import ScriptedModel

    spec = os.environ.get("AGENTLAB_MODEL")
    label = f"AGENTLAB_MODEL={spec!r}" if spec else "offline (AGENTLAB_MODEL unset: scripted)"
    try:
        model = spec or ScriptedModel(["ok"])
        agent = Agent(name="Doctor", instructions="Answer with one word.", model=model,
                         settings=None if not spec else {"max_tokens": 5})  # fmt: skip
        run = agent.run_sync("Say ok.", limits=Limits(max_turns=1, timeout_s=timeout_s))
    except ConfigError as exc:
        return Check("MISSING", f"model {label}: {exc}", "fix AGENTLAB_MODEL or unset it")
    if run.status != "completed":
        why = run.stop_detail or (f"{type(run.error).__name__}: {run.error}" if run.error else "")
        return Check("MISSING", f"model {label} did not answer ({run.status}: {why})",
                     "check the server or key; unset AGENTLAB_MODEL to work offline")  # fmt: skip
    took = max((s.duration_s or 0.0 for s in run.trace.spans), default=0.0)
    return Check("ok", f"model {label} answers ({took:.1f} s)")


def _keys() -> Iterator[Check]:
    for name in KEY_VARIABLES:
        present = bool(os.environ.get(name, "").strip())
        yield Check("note", f"{name} is {'set' if present else 'not set'}"
                    + ("" if present else " (not needed offline)"))  # fmt: skip


def checks(*, timeout_s: float = 20.0) -> Iterator[Check]:
    """Every check, in the order a participant fixes them."""
    steps: list[Callable[[], Check]] = [
        lambda: _python(sys.version_info[:3]),
        _kit,
        _jupyterlab,
        _kernel,
        _labextensions,
    ]
    for step in steps:
        yield step()
    yield _model(timeout_s)
    yield from _keys()


def main(*, timeout_s: float = 20.0) -> int:
    """Print the report; 0 when ready, 1 when something is missing."""
    missing = 0
    for check in checks(timeout_s=timeout_s):
        print(check.line(), flush=True)
        missing += check.status == "MISSING"
    if missing:
        print(f"not ready: {missing} thing(s) missing (see the -> lines)")
        return 1
    print("ready: open JupyterLab with `jupyter lab notebooks/00_tour.ipynb`")
    return 0
