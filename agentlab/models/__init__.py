"""Models: the protocol, offline models, and provider adapters chosen by a model string.

Model strings::

    "scripted"                                  offline, no responses (the default)
    "anthropic:<model>"                         Anthropic Messages API
    "openai:<model>"                            OpenAI Chat Completions
    "openai:<model>@http://127.0.0.1:8080/v1"   any OpenAI-compatible server
    "anthropic:<model>@<base_url>"              an Anthropic-compatible server

Provider calls share a per-provider concurrency limit across the process
(``al.models.set_concurrency("openai", 4)``, default 8); see ``models/calls.py``.

What lives here: ``base`` (the protocol, requests and responses), ``scripted``
(ScriptedModel, FunctionModel), ``provider`` and ``calls`` (what the adapters share:
keys, clients, retries, the concurrency limit), ``openai`` and ``anthropic`` (the two
wire formats), ``cassette``, ``replay`` and ``_recordings`` (record and replay).

May import: the leaf modules only (``errors``, ``messages``, ``usage``, private helpers).
"""

from __future__ import annotations

from typing import Any

from agentlab._redact import redact
from agentlab.errors import ConfigError
from agentlab.models.base import Model, ModelRequest, ModelResponse, ToolSpec
from agentlab.models.calls import set_concurrency
from agentlab.models.scripted import FunctionModel, ScriptedModel

__all__ = [
    "FunctionModel",
    "Model",
    "ModelRequest",
    "ModelResponse",
    "ScriptedModel",
    "ToolSpec",
    "resolve_model",
    "set_concurrency",
]

_FORMS = (
    "'scripted', 'anthropic:<model>', 'openai:<model>', "
    "'openai:<model>@http://127.0.0.1:8080/v1', or a model object such as al.ScriptedModel([...])"
)
PROVIDERS = ("openai", "anthropic")
_FAMILIES = {"gpt": "openai", "o1": "openai", "o3": "openai", "o4": "openai",
             "chatgpt": "openai", "claude": "anthropic"}  # fmt: skip


def resolve_model(spec: str | Any) -> Any:
    """A model object for a model string or object; ``ConfigError`` for anything else."""
    if spec is None or spec == "scripted":
        return ScriptedModel([])
    if not isinstance(spec, str):
        if callable(getattr(spec, "respond", None)) and hasattr(spec, "name"):
            if not hasattr(spec, "price_key"):
                spec.price_key = None
            return spec
        raise ConfigError(f"model={spec!r} is not a model; write one of {_FORMS}")
    provider, sep, rest = spec.partition(":")
    model_name, at, base_url = rest.partition("@")
    if provider not in PROVIDERS or not sep or not model_name.strip() or (at and not base_url):
        raise ConfigError(redact(model_string_problem(spec)))
    if provider == "openai":
        from agentlab.models.openai import OpenAIModel  # adapters load when a string names one

        return OpenAIModel(model_name, base_url=base_url or None)
    from agentlab.models.anthropic import AnthropicModel

    return AnthropicModel(model_name, base_url=base_url or None)


def model_string_problem(spec: str) -> str:
    """What is wrong with a model string, and what to write instead."""
    import difflib

    provider, sep, rest = spec.partition(":")
    model_name = rest.partition("@")[0]
    if not sep:
        head, slash, tail = spec.partition("/")
        if slash and head.lower() in PROVIDERS:
            return f"unknown model string {spec!r}: write '{head.lower()}:{tail}' (a colon)"
        family = next((p for f, p in _FAMILIES.items() if spec.lower().startswith(f)), None)
        if family:
            return f"unknown model string {spec!r}: it names no provider; write '{family}:{spec}'"
        return f"unknown model string {spec!r}; write one of {_FORMS}"
    if provider not in PROVIDERS:
        close = difflib.get_close_matches(provider.lower(), PROVIDERS, n=1, cutoff=0.6)
        if close:
            return f"unknown provider {provider!r} in {spec!r}; write '{close[0]}:{rest}'"
        return f"unknown provider {provider!r} in model string {spec!r}; write one of {_FORMS}"
    if not model_name.strip():
        example = "gpt-4o-mini" if provider == "openai" else "claude-haiku-4-5"
        return (f"model string {spec!r} has no model name after '{provider}:'; write e.g. "
                f"'{provider}:{example}'")  # fmt: skip
    return (
        f"model string {spec!r} has nothing after '@'; write the server's base_url, e.g. "
        f"'{provider}:{model_name}@http://127.0.0.1:8080/v1', or leave out the '@'"
    )
