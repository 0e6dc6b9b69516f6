"""Models: the protocol, offline models, and provider adapters chosen by a model string.

Model strings::

    "scripted"                                  offline, no responses (the default)
    "anthropic:<model>"                         Anthropic Messages API
    "openai:<model>"                            OpenAI Chat Completions
    "openai:<model>@http://127.0.0.1:8080/v1"   any OpenAI-compatible server
    "anthropic:<model>@<base_url>"              an Anthropic-compatible server

Provider calls share a per-provider concurrency limit across the process
(``al.models.set_concurrency("openai", 4)``, default 8); see ``models/calls.py``.
"""

from __future__ import annotations

from typing import Any

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
    model_name, _, base_url = rest.partition("@")
    if not sep or not model_name:
        raise ConfigError(f"unknown model string {spec!r}; write one of {_FORMS}")
    if provider == "openai":
        from agentlab.models.openai import OpenAIModel

        return OpenAIModel(model_name, base_url=base_url or None)
    if provider == "anthropic":
        from agentlab.models.anthropic import AnthropicModel

        return AnthropicModel(model_name, base_url=base_url or None)
    raise ConfigError(
        f"unknown provider {provider!r} in model string {spec!r}; write one of {_FORMS}"
    )
