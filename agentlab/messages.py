"""Messages exchanged with models: plain frozen dataclasses that round-trip through JSON.

>>> from agentlab import Message, ToolCall
>>> m = Message.assistant("", tool_calls=(ToolCall("lookup_order", {"order_id": "42"}),))
>>> Message.from_dict(m.to_dict()) == m
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agentlab.errors import ConfigError

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A model's request to call a tool.

    ``arguments`` is a dict, or the raw string when the model sent JSON that does not
    parse (the runtime then answers with an error tool result). ``id`` links the call
    to its result; offline models and the runtime fill it in when left empty.

    >>> ToolCall("lookup_order", {"order_id": "42"})
    ToolCall(name='lookup_order', arguments={'order_id': '42'}, id='')
    """

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not isinstance(self.id, str):
            raise ConfigError(
                f"ToolCall name and id must be text, got name={self.name!r}, id={self.id!r}; "
                "e.g. al.ToolCall('lookup_order', {'order_id': '42'})"
            )
        if not isinstance(self.arguments, (dict, str)):
            raise ConfigError(
                f"ToolCall arguments must be a dict (or the raw JSON text), got "
                f"{type(self.arguments).__name__}: {self.arguments!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "arguments": self.arguments, "id": self.id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCall:
        return cls(data["name"], data.get("arguments", {}), data.get("id", ""))


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool call returned, as the text the model sees."""

    call_id: str
    name: str
    content: str
    is_error: bool = False

    def to_message(self, agent: str | None = None) -> Message:
        return Message(
            "tool",
            self.content,
            tool_call_id=self.call_id,
            name=self.name,
            is_error=self.is_error,
            agent=agent,
        )


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation.

    ``role`` is the discriminator. Assistant messages may carry ``tool_calls``; tool
    messages carry ``tool_call_id`` and the tool's ``name``. ``agent`` names the agent
    that wrote an assistant or tool message (who spoke, in multi-agent runs).
    """

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    is_error: bool = False
    agent: str | None = None

    @classmethod
    def system(cls, text: str) -> Message:
        return cls("system", text)

    @classmethod
    def user(cls, text: str) -> Message:
        return cls("user", text)

    @classmethod
    def assistant(
        cls, text: str, *, tool_calls: tuple[ToolCall, ...] = (), agent: str | None = None
    ) -> Message:
        return cls("assistant", text, tool_calls=tool_calls, agent=agent)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that leaves out default fields (smaller traces)."""
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            data["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        if self.tool_call_id is not None:
            data["tool_call_id"] = self.tool_call_id
        if self.name is not None:
            data["name"] = self.name
        if self.is_error:
            data["is_error"] = True
        if self.agent is not None:
            data["agent"] = self.agent
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            data["role"],
            data.get("content", ""),
            tool_calls=tuple(ToolCall.from_dict(c) for c in data.get("tool_calls", ())),
            tool_call_id=data.get("tool_call_id"),
            name=data.get("name"),
            is_error=data.get("is_error", False),
            agent=data.get("agent"),
        )


ROLES = ("system", "user", "assistant", "tool")


def as_messages(value: str | Message | list[Message] | tuple[Message, ...]) -> list[Message]:
    """Normalise a run input (text, one message, or a list of messages) to a list;
    ``ConfigError`` for anything else, an empty list, or a malformed message."""
    if isinstance(value, str):
        return [Message.user(value)]
    if isinstance(value, Message):
        return check_messages([value])
    if isinstance(value, (list, tuple)) and all(isinstance(m, Message) for m in value):
        if not value:
            raise ConfigError(
                "run input is an empty list of messages; pass text, e.g. "
                "agent.run('Where is order 42?'), or at least one al.Message"
            )
        return check_messages(list(value))
    raise ConfigError(
        f"run input must be a str or a list of al.Message, got {type(value).__name__}; "
        "pass text, e.g. agent.run('Where is order 42?')"
    )


def check_messages(messages: list[Message]) -> list[Message]:
    """``messages`` if each has a known role and text content, else a ``ConfigError``."""
    for i, m in enumerate(messages):
        if m.role not in ROLES:
            raise ConfigError(
                f"message {i} has role {m.role!r}; use one of {', '.join(ROLES)}, e.g. "
                "al.Message.user('Hi')"
            )
        if not isinstance(m.content, str):
            raise ConfigError(
                f"message {i} content must be text, got {type(m.content).__name__}; "
                "turn data into text first (e.g. json.dumps(data))"
            )
    return messages
