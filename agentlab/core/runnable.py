"""One protocol for everything runnable: ``run`` / ``run_sync`` on top of ``_execute``.

Every runnable (Agent, the patterns, Team, Conversation) subclasses ``Runnable`` and
implements ``async _execute(input, ctx, parent_id) -> Outcome``; composite runnables
call children through ``ctx.invoke(child, input, parent_id)`` (``core/context.py``),
and ``core/run.py`` turns the root's outcome into a ``Run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab.core.run import execute_root
from agentlab.core.stream import RunStream, iterate_sync
from agentlab.core.sync import run_sync
from agentlab.errors import ConfigError
from agentlab.trace._views import TERMINAL, live_viewer
from agentlab.trace.processors import processing

if TYPE_CHECKING:
    from collections.abc import Iterator

    from agentlab.core.context import RunContext
    from agentlab.core.conversation import ConversationState
    from agentlab.core.limits import Limits
    from agentlab.core.outcome import Outcome
    from agentlab.core.run import Run
    from agentlab.core.stream import StreamEvent

__all__ = ["Runnable", "check_runnable"]


class Runnable:
    """Base of everything with ``run``/``run_sync``. Subclasses implement ``_execute``."""

    name: str = ""
    limits: Limits | None = None

    description: str = ""

    async def run(
        self, input: Any, *, limits: Limits | None = None, show: bool = False, deps: Any = None
    ) -> Run:
        """Run on ``input`` (text or messages) and return a ``Run``; never raises for
        runtime trouble (see ``Run.status``), only ``ConfigError`` before any call.

        ``show=True`` displays a live run viewer whose spans appear as they happen (in
        a terminal: prints the span tree when the run ends). ``deps`` (any object: a
        database handle, a user record) reaches tools, function steps, checks and
        instructions functions through a parameter annotated ``al.Ctx`` (``ctx.deps``).

        In a notebook: ``run = await agent.run("Where is order 42?", show=True)``.
        """
        return await self._run_shown(input, limits, live_viewer() if show else None, deps)

    def run_sync(
        self, input: Any, *, limits: Limits | None = None, show: bool = False, deps: Any = None
    ) -> Run:
        """``run`` for sync code: scripts, terminals, and inside Jupyter too.

        >>> run = agent.run_sync("Where is order 42?", deps=db)  # doctest: +SKIP
        """
        viewer = live_viewer() if show else None  # displayed from the caller's thread
        return run_sync(self._run_shown(input, limits, viewer, deps))

    def stream(
        self, input: Any, *, limits: Limits | None = None, show: bool = False, **kwargs: Any
    ) -> RunStream:
        """Run on ``input`` and yield events as it goes (``run``'s keyword arguments):
        ``"span_start"``, ``"span_end"``, ``"message"``, ``"text_delta"``, then ``"done"``
        with ``event.run``. Leaving the loop early cancels the run (stopped /
        ``"interrupted"``, partial trace kept, no further model calls).

        >>> async for event in agent.stream("Where is order 42?"):  # doctest: +SKIP
        ...     if event.kind == "text_delta":
        ...         print(event.text, end="")
        """
        return RunStream(lambda: self.run(input, limits=limits, show=show, **kwargs))

    def stream_sync(
        self, input: Any, *, limits: Limits | None = None, **kwargs: Any
    ) -> Iterator[StreamEvent]:
        """``stream`` for sync code: a plain iterator of the same events (scripts, and
        inside Jupyter too). Leaving the loop early cancels the run.

        >>> for event in agent.stream_sync("Hi"):  # doctest: +SKIP
        ...     print(event.text or "", end="")
        """
        return iterate_sync(self.stream(input, limits=limits, **kwargs))

    async def _run_shown(
        self, input: Any, limits: Limits | None, viewer: Any, deps: Any = None
    ) -> Run:
        if viewer is None:
            return await execute_root(self, input, limits, deps)
        if viewer is TERMINAL:
            run = await execute_root(self, input, limits, deps)
            print(run)
            return run
        with processing(viewer):
            return await execute_root(self, input, limits, deps)

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        raise NotImplementedError

    def _preflight(self) -> None:
        """Raise ``ConfigError`` for problems detectable before the first model call."""

    def _children(self) -> list[Runnable]:
        """Runnables nested in this one (preflight walks them)."""
        return []

    def _model_settings(self) -> dict[str, dict[str, Any]]:
        """Agent name -> its model and settings, for the trace header (agents say)."""
        return {}

    def _models(self) -> list[Any]:
        """The model objects this runnable itself calls (agents say)."""
        return []

    def _agent_name(self) -> str | None:
        """The agent this runnable is, if it is one (the root span's ``agent``)."""
        return None

    # -- conversations (core/conversation.py): agents and teams implement these ------------
    def _new_conversation(self) -> ConversationState:
        raise ConfigError(
            f"{type(self).__name__} {self.name!r} holds no conversation; talk to an agent "
            "(agent.conversation()) or a team (team.conversation())"
        )

    async def _converse(
        self, state: ConversationState, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        raise NotImplementedError


def check_runnable(value: Any, what: str) -> Runnable:
    """``value`` if it is runnable, else a ``ConfigError`` saying what to pass."""
    if isinstance(value, Runnable):
        return value
    raise ConfigError(
        f"{what} must be an al.Agent or another runnable (Chain, Router, Parallel, ...), "
        f"got {type(value).__name__}: {value!r}"
    )
