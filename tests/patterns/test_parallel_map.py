"""Parallel.map and description= on runnables (an orchestrator lists workers with it)."""

from __future__ import annotations

import pytest

import agentlab as al

STAKEHOLDERS = ["customers", "staff", "investors", "suppliers"]


def test_map_runs_one_branch_per_piece_with_its_own_input() -> None:
    analyst = al.Agent("Analyst", model=al.FunctionModel(lambda m, t: f"on {m[-1].content}"))
    block = al.Parallel.map(analyst, split=lambda text: [f"{text} for {s}" for s in STAKEHOLDERS])
    run = block.run_sync("price rise")
    assert run.status == "completed"
    assert run.output == [f"on price rise for {s}" for s in STAKEHOLDERS]
    assert isinstance(block, al.Parallel)
    branches = [s.name for s in run.trace.spans if s.kind == "branch"]
    assert sorted(branches) == [f"Analyst #{i}" for i in range(1, 5)]


def test_map_with_merge_function_and_agent_merge() -> None:
    double = al.Parallel.map(lambda n: n * 2, split=lambda text: [int(x) for x in text.split()],
                             merge=sum)  # fmt: skip
    assert double.run_sync("1 2 3").output == 12
    editor = al.Agent(
        "Editor", model=al.FunctionModel(lambda m, t: str(m[-1].content.count("###")))
    )
    run = al.Parallel.map(str.upper, split=str.split, merge=editor).run_sync("a b")
    assert run.output == "2"


def test_map_split_count_varies_per_run() -> None:
    block = al.Parallel.map(len, split=str.split)
    assert block.run_sync("a bb").output == [1, 2]
    assert block.run_sync("a bb ccc").output == [1, 2, 3]


def test_map_split_trouble_fails_the_run() -> None:
    assert al.Parallel.map(len, split=lambda t: []).run_sync("x").status == "failed"
    assert al.Parallel.map(len, split=lambda t: "abc").run_sync("x").status == "failed"
    with pytest.raises(al.ConfigError, match="split"):
        al.Parallel.map(len, split="nope")  # type: ignore[arg-type]


def test_map_split_with_ctx_reads_deps() -> None:
    block = al.Parallel.map(str.upper, split=lambda text, ctx=None: text.split())
    assert block.run_sync("a b").output == ["A", "B"]

    def split(text: str, ctx: al.Ctx) -> list[str]:
        return [f"{text}:{d}" for d in ctx.deps]

    assert al.Parallel.map(lambda x: x, split=split).run_sync("q", deps=["x", "y"]).output == [
        "q:x",
        "q:y",
    ]


def test_every_runnable_takes_description() -> None:
    a = al.Agent("A")
    made = [
        al.Chain([a], description="d1"),
        al.Router(a, routes={"x": a}, description="d2"),
        al.Parallel([a], description="d3"),
        al.Parallel.vote(a, n=2, description="d4"),
        al.Parallel.map(a, split=str.split, description="d5"),
        al.Orchestrator(al.Agent("P"), workers={"a": a}, synthesizer=a, description="d6"),
        al.EvaluatorOptimizer(a, al.Agent("E"), accept=5, description="d7"),
        al.Team([a], entry=a, description="d8"),
        al.Gate(bool, description="d9"),
        al.Agent("B", description="d10"),
    ]
    assert [r.description for r in made] == [f"d{i}" for i in range(1, 11)]
    with pytest.raises(al.ConfigError, match="description must be text"):
        al.Chain([a], description=3)  # type: ignore[arg-type]


def test_orchestrator_lists_each_worker_with_its_description_even_a_chain() -> None:
    writer = al.Chain([al.Agent("W1"), al.Agent("W2")], name="writer",
                      description="Drafts and polishes product copy")  # fmt: skip
    researcher = al.Agent("Researcher", instructions="Find facts.\nMore.")
    planner = al.Agent("Planner", instructions="Plan well.", model=al.ScriptedModel(
        [{"tasks": [{"worker": "research", "task": "t"}]}]))  # fmt: skip
    desk = al.Orchestrator(planner, workers={"writer": writer, "research": researcher},
                           synthesizer=al.Agent("S", model=al.ScriptedModel(["done"])))  # fmt: skip
    desk.workers["research"].model = al.ScriptedModel(["facts"])
    run = desk.run_sync("go")
    system = next(m.content for m in run.trace.messages if m.role == "system")
    assert system.startswith("Plan well.")
    assert "- writer: Drafts and polishes product copy" in system
    assert "- research: Find facts." in system


def test_orchestrator_planner_with_instructions_function() -> None:
    plan = al.ScriptedModel([{"tasks": [{"worker": "w", "task": "t"}]}])
    planner = al.Agent("Planner", instructions=lambda ctx: f"Plan for {ctx.deps}.", model=plan)
    desk = al.Orchestrator(planner, workers={"w": al.Agent("W", model=al.ScriptedModel(["x"]))},
                           synthesizer=al.Agent("S", model=al.ScriptedModel(["done"])))  # fmt: skip
    run = desk.run_sync("go", deps="Ada")
    system = next(m.content for m in run.trace.messages if m.role == "system")
    assert system.startswith("Plan for Ada.") and "- w: W" in system
