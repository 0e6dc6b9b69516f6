"""agent.as_tool(parameters=Model): the tool takes the model's fields."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

import agentlab as al


class Query(BaseModel):
    topic: str = Field(description="What to research.")
    days: int = 7


def _researcher() -> al.Agent:
    return al.Agent("Researcher", model=al.FunctionModel(lambda m, t: f"got {m[-1].content}"))


def test_schema_is_the_models_fields() -> None:
    tool = _researcher().as_tool(parameters=Query, description="Research a topic")
    params = tool.spec.parameters
    assert set(params["properties"]) == {"topic", "days"}
    assert params["required"] == ["topic"]
    assert params["properties"]["topic"]["description"] == "What to research."
    assert tool.spec.description == "Research a topic"


def test_sub_agent_gets_the_validated_objects_json() -> None:
    tool = _researcher().as_tool(name="research", parameters=Query)
    manager = al.Agent("Manager", tools=[tool], model=al.ScriptedModel(
        [al.ToolCall("research", {"topic": "tides"}), "summary"]))  # fmt: skip
    run = manager.run_sync("go")
    assert run.status == "completed"
    result = next(s for s in run.trace.spans if s.kind == "tool")
    assert json.loads(result.output.removeprefix("got ")) == {"topic": "tides", "days": 7}


def test_invalid_arguments_become_an_error_result_and_the_run_goes_on() -> None:
    tool = _researcher().as_tool(name="research", parameters=Query)
    manager = al.Agent("Manager", tools=[tool], model=al.ScriptedModel(
        [al.ToolCall("research", {"days": "many"}), "gave up"]))  # fmt: skip
    run = manager.run_sync("go")
    assert run.status == "completed" and run.output == "gave up"
    span = next(s for s in run.trace.spans if s.kind == "tool")
    assert span.status == "error" and "ValidationError" in span.output


def test_parameters_must_be_a_pydantic_model() -> None:
    with pytest.raises(al.ConfigError, match="pydantic model"):
        _researcher().as_tool(parameters=dict)  # type: ignore[arg-type]


def test_default_as_tool_keeps_one_input() -> None:
    assert list(_researcher().as_tool().spec.parameters["properties"]) == ["input"]
