"""Every program in examples/ runs offline (its simulated models) and ends as it says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import agentlab as al

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROGRAMS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_there_are_at_least_six_examples():
    assert len(PROGRAMS) >= 6, [p.name for p in PROGRAMS]


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
async def test_an_example_runs_offline_and_ends_as_expected(path, monkeypatch, capsys):
    monkeypatch.delenv("AGENTLAB_MODEL", raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    sys.modules.pop("_offline", None)
    module = load(path)
    assert "simulation" in (module.__doc__ or ""), "say that the offline run is a simulation"
    runs = await module.main()
    assert all(isinstance(run, al.Run) for run in runs)
    got = [run.status + (f":{run.stop_reason}" if run.status == "stopped" else "") for run in runs]
    assert got == module.EXPECTED, [run.stop_detail for run in runs]
    assert capsys.readouterr().out.strip()  # it shows the user something
