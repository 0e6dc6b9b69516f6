"""Handoffs: the two ways one agent passes work to another.

- **Manager style**: ``agent.as_tool()`` makes an agent a tool another agent calls;
  the sub-agent's ``agent`` span nests under the manager's ``tool`` span, its model
  spans carry its own name (tokens and money per agent), it draws on the same budget,
  and its own stop or failure comes back to the manager as an error tool result.
- **Transfer style**: an agent's ``handoffs`` become tools named
  ``transfer_to_<snake_case_name>`` with arguments ``intent`` (required: why, and what
  the receiver should do) and ``state`` (optional: what was tried, what failed, how the
  user feels). In a ``Team`` (``agentlab.team``) a transfer ends the sender's turn and
  the receiver owns the conversation (``agentlab.transfers`` runs the transfer calls).
  By default the receiver gets the full history plus one visible note with the intent
  and state; a ``handoff_filter`` can trim it.

``HandoffContext`` is read from a trace's ``handoff`` spans, so runs loaded from disk
show their handoffs exactly like live ones.

>>> import agentlab as al
>>> researcher = al.Agent(name="Researcher", model=al.ScriptedModel(["3 sources found"]))
>>> tool = researcher.as_tool()
>>> tool.name, list(tool.spec.parameters["properties"])
('researcher', ['input'])
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentlab.errors import ConfigError, DesignWarning, ToolError
from agentlab.messages import Message
from agentlab.models.base import ToolSpec
from agentlab.runnable import as_text
from agentlab.tools import Tool, ToolContext

if TYPE_CHECKING:
    from agentlab.agent import Agent
    from agentlab.tracing import Span, Trace

HandoffFilter = Callable[[list[Message]], Sequence[Message]]
"""``filter(messages) -> messages``: gets the default context (history + note, the note
last) and returns exactly what the receiver sees."""

MAX_TARGETS = 3  # the article: each agent hands off to at most 2-3 specialists


@dataclass(frozen=True, slots=True)
class HandoffContext:
    """One transfer: who handed to whom, at which hop, why, and exactly what crossed.

    ``intent`` says why and what the receiver should do; ``state`` what was tried,
    what failed, how the user feels; ``messages`` is exactly what the receiver got
    (its own instructions come first, as for any agent).

    >>> [(h.from_agent, h.to_agent, h.hop) for h in run.handoffs]  # doctest: +SKIP
    [('Triage', 'Sales', 1)]
    """

    from_agent: str
    to_agent: str
    hop: int
    intent: str
    state: str | None
    messages: tuple[Message, ...]

    @classmethod
    def from_span(cls, trace: Trace, span: Span) -> HandoffContext:
        attrs = span.attributes
        return cls(
            from_agent=str(attrs.get("from_agent", "")),
            to_agent=str(attrs.get("to_agent", "")),
            hop=int(attrs.get("hop", 0)),
            intent=str(attrs.get("intent", "")),
            state=attrs.get("state"),
            messages=tuple(trace.messages_of(span, "out")),
        )


# -- names -------------------------------------------------------------------------


def snake_case(name: str) -> str:
    """A tool-safe name: ``"Sales Agent"`` and ``"SalesAgent"`` -> ``"sales_agent"``.

    >>> snake_case("Billing Support"), snake_case("TriageAgent"), snake_case("L2-ops")
    ('billing_support', 'triage_agent', 'l2_ops')
    """
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    text = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_").lower()
    text = re.sub(r"_+", "_", text)
    if not text:
        raise ConfigError(f"cannot make a tool name from agent name {name!r}; pass name='...'")
    return text if text[0].isalpha() else f"agent_{text}"


def transfer_tool_name(agent_name: str) -> str:
    """``"Sales"`` -> ``"transfer_to_sales"``."""
    return f"transfer_to_{snake_case(agent_name)}"


def _target_name(target: Agent | str) -> str:
    return target if isinstance(target, str) else target.name


def check_handoffs(agent: Agent) -> None:
    """Construction checks for ``Agent(handoffs=...)``; warns past 3 targets."""
    from agentlab.agent import Agent

    names: dict[str, str] = {}
    for target in agent.handoffs:
        if not isinstance(target, (Agent, str)) or (isinstance(target, str) and not target):
            raise ConfigError(
                f"handoffs of agent {agent.name!r} must be agents or agent names, got "
                f"{target!r}; e.g. handoffs=[sales, 'Support']"
            )
        if _target_name(target) == agent.name:
            raise ConfigError(
                f"agent {agent.name!r} lists itself as a handoff target; it keeps the "
                "conversation by answering, so remove it from handoffs=[...]"
            )
        tool_name = transfer_tool_name(_target_name(target))
        if tool_name in names:
            raise ConfigError(
                f"agent {agent.name!r} lists a handoff to {_target_name(target)!r} twice "
                f"(both become tool {tool_name!r}); list each target once"
            )
        if tool_name in agent.tools_by_name:
            raise ConfigError(
                f"agent {agent.name!r} has a tool named {tool_name!r}, which is also the "
                "name of its transfer tool; rename the tool"
            )
        names[tool_name] = _target_name(target)
    if len(names) > MAX_TARGETS:
        warnings.warn(
            f"agent {agent.name!r} has {len(names)} handoff targets "
            f"({', '.join(names.values())}); the article's rule is at most 2-3 "
            "specialists per agent: more targets make the choice unreliable. Group them "
            "behind a triage agent or a Router",
            DesignWarning,
            stacklevel=3,  # check_handoffs <- Agent.__init__ <- the user's code
        )


# -- manager style: an agent as a tool --------------------------------------------------


def agent_tool(
    agent: Agent,
    *,
    name: str | None = None,
    description: str | None = None,
    input_filter: Callable[[str], str | list[Message]] | None = None,
) -> Tool:
    """The tool behind ``Agent.as_tool``: one text argument ``input``.

    ``input_filter(text)`` may rewrite what the sub-agent gets (text or messages).
    """
    tool_name = name or snake_case(agent.name)
    if not tool_name.isidentifier():
        raise ConfigError(f"tool name {tool_name!r} must be an identifier; pass name='...'")
    if input_filter is not None and not callable(input_filter):
        raise ConfigError(f"input_filter must be a function text -> text, got {input_filter!r}")
    schema = {
        "type": "object",
        "properties": {"input": {"type": "string", "description": f"The task for {agent.name}."}},
        "required": ["input"],
    }
    spec = ToolSpec(tool_name, description or agent.description, schema)

    async def invoke(arguments: dict[str, Any], context: ToolContext) -> str:
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


# -- transfer style: the tools and what crosses -----------------------------------------


def transfer_spec(target: Agent) -> ToolSpec:
    """What a model is told about a handoff: the words the kit adds, visible here."""
    return ToolSpec(
        transfer_tool_name(target.name),
        f"Hand the conversation over to {target.name} ({target.description}). "
        f"{target.name} then talks to the user and sees the conversation so far.",
        {
            "type": "object",
            "properties": {
                "intent": {
                    "type": "string",
                    "description": f"Why you hand over and what {target.name} should do next.",
                },
                "state": {
                    "type": "string",
                    "description": "What was tried, what failed, how the user feels.",
                },
            },
            "required": ["intent"],
        },
    )


def handoff_note(sender: str, receiver: str, hop: int, intent: str, state: str | None) -> Message:
    """The one visible message a handoff adds for the receiver (a system message)."""
    lines = [f"Handoff from {sender} to {receiver} (hop {hop}).", f"Intent: {intent}"]
    if state:
        lines.append(f"State: {state}")
    return Message("system", "\n".join(lines), agent=sender)


def keep_last_messages(n: int) -> HandoffFilter:
    """A handoff filter: the last ``n`` messages (the note included), no orphan tool results.

    >>> team = al.Team([triage, sales], entry=triage,
    ...                handoff_filter=al.keep_last_messages(4))  # doctest: +SKIP
    """
    if not isinstance(n, int) or n < 1:
        raise ConfigError(f"keep_last_messages(n) needs a whole number >= 1, got {n!r}")

    def keep_last(messages: list[Message]) -> list[Message]:
        kept = messages[-n:]
        while kept and kept[0].role == "tool":  # its tool call was cut off
            kept = kept[1:]
        return kept

    keep_last.__name__ = f"keep_last_messages({n})"
    return keep_last


def drop_tool_messages(messages: list[Message]) -> list[Message]:
    """A handoff filter: the conversation without tool calls and tool results."""
    kept: list[Message] = []
    for message in messages:
        if message.role == "tool":
            continue
        if message.tool_calls:
            if message.content:
                kept.append(Message.assistant(message.content, agent=message.agent))
            continue
        kept.append(message)
    return kept


def note_only(messages: list[Message]) -> list[Message]:
    """A handoff filter that drops the whole history: only the note crosses.

    This is the article's *bad* handoff: the receiver does not know what the user said.
    """
    return messages[-1:]


def filter_name(fn: HandoffFilter | None) -> str:
    return "default" if fn is None else getattr(fn, "__name__", type(fn).__name__)
