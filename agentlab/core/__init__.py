"""The runtime core: what runs, and what a run returns.

What lives here: ``limits`` (Limits and the shared Budget), ``tools`` (functions as
tools), ``names`` (tool names), ``outcome`` and ``context`` (how levels of a run tree
hand results and trouble to each other), ``runnable`` (``run`` / ``run_sync`` for
everything), ``run`` (``Run`` and the root of a run), ``agent`` and ``agent_tool``
(an Agent, and an agent as another agent's tool), ``loop`` (the agent loop),
``conversation`` (several user turns), ``sync`` (the one sync bridge).

May import: the leaf modules, ``agentlab.trace`` and ``agentlab.models``; and, in
``Agent._implicit_team`` alone (a bridge, inside the function), ``agentlab.handoffs``.
Names load on first use (``import agentlab.core.limits`` stays light).
"""

from agentlab._lazy import lazy_exports

__all__ = [
    "Agent",
    "Budget",
    "Conversation",
    "ConversationState",
    "Ctx",
    "Guard",
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
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Agent": "agentlab.core.agent",
        "Budget": "agentlab.core.limits",
        "Conversation": "agentlab.core.conversation",
        "ConversationState": "agentlab.core.conversation",
        "Ctx": "agentlab.core.ctx",
        "Guard": "agentlab.core.guards",
        "Limits": "agentlab.core.limits",
        "Outcome": "agentlab.core.outcome",
        "Run": "agentlab.core.run",
        "RunContext": "agentlab.core.context",
        "Runnable": "agentlab.core.runnable",
        "Tool": "agentlab.core.tools",
        "ToolContext": "agentlab.core.tools",
        "as_limits": "agentlab.core.limits",
        "check_runnable": "agentlab.core.runnable",
        "execute_root": "agentlab.core.run",
        "function_tool": "agentlab.core.tools",
        "preflight": "agentlab.core.run",
        "run_sync": "agentlab.core.sync",
        "tool": "agentlab.core.tools",
    },
)
