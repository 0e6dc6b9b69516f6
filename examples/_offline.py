"""Shared by the examples: a real model when ``AGENTLAB_MODEL`` is set, else an offline
stand-in (a simulation: a small function that answers the way a model would here).

    AGENTLAB_MODEL=openai:gpt-4o-mini python examples/routing.py
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import agentlab as al


def model(offline: Callable[[list[al.Message], list[Any]], Any], name: str = "simulated") -> Any:
    """``AGENTLAB_MODEL`` (e.g. ``"openai:gpt-4o-mini"``) when set, else ``offline`` as a
    ``FunctionModel``: ``offline(messages, tools)`` returns text or ``al.ToolCall``s."""
    real = os.environ.get("AGENTLAB_MODEL")
    return real if real else al.FunctionModel(offline, name=name)


def live() -> bool:
    """True when the examples run a real model."""
    return bool(os.environ.get("AGENTLAB_MODEL"))


def last_user(messages: Sequence[al.Message]) -> str:
    """The text of the latest user message."""
    return next((m.content or "" for m in reversed(messages) if m.role == "user"), "")


def tool_results(messages: Sequence[al.Message]) -> list[str]:
    """The tool results since the latest user message (transfers left out)."""
    found: list[str] = []
    for m in reversed(messages):
        if m.role == "user":
            break
        if m.role == "tool" and not (m.name or "").startswith("transfer_to_"):
            found.append(m.content or "")
    return found[::-1]
