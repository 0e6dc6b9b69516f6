"""Tool schemas come from type hints and docstrings; bad tools fail at construction."""

from __future__ import annotations

from typing import Literal

import pytest
from inline_snapshot import snapshot

import agentlab as al


def search(query: str, limit: int = 5, sort: Literal["new", "top"] = "top") -> list[str]:
    """Search the knowledge base.

    Args:
        query: What to look for.
        limit: How many results, at most.
            Keep it small.
        sort: Order of results.
    """
    return [query] * limit


def test_schema_from_type_hints_and_google_docstring():
    agent = al.Agent(name="A", tools=[search])
    spec = agent.tool_specs[0]
    assert spec.name == "search"
    assert spec.description == "Search the knowledge base."
    assert spec.parameters == snapshot(
        {
            "properties": {
                "query": {"description": "What to look for.", "type": "string"},
                "limit": {
                    "default": 5,
                    "description": "How many results, at most. Keep it small.",
                    "type": "integer",
                },
                "sort": {
                    "default": "top",
                    "description": "Order of results.",
                    "enum": ["new", "top"],
                    "type": "string",
                },
            },
            "required": ["query"],
            "type": "object",
        }
    )


def test_sphinx_docstrings_work_too():
    def weather(city: str) -> str:
        """Get the weather.

        :param city: The city name.
        """
        return "sunny"

    spec = al.tool(weather).spec
    assert spec.description == "Get the weather."
    assert spec.parameters["properties"]["city"]["description"] == "The city name."


def test_unannotated_parameter_is_a_config_error_with_the_fix():
    def lookup(order_id):
        return order_id

    with pytest.raises(al.ConfigError, match=r"parameter 'order_id' of tool 'lookup' has no type"):
        al.Agent(name="A", tools=[lookup])
    with pytest.raises(al.ConfigError, match=r"def lookup\(order_id: str\)"):
        al.Agent(name="A", tools=[lookup])


def test_star_args_and_duplicate_names_are_config_errors():
    def many(*items: str) -> str:
        return ""

    with pytest.raises(al.ConfigError, match=r"takes \*items"):
        al.Agent(name="A", tools=[many])
    with pytest.raises(al.ConfigError, match="two tools named 'search'"):
        al.Agent(name="A", tools=[search, search])
    agent = al.Agent(name="A", tools=[search, al.tool(search, name="search_2")])
    assert [t.name for t in agent.tools] == ["search", "search_2"]


def test_non_callable_tool_is_a_config_error():
    with pytest.raises(al.ConfigError, match="tools must be functions"):
        al.Agent(name="A", tools=["search"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "Agent name must be non-empty"),
        ({"name": "A", "model": "gpt-4o"}, "unknown model string 'gpt-4o'"),
        ({"name": "A", "model": "mistral:large"}, "unknown provider 'mistral'"),
        ({"name": "A", "model": 42}, "model=42 is not a model"),
        ({"name": "A", "limits": {"max_turns": 3}}, r"must be al.Limits\(...\)"),
        ({"name": "A", "output_type": 3}, "has no JSON schema"),
        ({"name": "A", "tools": len}, r"must be a list, e.g. tools=\[lookup_order\]"),
    ],
)
def test_bad_agent_configuration_fails_at_construction(kwargs, message):
    with pytest.raises(al.ConfigError, match=message):
        al.Agent(**kwargs)


def test_bad_run_input_is_a_config_error():
    agent = al.Agent(name="A", model=al.ScriptedModel(["x"]))
    with pytest.raises(al.ConfigError, match="run input must be a str"):
        agent.run_sync(42)


def test_tool_results_that_are_not_text_go_back_as_json():
    model = al.ScriptedModel([al.ToolCall("search", {"query": "q", "limit": 2}), "ok"])
    run = al.Agent(name="A", model=model, tools=[search]).run_sync("x")
    assert run.messages[-2].content == '["q", "q"]'


def test_al_tool_renames_an_existing_tool_and_checks_the_name():
    def search(query: str) -> str:
        """Search."""
        return query

    original = al.tool(search)
    renamed = al.tool(original, name="web_search")
    assert (original.name, renamed.name) == ("search", "web_search")
    with pytest.raises(al.ConfigError, match="must be an identifier"):
        al.tool(original, name="web search")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: al.ScriptedModel({"score": 5}), r"ScriptedModel\(\[\{'score': 5\}\]\)"),
        (lambda: al.ScriptedModel(["x"], priced_as="openai:gpt-4o-mimi"), "no price"),
        (lambda: al.Limits(max_turns=True), "whole number"),
        (lambda: al.Limits(timeout_s=True), "positive number"),
    ],
)
def test_offline_model_and_limits_mistakes_fail_at_construction(make, message):
    with pytest.raises(al.ConfigError, match=message):
        make()
