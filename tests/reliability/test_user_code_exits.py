"""sys.exit() or KeyboardInterrupt anywhere in user code ends that run within a second
and leaves the shared event-loop thread working for the next one."""

from __future__ import annotations

import sys
import time

import pytest

import agentlab as al


def leave(*_args):
    sys.exit(7)


class ExitingModel:
    name, price_key = "exiting", None

    async def respond(self, request):
        sys.exit(1)


PLACES = {
    "gate check": lambda: al.Chain(
        [al.Agent(name="A", model=al.ScriptedModel(["x"])), al.Gate(leave), str.upper]
    ),
    "function step": lambda: al.Chain([leave]),
    "function model": lambda: al.Agent(name="A", model=al.FunctionModel(leave)),
    "custom model in a branch": lambda: al.Parallel(
        [
            al.Agent(name="A", model=al.ScriptedModel(["ok"], latency_s=0.2)),
            al.Agent(name="B", model=ExitingModel()),
        ],
        on_error="fail",
    ),
    "merge function": lambda: al.Parallel([str.upper, str.lower], merge=leave),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_sys_exit_fails_the_run_under_run_sync_and_the_next_run_works(place):
    started = time.perf_counter()
    run = PLACES[place]().run_sync("go")
    assert time.perf_counter() - started < 1.0
    assert run.status == "failed", (run.status, run.stop_detail)
    assert "SystemExit" in (run.stop_detail or "") or "sys.exit" in (run.stop_detail or "")
    assert al.Agent(name="After", model=al.ScriptedModel(["fine"])).run_sync("x").output == "fine"


@pytest.mark.parametrize("place", ["function step", "function model"])
async def test_sys_exit_fails_an_awaited_run_too(place):
    run = await PLACES[place]().run("go")
    assert run.status == "failed"


def test_a_keyboard_interrupt_in_a_tool_stops_the_run_interrupted():
    def stop(q: str) -> str:
        """Interrupts."""
        raise KeyboardInterrupt

    model = al.ScriptedModel([al.ToolCall("stop", {"q": "x"}), "never"])
    run = al.Agent(name="A", model=model, tools=[stop]).run_sync("go")
    assert (run.status, run.stop_reason) == ("stopped", "interrupted")
    assert al.Agent(name="After", model=al.ScriptedModel(["fine"])).run_sync("x").output == "fine"
