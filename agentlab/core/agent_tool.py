"""Manager-style handoffs: an agent as a tool another agent calls (``Agent.as_tool``).

The sub-agent's ``agent`` span nests under the manager's ``tool`` span, its model spans
carry its own name (tokens and money per agent), it draws on the same budget, and its
own stop or failure comes back to the manager as an error tool result.

>>> import agentlab as al
>>> researcher = al.Agent(name="Researcher", model=al.ScriptedModel(["3 sources found"]))
>>> tool = researcher.as_tool()
>>> tool.name, list(tool.spec.parameters["properties"])
('researcher', ['input'])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agentlab._json import as_text
from agentlab.core.names import check_tool_name, snake_case
from agentlab.core.tools import Tool, ToolContext
from agentlab.errors import ConfigError, ToolError
from agentlab.messages import Message
from agentlab.models.base import ToolSpec

if TYPE_CHECKING:
    from agentlab.core.agent import Agent

__all__ = ["agent_tool"]


def agent_tool(
    agent: Agent,
    *,
    name: str | None = None,
    description: str | None = None,
    input_filter: Callable[[str], str | list[Message]] | None = None,
    parameters: type[Any] | None = None,
) -> Tool:
    """The tool behind ``Agent.as_tool``: one text argument ``input``, or the fields of
    ``parameters`` (a pydantic model), whose validated object's JSON the sub-agent gets.

    ``input_filter(text)`` may rewrite what the sub-agent gets (text or messages).
    """
    tool_name = check_tool_name(name or snake_case(agent.name))
    if input_filter is not None and not callable(input_filter):
        raise ConfigError(f"input_filter must be a function text -> text, got {input_filter!r}")
    schema = _schema(agent, tool_name, parameters)
    spec = ToolSpec(tool_name, description or agent.description, schema)

    async def invoke(arguments: dict[str, Any], context: ToolContext) -> str:
        if parameters is not None:
            text = parameters.model_validate(arguments).model_dump_json()
        else:
            text = arguments.get("input")
        if not isinstance(text, str):
            raise ValueError(
                f"tool {tool_name!r} takes one text argument 'input', got {arguments!r}"
            )
        payload = text if input_filter is None else input_filter(text)
        outcome = await context.run.invoke(agent, payload, context.span_id)
        if outcome.status == "completed":
            return as_text(outcome.output)
        reason = f" ({outcome.stop_reason})" if outcome.stop_reason else ""
        raise ToolError(f"agent {agent.name!r} {outcome.status}{reason}: {outcome.stop_detail}")

    return Tool(spec, invoke, runnable=agent)


def _schema(agent: Agent, tool_name: str, parameters: Any) -> dict[str, Any]:
    """The tool's JSON schema: one text ``input``, or the fields of ``parameters``."""
    if parameters is None:
        return {
            "type": "object",
            "properties": {
                "input": {"type": "string", "description": f"The task for {agent.name}."}
            },
            "required": ["input"],
        }
    from pydantic import BaseModel

    if not (isinstance(parameters, type) and issubclass(parameters, BaseModel)):
        raise ConfigError(
            f"parameters of tool {tool_name!r} must be a pydantic model class whose fields "
            f"the tool takes, got {parameters!r}; e.g. class Query(BaseModel): topic: str; "
            "days: int = 7, then agent.as_tool(parameters=Query)"
        )
    schema = parameters.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict):
            prop.pop("title", None)
    return schema
