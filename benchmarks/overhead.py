"""Runtime overhead per run and per model turn, vs plain asyncio and the peer frameworks.

Every framework runs the same two workloads with its own offline fake model and zero
latency, all in this one process so the ratios are comparable:

- a single-turn run (one model call that answers);
- an 11-turn tool loop (10 model calls that each ask for one tool call, then an answer),
  reported per model turn.

"plain asyncio" calls agentlab's ScriptedModel and the tool directly in a hand-written
loop (the floor). "bare run_in_executor" is one ``await loop.run_in_executor(None, ...)``
of the same tool: the cost of any thread hop, the yardstick for what a sync tool adds to
a turn (agentlab with a sync tool minus agentlab with an async tool, per tool call).
agentlab runs with tracing on (the default) and off
(``agentlab.trace.disabled()``). Peers that are not installed are reported as
skipped; install them with ``pip install -e ".[bench]"``.

    python benchmarks/overhead.py            # prints a table, writes results/overhead.json
    python benchmarks/overhead.py --quick    # fewer runs (a smoke check)
    python benchmarks/overhead.py --profile  # cProfile of agentlab's single-turn run
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _common import median, table, write_result

import agentlab as al
import agentlab.trace.processors
from agentlab.messages import Message, ToolCall
from agentlab.models.base import ModelRequest, ToolSpec

LOOP_TURNS = 11
BARE = "bare run_in_executor (one round trip)"
PLAIN_HOP = "plain asyncio, tool via run_in_executor"
Once = Callable[[], Awaitable[Any]]


def lookup(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


# -- agentlab and the plain-asyncio floor ------------------------------------------------
def _script(turns: int, runs: int) -> al.ScriptedModel:
    one_run: list[Any] = [ToolCall("lookup", {"order_id": "42"})] * (turns - 1) + ["done"]
    return al.ScriptedModel(one_run * runs)


async def lookup_async(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def agentlab_runner(turns: int, runs: int, tool: Callable[..., Any] = lookup) -> Once:
    agent = al.Agent(name="Bench", instructions="Answer.", model=_script(turns, runs),
                     tools=[al.tool(tool, name="lookup")])  # fmt: skip
    limits = al.Limits(max_turns=turns + 1)

    async def once() -> Any:
        run = await agent.run("Where is order 42?", limits=limits)
        assert run.status == "completed", run.stop_detail
        return run

    return once


def agentlab_async_tool(turns: int, runs: int) -> Once:
    """agentlab with an async tool: no worker-thread hop per tool call (sync tools get one)."""
    return agentlab_runner(turns, runs, lookup_async)


def bare_executor_runner(turns: int, runs: int) -> Once:
    """One bare ``run_in_executor`` round trip of the sync tool (whatever ``turns``)."""

    async def once() -> str:
        return await asyncio.get_running_loop().run_in_executor(None, lookup, "42")

    return once


def plain_executor_runner(turns: int, runs: int) -> Once:
    """The plain loop with each tool call a bare ``run_in_executor`` round trip."""
    return plain_runner(turns, runs, hop=True)


def plain_runner(turns: int, runs: int, *, hop: bool = False) -> Once:
    """The same ScriptedModel and tool, called from a hand-written asyncio loop."""
    model = _script(turns, runs)
    specs = (ToolSpec("lookup", "Look an order up by id.", {"type": "object"}),)

    async def once() -> str:
        messages = [Message.system("Answer."), Message.user("Where is order 42?")]
        while True:
            response = await model.respond(ModelRequest(tuple(messages), specs))
            messages.append(Message.assistant(response.text, tool_calls=response.tool_calls))
            if not response.tool_calls:
                return response.text
            for call in response.tool_calls:
                if hop:
                    loop = asyncio.get_running_loop()
                    result = await loop.run_in_executor(None, lookup, call.arguments["order_id"])
                else:
                    result = lookup(**call.arguments)
                messages.append(Message("tool", result, tool_call_id=call.id))

    return once


# -- peers, each with its own fake model ---------------------------------------------------
def openai_agents_runner(turns: int, runs: int) -> Once:
    from agents import Agent, RunConfig, Runner, function_tool, set_tracing_disabled
    from agents.items import ModelResponse
    from agents.models.interface import Model
    from agents.usage import Usage
    from openai.types.responses import (
        ResponseFunctionToolCall,
        ResponseOutputMessage,
        ResponseOutputText,
    )

    set_tracing_disabled(True)  # no exporter, no network

    class FakeModel(Model):
        async def get_response(self, system_instructions, input, *args: Any, **kwargs: Any):
            items = input if isinstance(input, list) else []
            done = sum(1 for i in items if _get(i, "type") == "function_call_output")
            if done < turns - 1:
                out: list[Any] = [ResponseFunctionToolCall(
                    id=f"fc_{done}", call_id=f"call_{done}", type="function_call",
                    name="lookup", arguments='{"order_id": "42"}', status="completed")]  # fmt: skip
            else:
                out = [ResponseOutputMessage(
                    id="msg_1", type="message", role="assistant", status="completed",
                    content=[ResponseOutputText(text="done", type="output_text", annotations=[])],
                )]  # fmt: skip
            return ModelResponse(output=out, usage=Usage(), response_id=None)

        def stream_response(self, *args: Any, **kwargs: Any):
            raise NotImplementedError

    agent = Agent(name="Bench", instructions="Answer.", model=FakeModel(),
                  tools=[function_tool(lookup)])  # fmt: skip
    config = RunConfig(tracing_disabled=True)

    async def once() -> Any:
        result = await Runner.run(agent, "Where is order 42?", max_turns=turns + 1,
                                  run_config=config)  # fmt: skip
        assert result.final_output == "done"
        return result

    return once


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def pydantic_ai_runner(turns: int, runs: int) -> Once:
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart, ToolReturnPart
    from pydantic_ai.models.function import FunctionModel

    def respond(messages: list[Any], info: Any) -> ModelResponse:
        done = sum(isinstance(p, ToolReturnPart) for m in messages for p in m.parts)
        if done < turns - 1:
            return ModelResponse(parts=[ToolCallPart("lookup", {"order_id": "42"})])
        return ModelResponse(parts=[TextPart("done")])

    agent = Agent(FunctionModel(respond), instructions="Answer.")
    agent.tool_plain(lookup)

    async def once() -> Any:
        result = await agent.run("Where is order 42?")
        assert result.output == "done"
        return result

    return once


def langgraph_runner(turns: int, runs: int) -> Once:
    """A bare LangGraph graph: a model node and a tool node, plain dict messages."""
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph

    class State(TypedDict):
        messages: list[dict[str, Any]]

    async def fake_model(messages: list[dict[str, Any]]) -> dict[str, Any]:
        done = sum(1 for m in messages if m["role"] == "tool")
        if done < turns - 1:
            return {
                "role": "assistant",
                "tool_call": {"name": "lookup", "args": {"order_id": "42"}},
            }
        return {"role": "assistant", "content": "done"}

    async def model_node(state):  # no hints: State is local (langgraph reads them)
        return {"messages": [*state["messages"], await fake_model(state["messages"])]}

    async def tool_node(state):
        call = state["messages"][-1]["tool_call"]
        result = {"role": "tool", "content": lookup(**call["args"])}
        return {"messages": [*state["messages"], result]}

    def route(state):
        return "tools" if "tool_call" in state["messages"][-1] else END

    graph = StateGraph(State)
    graph.add_node("model", model_node)
    graph.add_node("tools", tool_node)
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", route, ["tools", END])
    graph.add_edge("tools", "model")
    app = graph.compile()
    config = {"recursion_limit": 4 * turns}
    start = {"messages": [{"role": "system", "content": "Answer."},
                          {"role": "user", "content": "Where is order 42?"}]}  # fmt: skip

    async def once() -> Any:
        result = await app.ainvoke(start, config=config)
        assert result["messages"][-1]["content"] == "done"
        return result

    return once


PEERS: dict[str, tuple[str, Callable[[int, int], Once]]] = {
    "LangGraph": ("langgraph", langgraph_runner),
    "OpenAI Agents SDK": ("agents", openai_agents_runner),
    "pydantic-ai": ("pydantic_ai", pydantic_ai_runner),
}


# -- measuring -----------------------------------------------------------------------------
class Contender:
    """One framework on one workload, ready to be timed round after round."""

    def __init__(self, factory: Callable[[int, int], Once], turns: int, runs: int, rounds: int,
                 tracing: bool) -> None:  # fmt: skip
        self.warmup = max(5, runs // 10)
        self.once = factory(turns, self.warmup + runs * rounds)
        self.runs = runs
        self.tracing = tracing
        self.samples: list[float] = []

    async def time(self, runs: int) -> float:
        token = agentlab.trace.processors._TRACING_ENABLED.set(self.tracing)
        try:
            started = time.perf_counter()
            for _ in range(runs):
                await self.once()
            return (time.perf_counter() - started) / runs
        finally:
            agentlab.trace.processors._TRACING_ENABLED.reset(token)


async def measure_all(contenders: list[Contender], rounds: int) -> None:
    """Warm every contender up, then time them in interleaved rounds, so the noise of a
    shared machine falls on all of them alike; each keeps its per-round means."""
    for c in contenders:
        await c.time(c.warmup)
    for _ in range(rounds):
        for c in contenders:
            gc.collect()
            c.samples.append(await c.time(c.runs))


def available(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


async def collect(runs_single: int, runs_loop: int, rounds: int) -> dict[str, dict[str, Any]]:
    """Seconds per single-turn run and per model turn of the tool loop, per framework."""
    entries: list[tuple[str, Callable[[int, int], Once], dict[str, Any]]] = [
        ("plain asyncio", plain_runner, {}),
        (PLAIN_HOP, plain_executor_runner, {}),
        ("agentlab (tracing on)", agentlab_runner, {"tracing": True}),
        ("agentlab (tracing off)", agentlab_runner, {"tracing": False}),
        ("agentlab (tracing on, async tool)", agentlab_async_tool, {"tracing": True}),
        (BARE, bare_executor_runner, {}),
    ]
    figures: dict[str, dict[str, Any]] = {}
    for name, (module, factory) in PEERS.items():
        if available(module):
            entries.append((name, factory, {}))
        else:
            print(f"{name}: skipped (not installed; pip install -e '.[bench]')")
            figures[name] = {"single_run_us": None, "per_turn_us": None, "skipped": True}
    timed: dict[str, tuple[Contender, Contender]] = {}
    for name, factory, options in entries:
        scale = (20, 10) if name in PEERS else (1, 1)
        tracing = options.get("tracing", True)
        timed[name] = (
            Contender(factory, 1, max(20, runs_single // scale[0]), rounds, tracing),
            Contender(factory, LOOP_TURNS, max(10, runs_loop // scale[1]), rounds, tracing),
        )
    await measure_all([c for pair in timed.values() for c in pair], rounds)
    for name, (single, loop) in timed.items():
        if name == BARE:  # one hop, not a run: its loop workload is not a tool loop
            figures[name] = {"single_run_us": median(single.samples) * 1e6, "per_turn_us": None,
                             "single_run_us_min": min(single.samples) * 1e6}  # fmt: skip
            print(f"  {name}: {figures[name]['single_run_us']:,.1f} us")
            continue
        figures[name] = {
            "single_run_us": median(single.samples) * 1e6,
            "per_turn_us": median(loop.samples) / LOOP_TURNS * 1e6,
            "single_run_us_min": min(single.samples) * 1e6,
            "per_turn_us_min": min(loop.samples) / LOOP_TURNS * 1e6,
        }
        f = figures[name]
        print(f"  {name}: {f['single_run_us']:,.1f} us/run, {f['per_turn_us']:,.1f} us/turn")
    order = [name for name, _, _ in entries if name not in PEERS] + list(PEERS)
    return {name: figures[name] for name in order}


def report(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours = figures["agentlab (tracing on)"]
    plain = figures["plain asyncio"]
    rows = []
    for name, f in figures.items():
        ratios = [_ratio(f[k], ours[k]) for k in ("single_run_us", "per_turn_us")]
        rows.append([name, f["single_run_us"], f["per_turn_us"], *ratios])
    print()
    print(table(["framework", "us per single-turn run", "us per model turn (11-turn loop)",
                 "run vs agentlab on", "turn vs agentlab on"], rows))  # fmt: skip
    peers = [f for n, f in figures.items() if n in PEERS and f["single_run_us"] is not None]
    summary: dict[str, Any] = {
        "agentlab_overhead_over_plain_us": {
            k: ours[k] - plain[k] for k in ("single_run_us", "per_turn_us")
        },
        "goal_under_50us": all(ours[k] < 50 for k in ("single_run_us", "per_turn_us")),
    }
    per_call = LOOP_TURNS / (LOOP_TURNS - 1)  # 10 tool calls in 11 turns
    async_tool = figures["agentlab (tracing on, async tool)"]
    added = (ours["per_turn_us"] - async_tool["per_turn_us"]) * per_call
    in_loop = (figures[PLAIN_HOP]["per_turn_us"] - plain["per_turn_us"]) * per_call
    hop = figures[BARE]["single_run_us"]
    summary["sync_tool_adds_per_call_us"] = added
    summary["bare_run_in_executor_us"] = hop
    summary["bare_run_in_executor_in_a_tool_loop_us"] = in_loop
    summary["sync_tool_adds_vs_bare_hop"] = added / hop
    summary["sync_tool_adds_vs_bare_hop_in_a_tool_loop"] = added / in_loop
    summary["goal_sync_tool_within_one_bare_hop"] = added <= min(hop, in_loop)
    if peers:
        for k in ("single_run_us", "per_turn_us"):
            fastest = min(p[k] for p in peers)
            summary[f"fastest_peer_{k}"] = fastest
            summary[f"fastest_peer_ratio_{k}"] = fastest / ours[k]
        summary["goal_20x_below_fastest_peer"] = all(
            summary[f"fastest_peer_ratio_{k}"] >= 20 for k in ("single_run_us", "per_turn_us")
        )
    print()
    for key, value in summary.items():
        print(f"{key}: {value}")
    return summary


def _ratio(value: float | None, ours: float) -> str:
    if value is None:
        return "-"
    ratio = value / ours
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.2f}x"


def profile(turns: int, runs: int, factory: Callable[[int, int], Once] = agentlab_runner) -> None:
    """Where agentlab's time goes (cProfile, top 20 by own time), tracing on."""

    async def main() -> None:
        once = factory(turns, runs + 10)
        for _ in range(10):
            await once()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            await once()
        profiler.disable()
        stats = pstats.Stats(profiler)
        calls = stats.total_calls  # type: ignore[attr-defined]
        label = f"{turns}-turn run ({factory.__name__})"
        print(f"\n== {label}: {calls / runs:,.0f} Python calls per run ==")
        stats.sort_stats("tottime").print_stats(20)

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke check")
    parser.add_argument("--profile", action="store_true", help="cProfile agentlab instead")
    args = parser.parse_args()
    if args.profile:
        profile(1, 2000)
        profile(LOOP_TURNS, 200)
        profile(LOOP_TURNS, 200, agentlab_async_tool)
        return
    runs_single, runs_loop, rounds = (200, 20, 3) if args.quick else (1000, 100, 9)
    figures = asyncio.run(collect(runs_single, runs_loop, rounds))
    summary = report(figures)
    write_result("overhead", {
        "unit": "microseconds: median (and min) over interleaved rounds of the mean per run "
        "or per model turn",
        "runs": {"single": runs_single, "loop": runs_loop, "rounds": rounds,
                 "peers": "1/20 (single) and 1/10 (loop) as many runs"},
        "figures": figures,
        "summary": summary,
    }, quick=args.quick)  # fmt: skip


if __name__ == "__main__":
    main()
