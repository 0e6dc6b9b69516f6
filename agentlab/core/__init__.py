"""The runtime core: what runs, and what a run returns.

What lives here: ``limits`` (Limits and the shared Budget), ``tools`` (functions as
tools), ``names`` (tool names), ``outcome`` and ``context`` (how levels of a run tree
hand results and trouble to each other), ``runnable`` (``run`` / ``run_sync`` for
everything), ``run`` (``Run`` and the root of a run), ``agent`` and ``agent_tool``
(an Agent, and an agent as another agent's tool), ``loop`` (the agent loop),
``conversation`` (several user turns), ``sync`` (the one sync bridge).

May import: the leaf modules, ``agentlab.trace`` and ``agentlab.models``; and, in
``Agent._implicit_team`` alone (a bridge, inside the function), ``agentlab.handoffs``.
"""

from agentlab.core.agent import Agent
from agentlab.core.context import RunContext
from agentlab.core.conversation import Conversation, ConversationState
from agentlab.core.limits import Budget, Limits, as_limits
from agentlab.core.outcome import Outcome
from agentlab.core.run import Run, execute_root, preflight
from agentlab.core.runnable import Runnable, check_runnable
from agentlab.core.sync import run_sync
from agentlab.core.tools import Tool, ToolContext, function_tool, tool

__all__ = [
    "Agent",
    "Budget",
    "Conversation",
    "ConversationState",
    "Limits",
    "Outcome",
    "Run",
    "RunContext",
    "Runnable",
    "Tool",
    "ToolContext",
    "as_limits",
    "check_runnable",
    "execute_root",
    "function_tool",
    "preflight",
    "run_sync",
    "tool",
]
