"""Typed data between steps: gates and function steps get values, ctx.outputs, output types."""

from __future__ import annotations

import enum
import json
from typing import Literal

import pytest
from pydantic import BaseModel

import agentlab as al


class Outline(BaseModel):
    title: str
    points: list[str]


OUTLINE = {"title": "ABC", "points": ["a", "b", "c"]}


def _outliner(answer: object = OUTLINE) -> al.Agent:
    return al.Agent("Outline", model=al.ScriptedModel([answer]), output_type=Outline)


def test_gate_gets_the_output_type_instance_not_json_text() -> None:
    seen: list[object] = []

    def enough(outline: Outline) -> bool:
        seen.append(outline)
        return len(outline.points) >= 3

    writer = al.Agent("Write", model=al.ScriptedModel(["text"]))
    run = al.Chain([_outliner(), al.Gate(enough), writer]).run_sync("x")
    assert run.status == "completed"
    assert isinstance(seen[0], Outline) and seen[0].points == ["a", "b", "c"]


def test_gate_reason_function_gets_the_value_too() -> None:
    gate = al.Gate(
        lambda o: len(o.points) > 5, name="long", reason=lambda o: f"{len(o.points)} points"
    )
    run = al.Chain([_outliner(), gate, repr]).run_sync("x")
    assert run.status == "stopped" and run.stop_reason == "gate"
    assert "3 points" in run.stop_detail
    assert isinstance(run.output, Outline)


def test_agent_step_after_an_object_gets_json_text() -> None:
    writer = al.Agent("Write", model=al.FunctionModel(lambda messages, tools: messages[-1].content))
    run = al.Chain([_outliner(), writer]).run_sync("x")
    assert json.loads(run.output) == OUTLINE


def test_function_step_with_ctx_reads_earlier_outputs_in_order() -> None:
    def final(value: str, ctx: al.Ctx) -> dict[str, object]:
        return {"value": value, "earlier": list(ctx.outputs)}

    writer = al.Agent("Write", model=al.ScriptedModel(["draft"]))
    run = al.Chain([_outliner(), writer, str.upper, final]).run_sync("x")
    assert run.output["value"] == "DRAFT"
    outline, draft, upper = run.output["earlier"]
    assert isinstance(outline, Outline) and (draft, upper) == ("draft", "DRAFT")


def test_ctx_first_parameter_and_gate_with_ctx() -> None:
    def check(ctx: al.Ctx, text: str) -> bool:
        return text.startswith(ctx.outputs[0].title) and ctx.deps == "d"

    writer = al.Agent("Write", model=al.ScriptedModel(["ABC is easy"]))
    run = al.Chain([_outliner(), writer, al.Gate(check)]).run_sync("x", deps="d")
    assert run.status == "completed"


def test_outputs_are_per_chain_not_shared_with_a_nested_chain() -> None:
    inner_seen: list[tuple[object, ...]] = []
    outer_seen: list[tuple[object, ...]] = []

    def inner_probe(value: str, ctx: al.Ctx) -> str:
        inner_seen.append(ctx.outputs)
        return value + "!"

    def outer_probe(value: str, ctx: al.Ctx) -> str:
        outer_seen.append(ctx.outputs)
        return value

    inner = al.Chain([str.lower, inner_probe])
    run = al.Chain([str.upper, inner, outer_probe]).run_sync("Hi")
    assert run.output == "hi!"
    assert inner_seen == [("hi",)]
    assert outer_seen == [("HI", "hi!")]


class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"


@pytest.mark.parametrize(
    ("output_type", "answer", "expected"),
    [
        (str, '{"not": "parsed"}', '{"not": "parsed"}'),
        (int, {"value": 42}, 42),
        (list[str], {"value": ["a", "b"]}, ["a", "b"]),
        (Literal["yes", "no"], {"value": "no"}, "no"),
        (Mood, {"value": "sad"}, Mood.sad),
        (int, "7", 7),  # a bare answer is accepted too
    ],
)
def test_output_types(output_type: object, answer: object, expected: object) -> None:
    agent = al.Agent("A", model=al.ScriptedModel([answer]), output_type=output_type)  # type: ignore[arg-type]
    run = agent.run_sync("x")
    assert run.status == "completed"
    assert run.output == expected


def test_non_object_types_are_wrapped_in_an_object_schema_for_the_provider() -> None:
    requests: list[al.ModelRequest] = []

    class Spy:
        name = "spy"
        price_key = None

        async def respond(self, request: al.ModelRequest) -> al.ModelResponse:
            requests.append(request)
            return al.ModelResponse(text='{"value": ["x"]}')

    agent = al.Agent("A", model=Spy(), output_type=list[str])
    assert agent.run_sync("x").output == ["x"]
    schema = requests[0].output_schema
    assert schema["type"] == "object" and schema["required"] == ["value"]
    assert schema["properties"]["value"]["type"] == "array"
    assert al.Agent("S", output_type=str).output_schema is None
    assert al.Agent("O", output_type=Outline).output_schema["properties"].keys() == {
        "title",
        "points",
    }


def test_invalid_wrapped_value_is_fed_back_then_fails() -> None:
    agent = al.Agent("A", model=al.ScriptedModel([{"value": "x"}, {"value": "y"}]), output_type=int)
    run = agent.run_sync("x")
    assert run.status == "failed"
    assert isinstance(run.error, al.OutputValidationError)


def test_a_type_without_schema_is_a_config_error() -> None:
    with pytest.raises(al.ConfigError, match="no JSON schema"):
        al.Agent("A", output_type=object().__class__.__subclasses__)  # type: ignore[arg-type]
