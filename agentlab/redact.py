"""Keep secrets out of traces, cassettes, reports and error messages.

API keys never enter a trace by construction (the runtime records no headers); as a
second line of defence, the exact values of known key variables are replaced wherever
text leaves the process.

>>> import os
>>> os.environ["OPENAI_API_KEY"] = "sk-test-1234567890"
>>> redact("bad key sk-test-1234567890")
'bad key [REDACTED:OPENAI_API_KEY]'
>>> del os.environ["OPENAI_API_KEY"]
"""

from __future__ import annotations

import os

SECRET_VARIABLES = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "AZURE_OPENAI_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENROUTER_API_KEY",
    "TOGETHER_API_KEY",
    "DEEPSEEK_API_KEY",
    "AGENTLAB_API_KEY",
)
_MIN_SECRET_LENGTH = 8  # shorter values would redact ordinary words
_REGISTERED: dict[str, str] = {}  # value -> label, for keys passed as api_key=...


def register_secret(value: str, label: str) -> None:
    """Redact ``value`` too (a key given in code rather than in the environment)."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _REGISTERED[value] = label


def secrets() -> list[tuple[str, str]]:
    """(variable, value) for every known key variable set in the environment."""
    found = []
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= _MIN_SECRET_LENGTH:
            found.append((name, value))
    found.extend((label, value) for value, label in _REGISTERED.items())
    return found


def redact(text: str) -> str:
    """``text`` with the value of every known key variable replaced by a marker."""
    for name, value in secrets():
        if value in text:
            text = text.replace(value, f"[REDACTED:{name}]")
    return text
