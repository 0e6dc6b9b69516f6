"""``Conversation``: several user turns with an agent or a team, each ``send`` one ``Run``.

Whoever the conversation is with keeps its state between sends in a
``ConversationState``: who answers next, what they know (``history``), and everything
said (``transcript``). The owner (an ``Agent`` or a ``Team``) implements two hooks:
``_new_conversation()`` (a fresh state) and ``_converse(state, input, ctx, parent_id)``
(one user turn). Each send writes its own trace, so cost, tokens and handoffs are per
user turn.

>>> conv = team.conversation()                     # doctest: +SKIP
>>> run = await conv.send("I was charged twice")   # doctest: +SKIP
>>> conv.agent, run.output                         # doctest: +SKIP
('Support', 'I see two charges ...')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab.core.runnable import Runnable
from agentlab.core.stream import RunStream
from agentlab.core.sync import run_sync
from agentlab.errors import ConfigError

if TYPE_CHECKING:
    from agentlab.core.context import RunContext
    from agentlab.core.limits import Limits
    from agentlab.core.outcome import Outcome
    from agentlab.core.run import Run
    from agentlab.messages import Message

__all__ = ["Conversation", "ConversationState"]


class ConversationState:
    """What a conversation carries between sends (the owner adds what it needs)."""

    def __init__(self, agent: str) -> None:
        self.agent = agent  # the name of the agent that gets the next message
        self.history: list[Message] = []  # what that agent sees (no system prompt)
        self.transcript: list[Message] = []  # every message of every turn, notes included
        self.turns = 0


class Conversation(Runnable):
    """A multi-turn conversation with an agent or a team: ``await conv.send(text)``.

    ``conv.agent`` is who answers next, ``conv.messages`` everything said so far (no
    system prompts), ``conv.history`` what that agent sees before the next message,
    ``conv.runs`` the Run of every send.
    """

    def __init__(self, owner: Runnable) -> None:
        self.owner = owner
        self.name = owner.name
        self.limits = owner.limits
        self.runs: list[Run] = []
        self._state: ConversationState = owner._new_conversation()
        self._busy = False

    @property
    def agent(self) -> str:
        """The name of the agent that gets the next message."""
        return self._state.agent

    @property
    def messages(self) -> list[Message]:
        """Everything said so far, every turn and handoff note (no system prompts)."""
        return list(self._state.transcript)

    @property
    def history(self) -> list[Message]:
        """What the current agent sees next turn, before the new message."""
        return list(self._state.history)

    async def send(
        self, text: str | list[Message], *, limits: Limits | None = None, deps: Any = None
    ) -> Run:
        """One user turn; returns its ``Run`` (never raises for runtime trouble).
        ``deps`` reaches ``al.Ctx`` parameters of this turn's tools and steps."""
        if self._busy:
            raise ConfigError(
                "this conversation is still answering the previous message; await that "
                "send before sending the next one"
            )
        self._busy = True
        said = len(self._state.transcript)
        try:
            run = await self.run(text, limits=limits, deps=deps)
        finally:
            self._busy = False
        run.new_messages = list(self._state.transcript[said:])
        self.runs.append(run)
        return run

    def send_sync(
        self, text: str | list[Message], *, limits: Limits | None = None, deps: Any = None
    ) -> Run:
        """``send`` for sync code (scripts, terminals, and inside Jupyter too)."""
        return run_sync(self.send(text, limits=limits, deps=deps))

    def stream(
        self, input: Any, *, limits: Limits | None = None, show: bool = False, **kwargs: Any
    ) -> RunStream:
        """``send`` as a stream of events (see ``Runnable.stream``); the turn joins the
        conversation as a send does.

        >>> async for event in conv.stream("and in French?"):  # doctest: +SKIP
        ...     print(event.text or "", end="")
        """
        return RunStream(lambda: self.send(input, limits=limits, **kwargs))

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        return await self.owner._converse(self._state, input, ctx, parent_id)

    def _children(self) -> list[Runnable]:
        return [self.owner]

    def _agent_name(self) -> str | None:
        return self.owner._agent_name()

    def __repr__(self) -> str:
        turns = self._state.turns
        return f"<Conversation with {self.owner.name}: {turns} turns, at {self.agent}>"
