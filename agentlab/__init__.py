"""agentlab: a Jupyter-native experimentation kit for multi-agent LLM systems.

>>> import agentlab as al
>>> agent = al.Agent(name="Echo", model=al.ScriptedModel(["Hello!"]))
>>> agent.run_sync("Hi").output
'Hello!'

Names load lazily on first use, so ``import agentlab`` pulls in none of pydantic,
pandas, altair, the provider SDKs or genai-prices. The package's layers (README,
"Layout"): leaf modules (``errors``, ``messages``, ``usage``, private helpers) <-
``trace``, ``models`` <- ``core`` <- ``handoffs``, ``patterns`` <- ``experiment`` <-
``views``, ``export``, ``teaching``; this facade may import any of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agentlab._version import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Agent": "agentlab.core.agent",
    "AgentlabError": "agentlab.errors",
    "AnthropicModel": "agentlab.models.anthropic",
    "BudgetExceeded": "agentlab.errors",
    "Chain": "agentlab.patterns.chain",
    "ConfigError": "agentlab.errors",
    "Conversation": "agentlab.core.conversation",
    "CostWarning": "agentlab.errors",
    "Ctx": "agentlab.core.ctx",
    "DecisionError": "agentlab.errors",
    "DesignWarning": "agentlab.errors",
    "EvaluatorOptimizer": "agentlab.patterns.evaluator",
    "Experiment": "agentlab.experiment.experiment",
    "ExperimentResult": "agentlab.experiment.result",
    "FunctionModel": "agentlab.models.scripted",
    "Gate": "agentlab.patterns.chain",
    "GateStopped": "agentlab.errors",
    "HandoffContext": "agentlab.trace.read",
    "HandoffCycle": "agentlab.errors",
    "Interrupted": "agentlab.errors",
    "LimitExceeded": "agentlab.errors",
    "Limits": "agentlab.core.limits",
    "MaxDepth": "agentlab.errors",
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
    "OTelProcessor": "agentlab.export.otel",
    "OpenAIModel": "agentlab.models.openai",
    "Orchestrator": "agentlab.patterns.orchestrator",
    "OutputValidationError": "agentlab.errors",
    "Parallel": "agentlab.patterns.parallel",
    "Plan": "agentlab.patterns.decisions",
    "PlanTask": "agentlab.patterns.decisions",
    "ReplayMismatch": "agentlab.errors",
    "ReplayModel": "agentlab.models.replay",
    "Router": "agentlab.patterns.router",
    "Run": "agentlab.core.run",
    "RunStopped": "agentlab.errors",
    "Runnable": "agentlab.core.runnable",
    "ScriptExhausted": "agentlab.errors",
    "ScriptedModel": "agentlab.models.scripted",
    "Span": "agentlab.trace.spans",
    "Team": "agentlab.handoffs.team",
    "Timeout": "agentlab.errors",
    "Tool": "agentlab.core.tools",
    "ToolCall": "agentlab.messages",
    "ToolError": "agentlab.errors",
    "ToolResult": "agentlab.messages",
    "ToolSpec": "agentlab.models.base",
    "Trace": "agentlab.trace.trace",
    "Usage": "agentlab.usage",
    "Verdict": "agentlab.patterns.decisions",
    "add_processor": "agentlab.trace.processors",
    "cassette": "agentlab.models.cassette",
    "charts": "agentlab.views.charts",  # a module: al.charts.cost_by_agent(...)
    "compare": "agentlab.views.widgets",
    "drop_tool_messages": "agentlab.handoffs.filters",
    "keep_last_messages": "agentlab.handoffs.filters",
    "models": "agentlab.models",  # a module: al.models.set_concurrency(...)
    "note_only": "agentlab.handoffs.filters",
    "processing": "agentlab.trace.processors",
    "remove_processor": "agentlab.trace.processors",
    "show": "agentlab.views.widgets",
    "tool": "agentlab.core.tools",
}
# modules reachable as attributes, kept out of __all__: ``from agentlab import sim``
_MODULES: dict[str, str] = {"sim": "agentlab.teaching.sim"}

_MODULE_NAMES = frozenset({"charts", "models", *_MODULES})  # names that are modules

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name) or _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'agentlab' has no attribute {name!r}")
    imported = importlib.import_module(module)
    value = imported if name in _MODULE_NAMES else getattr(imported, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static tools see the real names; tests check this mirrors _EXPORTS
    from agentlab import models as models
    from agentlab.core.agent import Agent as Agent
    from agentlab.core.conversation import Conversation as Conversation
    from agentlab.core.ctx import Ctx as Ctx
    from agentlab.core.limits import Limits as Limits
    from agentlab.core.run import Run as Run
    from agentlab.core.runnable import Runnable as Runnable
    from agentlab.core.tools import Tool as Tool
    from agentlab.core.tools import tool as tool
    from agentlab.errors import (
        AgentlabError as AgentlabError,
    )
    from agentlab.errors import (
        BudgetExceeded as BudgetExceeded,
    )
    from agentlab.errors import (
        ConfigError as ConfigError,
    )
    from agentlab.errors import (
        CostWarning as CostWarning,
    )
    from agentlab.errors import (
        DecisionError as DecisionError,
    )
    from agentlab.errors import (
        DesignWarning as DesignWarning,
    )
    from agentlab.errors import (
        GateStopped as GateStopped,
    )
    from agentlab.errors import (
        HandoffCycle as HandoffCycle,
    )
    from agentlab.errors import (
        Interrupted as Interrupted,
    )
    from agentlab.errors import (
        LimitExceeded as LimitExceeded,
    )
    from agentlab.errors import (
        MaxDepth as MaxDepth,
    )
    from agentlab.errors import (
        MaxHops as MaxHops,
    )
    from agentlab.errors import (
        MaxIterations as MaxIterations,
    )
    from agentlab.errors import (
        MaxTasks as MaxTasks,
    )
    from agentlab.errors import (
        MaxTokens as MaxTokens,
    )
    from agentlab.errors import (
        MaxToolCalls as MaxToolCalls,
    )
    from agentlab.errors import (
        MaxTurns as MaxTurns,
    )
    from agentlab.errors import (
        ModelError as ModelError,
    )
    from agentlab.errors import (
        ModelHTTPError as ModelHTTPError,
    )
    from agentlab.errors import (
        OutputValidationError as OutputValidationError,
    )
    from agentlab.errors import (
        ReplayMismatch as ReplayMismatch,
    )
    from agentlab.errors import (
        RunStopped as RunStopped,
    )
    from agentlab.errors import (
        ScriptExhausted as ScriptExhausted,
    )
    from agentlab.errors import (
        Timeout as Timeout,
    )
    from agentlab.errors import (
        ToolError as ToolError,
    )
    from agentlab.experiment.experiment import Experiment as Experiment
    from agentlab.experiment.result import ExperimentResult as ExperimentResult
    from agentlab.export.otel import OTelProcessor as OTelProcessor
    from agentlab.handoffs.filters import (
        drop_tool_messages as drop_tool_messages,
    )
    from agentlab.handoffs.filters import (
        keep_last_messages as keep_last_messages,
    )
    from agentlab.handoffs.filters import (
        note_only as note_only,
    )
    from agentlab.handoffs.team import Team as Team
    from agentlab.messages import Message as Message
    from agentlab.messages import ToolCall as ToolCall
    from agentlab.messages import ToolResult as ToolResult
    from agentlab.models.anthropic import AnthropicModel as AnthropicModel
    from agentlab.models.base import (
        Model as Model,
    )
    from agentlab.models.base import (
        ModelRequest as ModelRequest,
    )
    from agentlab.models.base import (
        ModelResponse as ModelResponse,
    )
    from agentlab.models.base import (
        ToolSpec as ToolSpec,
    )
    from agentlab.models.cassette import cassette as cassette
    from agentlab.models.openai import OpenAIModel as OpenAIModel
    from agentlab.models.replay import ReplayModel as ReplayModel
    from agentlab.models.scripted import (
        FunctionModel as FunctionModel,
    )
    from agentlab.models.scripted import (
        ScriptedModel as ScriptedModel,
    )
    from agentlab.patterns.chain import Chain as Chain
    from agentlab.patterns.chain import Gate as Gate
    from agentlab.patterns.decisions import Plan as Plan
    from agentlab.patterns.decisions import PlanTask as PlanTask
    from agentlab.patterns.decisions import Verdict as Verdict
    from agentlab.patterns.evaluator import EvaluatorOptimizer as EvaluatorOptimizer
    from agentlab.patterns.orchestrator import Orchestrator as Orchestrator
    from agentlab.patterns.parallel import Parallel as Parallel
    from agentlab.patterns.router import Router as Router
    from agentlab.trace.processors import (
        add_processor as add_processor,
    )
    from agentlab.trace.processors import (
        processing as processing,
    )
    from agentlab.trace.processors import (
        remove_processor as remove_processor,
    )
    from agentlab.trace.read import HandoffContext as HandoffContext
    from agentlab.trace.spans import Span as Span
    from agentlab.trace.trace import Trace as Trace
    from agentlab.usage import Usage as Usage
    from agentlab.views import charts as charts
    from agentlab.views.widgets import compare as compare
    from agentlab.views.widgets import show as show
