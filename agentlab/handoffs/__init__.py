"""Transfer-style handoffs: a ``Team`` of agents handing the conversation to each other.

What lives here: ``team`` (Team: user turns, hops, what crosses each handoff),
``transfer`` (members, the transfer tools, the hop counter and cycle detection, the
handoff note), ``filters`` (what a receiver gets: ``keep_last_messages``,
``drop_tool_messages``, ``note_only``). Manager-style handoffs (an agent as a tool)
are ``Agent.as_tool`` in ``agentlab.core``.

May import: the leaf modules, ``agentlab.trace``, ``agentlab.models``, ``agentlab.core``.
"""

from agentlab.handoffs.filters import (
    HandoffFilter,
    drop_tool_messages,
    filter_name,
    keep_last_messages,
    note_only,
)
from agentlab.handoffs.team import Team, TeamState, implicit_team
from agentlab.handoffs.transfer import HopCounter, Member, TransferTools

__all__ = [
    "HandoffFilter",
    "HopCounter",
    "Member",
    "Team",
    "TeamState",
    "TransferTools",
    "drop_tool_messages",
    "filter_name",
    "implicit_team",
    "keep_last_messages",
    "note_only",
]
