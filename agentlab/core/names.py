"""Names the kit makes for tools: ``snake_case`` agent names, ``transfer_to_<name>``,
and the one rule every tool name must meet (what the providers accept).

>>> snake_case("Billing Support"), transfer_tool_name("Sales")
('billing_support', 'transfer_to_sales')
"""

from __future__ import annotations

import re

from agentlab.errors import ConfigError

__all__ = ["TOOL_NAME", "check_tool_name", "snake_case", "transfer_tool_name"]

TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""What OpenAI and Anthropic accept, kept to Python identifiers: ASCII letters, digits
and ``_``, not starting with a digit, at most 64 characters."""


def check_tool_name(name: object, *, what: str = "tool name") -> str:
    """``name`` if providers accept it as a tool name, else a ``ConfigError`` saying why."""
    if isinstance(name, str) and TOOL_NAME.fullmatch(name):
        return name
    if isinstance(name, str) and len(name) > 64:
        why = f"has {len(name)} characters; providers take at most 64"
    elif isinstance(name, str) and name and not name.isascii():
        why = "has characters other than ASCII letters, digits and _, which providers refuse"
    else:
        why = "must be an identifier (letters, digits and _, not starting with a digit)"
    example = snake_case(name)[:64] if isinstance(name, str) and _has_word(name) else "lookup_order"
    raise ConfigError(f"{what} {name!r} {why}; pass name='{example}'")


def _has_word(name: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9]", name))


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
