"""Orchestrator: an explicit structured plan, concurrent workers, bad plans fail or stop."""

from __future__ import annotations

import time

import pytest

import agentlab as al

REQUEST = "Write a product description for a new eco-friendly water bottle."
FORMAL = "The AquaPure bottle is crafted from recycled steel and keeps water cold for 24 hours."
CASUAL = "Meet your new hydration buddy: cold water all day, zero plastic guilt!"
PLAN = {
    "tasks": [
        {"worker": "writer", "task": "Write a formal, technical description of the bottle."},
        {"worker": "Writer", "task": "Write a conversational, friendly description of it."},
    ]
}


def desk(plan_responses: list, *, latency: float = 0.0, max_tasks: int = 8):
    planner = al.Agent(
        name="Planner",
        instructions="Break product copy requests into tasks.",
        model=al.ScriptedModel(plan_responses),
    )
    writer = al.Agent(
        name="Writer",
        instructions="Write product copy.",
        description="Writes product copy in a given style.",
        model=al.ScriptedModel([FORMAL, CASUAL], latency_s=latency),
    )
    editor = al.Agent(name="Editor", model=al.FunctionModel(lambda m, t: "both styles ready"))
    orchestrator = al.Orchestrator(
        planner,
        workers={"writer": writer},
        synthesizer=editor,
        max_tasks=max_tasks,
        name="Copy desk",
    )
    return orchestrator, planner, writer, editor


async def test_product_description_in_two_styles_with_concurrent_workers():
    orchestrator, planner, *_ = desk([PLAN], latency=0.3)
    started = time.perf_counter()
    run = await orchestrator.run(REQUEST)
    elapsed = time.perf_counter() - started
    assert run.status == "completed"
    assert run.output == "both styles ready"
    assert elapsed < 0.5, f"two 0.3 s workers took {elapsed:.2f} s: not concurrent"
    assert run.usage.requests == 4  # plan + 2 workers + synthesis
    (span,) = run.trace.find("orchestrator")
    assert span.attributes == {"workers": ["writer"], "max_tasks": 8}
    assert [k.kind for k in run.trace.children(span.id)] == ["plan", "branch", "branch", "merge"]
    plan = run.trace.find("plan")[0]
    assert [t["task"] for t in plan.attributes["tasks"]] == [t["task"] for t in PLAN["tasks"]]
    branches = run.trace.find("branch")
    assert [b.attributes["worker"] for b in branches] == ["writer", "writer"]  # normalised
    assert [b.output for b in branches] == [FORMAL, CASUAL]
    # each worker saw only its task
    worker_inputs = [
        run.trace.messages_of(run.trace.children(b.id)[0])[-1].content for b in branches
    ]
    assert worker_inputs == [t["task"] for t in PLAN["tasks"]]
    # the user's planner is untouched; its copy was told about the workers
    assert planner.output_type is None
    assert planner.instructions == "Break product copy requests into tasks."
    system = run.trace.messages_of(run.trace.find("agent", name="Planner")[0])[0]
    assert "- writer: Writes product copy in a given style." in system.content
    assert "at most 8 tasks" in system.content


def test_the_synthesizer_gets_the_input_the_plan_and_the_results():
    orchestrator, *_ = desk([PLAN])
    run = orchestrator.run_sync(REQUEST)
    merge = run.trace.find("merge")[0]
    assert merge.name == "Editor" and merge.attributes["inputs"] == 2
    text = run.trace.messages_of(run.trace.children(merge.id)[0])[-1].content
    assert REQUEST in text
    assert "1. [writer] Write a formal, technical description" in text
    assert FORMAL in text and CASUAL in text


def test_an_unknown_worker_fails_naming_it_and_keeps_the_plan():
    plan = {"tasks": [{"worker": "writer", "task": "a"}, {"worker": "translator", "task": "b"}]}
    orchestrator, _, writer, editor = desk([plan])
    run = orchestrator.run_sync(REQUEST)
    assert run.status == "failed"
    assert isinstance(run.error, al.DecisionError)
    assert "'translator'" in str(run.error) and "known workers: writer" in str(run.error)
    span = run.trace.find("plan")[0]
    assert span.status == "error"
    assert span.attributes["tasks"] == plan["tasks"]
    assert writer.model.calls == 0 and editor.model.calls == 0


def test_more_than_max_tasks_stops_before_any_worker_runs():
    plan = {"tasks": [{"worker": "writer", "task": f"task {i}"} for i in range(3)]}
    orchestrator, _, writer, _ = desk([plan], max_tasks=2)
    run = orchestrator.run_sync(REQUEST)
    assert run.status == "stopped"
    assert run.stop_reason == "max_tasks"
    assert "max_tasks=2" in run.stop_detail and "3 tasks" in run.stop_detail
    (limit,) = run.trace.find("limit")
    assert limit.attributes == {"limit": "max_tasks", "value": 2, "reached": 3}
    assert len(run.trace.find("plan")[0].attributes["tasks"]) == 3
    assert writer.model.calls == 0
    with pytest.raises(al.MaxTasks):
        run.raise_for_status()


def test_an_unparseable_plan_fails_after_one_corrective_retry():
    orchestrator, planner, writer, _ = desk(["First research, then write.", "Still prose."])
    run = orchestrator.run_sync(REQUEST)
    assert run.status == "failed"
    assert isinstance(run.error, al.OutputValidationError)
    assert "planner" in run.stop_detail
    assert planner.model.calls == 2
    assert writer.model.calls == 0
    assert run.trace.find("plan")[0].status == "error"


def test_a_plan_fixed_on_the_retry_goes_ahead():
    orchestrator, planner, *_ = desk(["prose", PLAN])
    run = orchestrator.run_sync(REQUEST)
    assert run.status == "completed"
    assert planner.model.calls == 2


def test_an_empty_plan_is_not_a_valid_plan():
    orchestrator, *_ = desk([{"tasks": []}, {"tasks": []}])
    run = orchestrator.run_sync(REQUEST)
    assert isinstance(run.error, al.OutputValidationError)


def test_a_failed_worker_is_named_to_the_synthesizer():
    planner = al.Agent(name="Planner", model=al.ScriptedModel([PLAN]))
    writer = al.Agent(name="Writer", model=al.ScriptedModel([FORMAL]))  # 2nd task: exhausted
    editor = al.Agent(name="Editor", model=al.FunctionModel(lambda m, t: m[-1].content))
    run = al.Orchestrator(planner, {"writer": writer}, editor).run_sync(REQUEST)
    assert run.status == "completed"
    assert FORMAL in run.output and "(this task failed: ScriptExhausted" in run.output
    assert [b.status for b in run.trace.find("branch")] == ["ok", "error"]


def test_bad_orchestrators_are_config_errors():
    agent = al.Agent(name="A", model=al.ScriptedModel([]))
    with pytest.raises(al.ConfigError, match=r"planner must be an al\.Agent"):
        al.Orchestrator(al.Chain([str.upper]), {"a": agent}, agent)
    with pytest.raises(al.ConfigError, match="non-empty dict"):
        al.Orchestrator(agent, {}, agent)
    with pytest.raises(al.ConfigError, match="worker 'a' must be"):
        al.Orchestrator(agent, {"a": "someone"}, agent)
    with pytest.raises(al.ConfigError, match="max_tasks=0"):
        al.Orchestrator(agent, {"a": agent}, agent, max_tasks=0)


def test_worker_names_that_match_the_same_plan_name_are_a_config_error():
    agent = al.Agent(name="A", model=al.ScriptedModel([]))
    with pytest.raises(al.ConfigError, match="rename one"):
        al.Orchestrator(agent, {"Writer": agent, "writer": agent}, agent)
