"""``Team``: agents that transfer the conversation to each other, and ``Conversation``.

One user turn runs the current agent; when its model calls ``transfer_to_<name>``
that agent's invocation ends and the receiver continues with the full history plus
one visible note (intent and state), or what a ``handoff_filter`` leaves of it. The
receiver now owns the conversation: it answers the user, and in a ``Conversation``
it is the one the next message goes to.

Bounds, counted per user turn: ``max_hops`` (3 by default; the refused hop is a
``limit`` span, the run "stopped" with ``stop_reason="max_hops"``) and cycle
detection (the same directed edge twice, e.g. Triage -> Sales -> Triage -> Sales,
stops with ``"handoff_cycle"`` even under ``max_hops``; Triage -> Sales -> Triage is
fine). If a model asks for two transfers in one response, the first valid one wins
and the others get an error tool result; all of them are ``tool`` spans.

An ``Agent`` with handoffs run on its own behaves as a Team with itself as entry and
every agent reachable through its handoffs (given as Agent objects) as members;
handoffs by name are resolved among those, else ``run()`` raises ``ConfigError``.

>>> import agentlab as al
>>> sales = al.Agent(name="Sales", model=al.ScriptedModel(["Pro is $20 a month."]))
>>> triage = al.Agent(name="Triage", handoffs=[sales], model=al.ScriptedModel([
...     al.ToolCall("transfer_to_sales", {"intent": "quote the Pro plan"})]))
>>> run = al.Team([triage, sales], entry=triage).run_sync("How much is Pro?")
>>> run.output, [(h.from_agent, h.to_agent, h.hop) for h in run.handoffs]
('Pro is $20 a month.', [('Triage', 'Sales', 1)])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from agentlab.errors import ConfigError
from agentlab.handoffs import HandoffFilter, filter_name, handoff_note, snake_case
from agentlab.limits import Limits
from agentlab.messages import Message, as_messages
from agentlab.runnable import Outcome, RunContext, Runnable, keep_partial
from agentlab.transfers import (
    Handover,
    HopBook,
    Seat,
    Transfer,
    entry_seat,
    member_seats,
    resolve_target,
)

if TYPE_CHECKING:
    from agentlab.agent import Agent
    from agentlab.result import Run


class _ConvState:
    """Who owns the conversation, what they know, and everything said so far."""

    __slots__ = ("history", "seat", "transcript", "turns")

    def __init__(self, seat: Seat) -> None:
        self.seat = seat
        self.history: list[Message] = []  # what the current agent sees (no system prompt)
        self.transcript: list[Message] = []  # every message of every turn, notes included
        self.turns = 0


class Team(Runnable):
    """Agents that hand the conversation to each other (transfer-style handoffs).

    Args:
        agents: The members; names must be unique. Their ``handoffs`` may name
            members (``handoffs=["Triage"]``) or be the member Agent objects.
        entry: The agent (or its name) that gets the first user message.
        max_hops: Transfers allowed per user turn (default 3, the article's bound).
        handoff_filter: ``filter(messages) -> messages`` applied to every handoff's
            default context (history + note); an agent's own ``handoff_filter``
            (what it receives) wins. See ``al.keep_last_messages``, ``al.note_only``.
        name: Shown in traces.
        limits: Default ``al.Limits`` for runs of this team.

    A run's ``output`` is the last agent's answer; ``run.messages`` is everything
    said (the user, every agent's messages and tool calls, each handoff note; no
    system prompts); ``run.handoffs`` lists the transfers of that user turn.

    >>> team = al.Team([triage, sales, support], entry=triage, max_hops=3)  # doctest: +SKIP
    >>> conv = team.conversation()                                          # doctest: +SKIP
    >>> run = await conv.send("I was charged twice")                        # doctest: +SKIP
    """

    def __init__(
        self,
        agents: Iterable[Agent],
        entry: Agent | str,
        *,
        max_hops: int = 3,
        handoff_filter: HandoffFilter | None = None,
        name: str = "Team",
        limits: Limits | None = None,
    ) -> None:
        if not isinstance(max_hops, int) or isinstance(max_hops, bool) or max_hops < 0:
            raise ConfigError(f"Team(max_hops={max_hops!r}) must be a whole number >= 0, e.g. 3")
        if handoff_filter is not None and not callable(handoff_filter):
            raise ConfigError(
                f"handoff_filter must be a function messages -> messages, got {handoff_filter!r}"
            )
        if limits is not None and not isinstance(limits, Limits):
            raise ConfigError(f"limits of team {name!r} must be al.Limits(...), got {limits!r}")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"Team name must be non-empty text, got {name!r}; e.g. name='Shop'")
        self.name = name
        self.limits = limits
        self.max_hops = max_hops
        self.handoff_filter = handoff_filter
        self._seats = member_seats(agents)
        self._entry = entry_seat(self._seats, entry)
        for seat in self._seats.values():
            seat.link([resolve_target(seat.agent, t, self._seats) for t in seat.agent.handoffs])

    @property
    def agents(self) -> tuple[Agent, ...]:
        """The members, in the order given."""
        return tuple(seat.agent for seat in self._seats.values())

    @property
    def entry(self) -> Agent:
        return self._entry.agent

    def conversation(self) -> Conversation:
        """A multi-turn conversation with this team: ``await conv.send(text)``."""
        return Conversation(self)

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        return await self._turn(_ConvState(self._entry), input, ctx, parent_id)

    def _children(self) -> list[Runnable]:
        return list(self._seats.values())  # seats: the Team resolved the members' names

    def __repr__(self) -> str:
        names = ", ".join(self._seats)
        return f"Team([{names}], entry={self._entry.name!r}, max_hops={self.max_hops})"

    # -- one user turn -----------------------------------------------------------------
    async def _turn(
        self, conv: _ConvState, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        new = as_messages(input)
        conv.turns += 1
        with ctx.span("team", self.name, parent_id) as span:
            attrs: dict[str, Any] = {
                "entry": conv.seat.name,
                "max_hops": self.max_hops,
                "hops": 0,
                "final_agent": None,
                "turn": conv.turns,
            }
            span.attributes = attrs
            messages = conv.history = conv.history + new
            indices = [ctx.trace.add_message(m) for m in messages]
            span.messages_in = tuple(indices)
            conv.transcript.extend(new)
            book = HopBook(self.max_hops)
            try:
                outcome = await self._hops(conv, Handover(messages, indices, book), ctx, span.id)
            except BaseException as exc:
                partial = getattr(exc, "partial", None)
                if isinstance(partial, Outcome) and partial.agent == conv.seat.name:
                    _absorb(conv, conv.seat, len(conv.history), partial.messages)
                keep_partial(
                    exc, Outcome(getattr(partial, "output", None), messages=list(conv.transcript))
                )
                raise
            finally:
                attrs["hops"], attrs["final_agent"] = book.hops, conv.seat.name
            outcome.close(span)
        return Outcome(
            outcome.output,
            outcome.status,
            outcome.stop_reason,
            outcome.stop_detail,
            outcome.error,
            list(conv.transcript),
            outcome.agent,
        )

    async def _hops(
        self, conv: _ConvState, handover: Handover, ctx: RunContext, team_id: int | str
    ) -> Outcome:
        while True:
            seat = conv.seat
            outcome = await ctx.invoke(seat, handover, team_id)
            _absorb(conv, seat, len(handover.messages), outcome.messages)
            transfer: Transfer | None = outcome.handoff
            if transfer is None:
                return outcome
            handover = self._hand_over(conv, seat, transfer, ctx, team_id, handover.book)
            conv.seat = transfer.target

    def _hand_over(
        self,
        conv: _ConvState,
        sender: Seat,
        transfer: Transfer,
        ctx: RunContext,
        team_id: int | str,
        book: HopBook,
    ) -> Handover:
        """The ``handoff`` span: the default context, the filter, what the receiver gets."""
        receiver = transfer.target
        skip = 1 if sender.agent.instructions else 0
        history, history_indices = conv.history, transfer.indices[skip:]
        with ctx.span(
            "handoff", f"{sender.name} -> {receiver.name}", team_id, agent=sender.name
        ) as span:
            note = handoff_note(
                sender.name, receiver.name, transfer.hop, transfer.intent, transfer.state
            )
            default = [*history, note]
            default_indices = [*history_indices, ctx.trace.add_message(note)]
            conv.transcript.append(note)
            fn = receiver.agent.handoff_filter or self.handoff_filter
            span.messages_in = tuple(default_indices)
            span.attributes = {  # set before the filter runs: a broken filter still shows
                "from_agent": sender.name,
                "to_agent": receiver.name,
                "hop": transfer.hop,
                "intent": transfer.intent,
                "state": transfer.state,
                "filter": filter_name(fn),
                "removed": None,
            }
            messages, indices = default, default_indices
            if fn is not None:
                messages, indices = _apply_filter(fn, default, default_indices, ctx)
            span.messages_out = tuple(indices)
            kept = {id(m) for m in messages}
            span.attributes["removed"] = sum(1 for m in default if id(m) not in kept)
        conv.history = messages
        return Handover(messages, indices, book)


class Conversation(Runnable):
    """A multi-turn conversation with a Team: each ``send`` is one user turn and one Run.

    The agent that owns the conversation and its history persist across sends; each
    send writes its own trace (its ``team`` span has ``turn``), so
    ``run.handoffs``, cost and tokens are per user turn.

    >>> conv = team.conversation()                     # doctest: +SKIP
    >>> run = await conv.send("I was charged twice")   # doctest: +SKIP
    >>> conv.agent, run.output                         # doctest: +SKIP
    ('Support', 'I see two charges ...')
    """

    def __init__(self, team: Team) -> None:
        self.team = team
        self.name = team.name
        self.limits = team.limits
        self.runs: list[Run] = []
        self._state = _ConvState(team._entry)
        self._busy = False

    @property
    def agent(self) -> str:
        """The name of the agent that gets the next message."""
        return self._state.seat.name

    @property
    def messages(self) -> list[Message]:
        """Everything said so far, every turn and handoff note (no system prompts)."""
        return list(self._state.transcript)

    @property
    def history(self) -> list[Message]:
        """What the current agent sees next turn, before the new message."""
        return list(self._state.history)

    async def send(self, text: str | list[Message], *, limits: Limits | None = None) -> Run:
        """One user turn; returns its ``Run`` (never raises for runtime trouble)."""
        if self._busy:
            raise ConfigError(
                "this conversation is still answering the previous message; await that "
                "send before sending the next one"
            )
        self._busy = True
        try:
            run = await self.run(text, limits=limits)
        finally:
            self._busy = False
        self.runs.append(run)
        return run

    def send_sync(self, text: str | list[Message], *, limits: Limits | None = None) -> Run:
        """``send`` for sync code (scripts, terminals, and inside Jupyter too)."""
        from agentlab.sync import run_sync

        return run_sync(self.send(text, limits=limits))

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        return await self.team._turn(self._state, input, ctx, parent_id)

    def _children(self) -> list[Runnable]:
        return [self.team]

    def __repr__(self) -> str:
        return f"<Conversation with {self.team.name}: {self._state.turns} turns, at {self.agent}>"


def implicit_team(agent: Agent) -> Team:
    """The Team an agent with handoffs forms when run on its own (entry: the agent)."""
    from agentlab.agent import Agent

    members: dict[str, Agent] = {}
    stack = [agent]
    while stack:
        node = stack.pop()
        known = members.get(node.name)
        if known is node:
            continue
        if known is not None:
            raise ConfigError(
                f"two different agents are named {node.name!r} among the handoffs of "
                f"{agent.name!r}; give them distinct names"
            )
        members[node.name] = node
        stack.extend(t for t in reversed(node.handoffs) if isinstance(t, Agent))
    try:
        return Team(list(members.values()), entry=agent, name=agent.name)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}. Agent {agent.name!r} runs without a Team, so handoffs by name resolve "
            "only among the agents its handoffs reach as Agent objects; put the agents in "
            f"al.Team([...], entry={snake_case(agent.name)}) or pass the Agent objects"
        ) from None


def _absorb(conv: _ConvState, seat: Seat, n_input: int, messages: Sequence[Message]) -> None:
    """Take an invocation's messages into the conversation (its system prompt dropped)."""
    if not messages:
        return
    skip = 1 if seat.agent.instructions else 0
    conv.transcript.extend(messages[skip + n_input :])
    conv.history = list(messages[skip:])


def _apply_filter(
    fn: HandoffFilter, default: list[Message], indices: list[int], ctx: RunContext
) -> tuple[list[Message], list[int]]:
    result = fn(list(default))
    if not isinstance(result, (list, tuple)) or not all(isinstance(m, Message) for m in result):
        raise ConfigError(
            f"handoff filter {filter_name(fn)!r} must return a list of al.Message, got "
            f"{type(result).__name__}"
        )
    where = {id(m): i for m, i in zip(default, indices, strict=True)}
    out = [where[id(m)] if id(m) in where else ctx.trace.add_message(m) for m in result]
    return list(result), out
