"""agentlab: a Jupyter-native experimentation kit for multi-agent LLM systems.

>>> import agentlab as al
>>> agent = al.Agent(name="Echo", model=al.ScriptedModel(["Hello!"]))
>>> agent.run_sync("Hi").output
'Hello!'

Names load lazily on first use, so ``import agentlab`` pulls in none of pydantic,
pandas, altair, the provider SDKs or genai-prices.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Agent": "agentlab.agent",
    "AgentlabError": "agentlab.errors",
    "AnthropicModel": "agentlab.models.anthropic",
    "BudgetExceeded": "agentlab.errors",
    "Chain": "agentlab.patterns.chain",
    "ConfigError": "agentlab.errors",
    "Conversation": "agentlab.team",
    "DecisionError": "agentlab.errors",
    "DesignWarning": "agentlab.errors",
    "EvaluatorOptimizer": "agentlab.patterns.evaluator",
    "Experiment": "agentlab.experiment",
    "ExperimentResult": "agentlab.experiment_result",
    "FunctionModel": "agentlab.models.scripted",
    "Gate": "agentlab.patterns.chain",
    "GateStopped": "agentlab.errors",
    "HandoffContext": "agentlab.handoffs",
    "HandoffCycle": "agentlab.errors",
    "Interrupted": "agentlab.errors",
    "LimitExceeded": "agentlab.errors",
    "Limits": "agentlab.limits",
    "MaxHops": "agentlab.errors",
    "MaxIterations": "agentlab.errors",
    "MaxTasks": "agentlab.errors",
    "MaxTokens": "agentlab.errors",
    "MaxToolCalls": "agentlab.errors",
    "MaxTurns": "agentlab.errors",
    "Message": "agentlab.messages",
    "Model": "agentlab.models.base",
    "ModelError": "agentlab.errors",
    "ModelHTTPError": "agentlab.errors",
    "ModelRequest": "agentlab.models.base",
    "ModelResponse": "agentlab.models.base",
    "OTelProcessor": "agentlab.otel",
    "OpenAIModel": "agentlab.models.openai",
    "Orchestrator": "agentlab.patterns.orchestrator",
    "OutputValidationError": "agentlab.errors",
    "Parallel": "agentlab.patterns.parallel",
    "Plan": "agentlab.patterns.decisions",
    "PlanTask": "agentlab.patterns.decisions",
    "ReplayMismatch": "agentlab.errors",
    "ReplayModel": "agentlab.models.replay",
    "Router": "agentlab.patterns.router",
    "Run": "agentlab.result",
    "RunStopped": "agentlab.errors",
    "Runnable": "agentlab.runnable",
    "ScriptExhausted": "agentlab.errors",
    "ScriptedModel": "agentlab.models.scripted",
    "Span": "agentlab.tracing",
    "Team": "agentlab.team",
    "Timeout": "agentlab.errors",
    "Tool": "agentlab.tools",
    "ToolCall": "agentlab.messages",
    "ToolError": "agentlab.errors",
    "ToolResult": "agentlab.messages",
    "ToolSpec": "agentlab.models.base",
    "Trace": "agentlab.tracing",
    "Usage": "agentlab.pricing",
    "Verdict": "agentlab.patterns.decisions",
    "add_processor": "agentlab.tracing",
    "cassette": "agentlab.models.cassette",
    "charts": "agentlab.charts",  # a submodule, imported on first use
    "compare": "agentlab.widgets",
    "drop_tool_messages": "agentlab.handoffs",
    "keep_last_messages": "agentlab.handoffs",
    "models": "agentlab.models",  # a submodule: al.models.set_concurrency(...)
    "note_only": "agentlab.handoffs",
    "processing": "agentlab.tracing",
    "remove_processor": "agentlab.tracing",
    "show": "agentlab.widgets",
    "tool": "agentlab.tools",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agentlab' has no attribute {name!r}")
    imported = importlib.import_module(module)
    value = imported if module == f"agentlab.{name}" else getattr(imported, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static tools see the real names
    from agentlab import charts as charts
    from agentlab import models as models
    from agentlab.agent import Agent
    from agentlab.errors import (
        AgentlabError, BudgetExceeded, ConfigError, DecisionError, DesignWarning,
        GateStopped, HandoffCycle, Interrupted, LimitExceeded, MaxHops, MaxIterations,
        MaxTasks, MaxTokens, MaxToolCalls, MaxTurns, ModelError, ModelHTTPError,
        OutputValidationError, ReplayMismatch, RunStopped, ScriptExhausted, Timeout,
        ToolError,
    )  # fmt: skip
    from agentlab.experiment import Experiment
    from agentlab.experiment_result import ExperimentResult
    from agentlab.handoffs import (
        HandoffContext,
        drop_tool_messages,
        keep_last_messages,
        note_only,
    )
    from agentlab.limits import Limits
    from agentlab.messages import Message, ToolCall, ToolResult
    from agentlab.models.anthropic import AnthropicModel
    from agentlab.models.base import Model, ModelRequest, ModelResponse, ToolSpec
    from agentlab.models.cassette import cassette
    from agentlab.models.openai import OpenAIModel
    from agentlab.models.replay import ReplayModel
    from agentlab.models.scripted import FunctionModel, ScriptedModel
    from agentlab.otel import OTelProcessor
    from agentlab.patterns.chain import Chain, Gate
    from agentlab.patterns.decisions import Plan, PlanTask, Verdict
    from agentlab.patterns.evaluator import EvaluatorOptimizer
    from agentlab.patterns.orchestrator import Orchestrator
    from agentlab.patterns.parallel import Parallel
    from agentlab.patterns.router import Router
    from agentlab.pricing import Usage
    from agentlab.result import Run
    from agentlab.runnable import Runnable
    from agentlab.team import Conversation, Team
    from agentlab.tools import Tool, tool
    from agentlab.tracing import Span, Trace, add_processor, processing, remove_processor
    from agentlab.widgets import compare as compare, show as show
