"""Handoff filters: what a receiver gets of the conversation when it is handed over.

A filter is ``filter(messages) -> messages``: it gets the default context (the whole
history plus the handoff note, the note last) and returns exactly what the receiver
sees. Give one to ``al.Team(..., handoff_filter=...)`` or to an agent
(``Agent(handoff_filter=...)``: what that agent receives). The receiver's trimmed view
is in the trace: the ``handoff`` span's ``messages_out`` and ``removed``.

>>> import agentlab as al
>>> [m.content for m in al.keep_last_messages(1)([al.Message.user("hi"), al.Message.user("note")])]
['note']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agentlab.errors import ConfigError
from agentlab.messages import Message

__all__ = ["HandoffFilter", "drop_tool_messages", "filter_name", "keep_last_messages", "note_only"]

HandoffFilter = Callable[[list[Message]], Sequence[Message]]
"""``filter(messages) -> messages``: gets the default context (history + note, the note
last) and returns exactly what the receiver sees."""


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
