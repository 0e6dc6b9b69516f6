"""``Agent``: a name, instructions, a model, tools, and an optional output type.

>>> import agentlab as al
>>> def lookup_order(order_id: str) -> str:
...     '''Look an order up by id.'''
...     return f"order {order_id}: shipped"
>>> model = al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "42"}),
...                           "Your order 42 has shipped."])
>>> agent = al.Agent(name="Support", instructions="Help with orders.",
...                  model=model, tools=[lookup_order])
>>> agent.run_sync("Where is order 42?").output
'Your order 42 has shipped.'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agentlab._redact import public_settings
from agentlab.core.agent_tool import agent_tool
from agentlab.core.conversation import Conversation, ConversationState
from agentlab.core.guards import Guard, check_guards
from agentlab.core.limits import Limits, as_limits
from agentlab.core.loop import TOOL_USE, run_agent
from agentlab.core.names import transfer_tool_name
from agentlab.core.output import OutputSpec
from agentlab.core.runnable import Runnable
from agentlab.core.tools import Tool, function_tool
from agentlab.errors import ConfigError, DesignWarning
from agentlab.messages import as_messages
from agentlab.models import resolve_model
from agentlab.models.base import ToolSpec
from agentlab.usage import price_for

if TYPE_CHECKING:
    from agentlab.core.context import RunContext
    from agentlab.core.outcome import Outcome

MAX_HANDOFF_TARGETS = 3  # the article: each agent hands off to at most 2-3 specialists


class Agent(Runnable):
    """An LLM with instructions and tools, run in a loop until it answers.

    The loop: call the model -> run its tool calls (concurrently when several) ->
    feed the results back -> until a final answer or a guard (``max_turns``, budgets).

    Args:
        name: Shown in traces; unique within a team.
        instructions: The system prompt: text, or a function ``fn(ctx)`` (sync or
            async) of the run's ``al.Ctx`` returning the text, called at each
            invocation (the text used is the trace's system message).
        model: A model string (``"openai:gpt-4o-mini"``, ``"scripted"``) or object.
        tools: Plain functions (sync or async, with type hints) or ``al.Tool`` objects.
        handoffs: Agents (or agent names, resolved by a ``Team``) to transfer the
            conversation to; each becomes a tool ``transfer_to_<name>``. Run on its
            own, an agent with handoffs acts as a Team with itself as entry.
        output_type: A pydantic model or dataclass; the final answer is parsed into it.
            ``str`` (or None) means plain text; other types (``int``, ``list[str]``,
            ``Literal[...]``, an Enum) travel wrapped in an object schema and come back
            unwrapped.
        settings: Model settings passed to the provider (temperature, max_tokens, ...).
        limits: Default ``al.Limits`` when this agent is run; ``run(limits=...)`` wins.
        description: What the agent does (used when it becomes a tool or a handoff).
        handoff_filter: ``filter(messages) -> messages`` trimming what this agent
            receives when the conversation is handed to it (default: everything).
        reset_tool_choice: After a turn whose ``settings["tool_choice"]`` forced a tool
            (a tool name, ``"required"``), send ``"auto"`` so the model can answer
            (default True); False keeps forcing on every turn.
        input_guards: ``al.Guard`` checks of the user's message, run alongside the
            first model call; one returning False stops the run (``"guard"``).
        output_guards: ``al.Guard`` checks of the final output before it is returned.
        tool_use: ``"run_llm_again"`` (default: tool results go back to the model) or
            ``"stop_on_first_tool"``: the first tool call's return value (a Python
            object) becomes ``run.output`` and the run completes.
    """

    def __init__(
        self,
        name: str,
        instructions: str | Callable[[Any], Any] = "",
        *,
        model: str | Any = "scripted",
        tools: Iterable[Callable[..., Any] | Tool] = (),
        handoffs: Sequence[Agent | str] = (),
        output_type: type[Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        limits: Limits | None = None,
        description: str | None = None,
        handoff_filter: Callable[[list[Any]], Sequence[Any]] | None = None,
        reset_tool_choice: bool = True,
        input_guards: Iterable[Guard | Callable[[Any], Any]] = (),
        output_guards: Iterable[Guard | Callable[[Any], Any]] = (),
        tool_use: str = "run_llm_again",
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                f"Agent name must be non-empty text, got {name!r}; e.g. name='Support'"
            )
        if not isinstance(instructions, str) and not callable(instructions):
            raise ConfigError(
                f"instructions of agent {name!r} must be text or a function ctx -> text, got "
                f"{instructions!r}; e.g. instructions=lambda ctx: f'Help {{ctx.deps.name}}.'"
            )
        self.name = name
        self.instructions = instructions
        self.model = resolve_model(model)
        if isinstance(handoffs, (str, Agent)):
            raise ConfigError(f"handoffs of agent {name!r} must be a list, e.g. handoffs=[sales]")
        if callable(tools) or isinstance(tools, (str, Tool)):
            raise ConfigError(f"tools of agent {name!r} must be a list, e.g. tools=[lookup_order]")
        self.tools: tuple[Tool, ...] = tuple(function_tool(t) for t in tools)
        self.handoffs: tuple[Agent | str, ...] = Handoffs(handoffs, name)
        self.settings: dict[str, Any] = dict(settings or {})
        self.limits = as_limits(limits, f"Agent {name!r}")
        fixed = instructions if isinstance(instructions, str) else ""
        self.description = description or (fixed.strip().splitlines() or [name])[0]
        self.output_type = output_type
        self._output = OutputSpec.of(output_type, name)
        self.output_schema = self._output.schema
        self._check_tool_names()
        if handoff_filter is not None and not callable(handoff_filter):
            raise ConfigError(f"handoff_filter must be a function messages -> messages, got "
                              f"{handoff_filter!r}")  # fmt: skip
        self.handoff_filter = handoff_filter
        if not isinstance(reset_tool_choice, bool):
            raise ConfigError(f"reset_tool_choice must be True or False, got {reset_tool_choice!r}")
        self.reset_tool_choice = reset_tool_choice
        self.input_guards = check_guards(input_guards, "input_guards", name)
        self.output_guards = check_guards(output_guards, "output_guards", name)
        if tool_use not in TOOL_USE:
            raise ConfigError(
                f"tool_use of agent {name!r} must be one of {', '.join(map(repr, TOOL_USE))}, "
                f"got {tool_use!r}"
            )
        self.tool_use = tool_use
        self._team: Runnable | None = None  # the implicit Team of an agent with handoffs
        if self.handoffs:
            self._check_handoffs()

    def _check_tool_names(self) -> None:
        seen: set[str] = set()
        for tool in self.tools:
            if tool.name in seen:
                raise ConfigError(
                    f"agent {self.name!r} has two tools named {tool.name!r}; give one another "
                    f"name, e.g. al.tool(fn, name='{tool.name}_2')"
                )
            seen.add(tool.name)
        self.tool_specs: tuple[ToolSpec, ...] = tuple(t.spec for t in self.tools)
        self.tools_by_name: dict[str, Tool] = {t.name: t for t in self.tools}

    def _check_handoffs(self) -> None:
        """Construction checks for ``handoffs=[...]``; warns past 3 targets."""
        names: dict[str, str] = {}
        for target in self.handoffs:
            target_name = target if isinstance(target, str) else getattr(target, "name", None)
            if not isinstance(target, (Agent, str)) or not target_name:
                raise ConfigError(
                    f"handoffs of agent {self.name!r} must be agents or agent names, got "
                    f"{target!r}; e.g. handoffs=[sales, 'Support']"
                )
            if target_name == self.name:
                raise ConfigError(
                    f"agent {self.name!r} lists itself as a handoff target; it keeps the "
                    "conversation by answering, so remove it from handoffs=[...]"
                )
            tool_name = transfer_tool_name(target_name)
            if tool_name in names:
                raise ConfigError(
                    f"agent {self.name!r} lists a handoff to {target_name!r} twice (both "
                    f"become tool {tool_name!r}); list each target once"
                )
            if tool_name in self.tools_by_name:
                raise ConfigError(
                    f"agent {self.name!r} has a tool named {tool_name!r}, which is also the "
                    "name of its transfer tool; rename the tool"
                )
            names[tool_name] = target_name
        if len(names) > MAX_HANDOFF_TARGETS:
            warnings.warn(
                f"agent {self.name!r} has {len(names)} handoff targets "
                f"({', '.join(names.values())}); the article's rule is at most 2-3 "
                "specialists per agent: more targets make the choice unreliable. Group them "
                "behind a triage agent or a Router",
                DesignWarning,
                stacklevel=3,  # _check_handoffs <- __init__ <- the user's code
            )

    def clone(self, **changes: Any) -> Agent:
        """A copy with some constructor arguments changed; the original is untouched.

        >>> strict = agent.clone(name="Strict", settings={"temperature": 0})  # doctest: +SKIP
        """
        args: dict[str, Any] = {
            "name": self.name,
            "instructions": self.instructions,
            "model": self.model,
            "tools": self.tools,
            "handoffs": self.handoffs,
            "output_type": self.output_type,
            "settings": self.settings,
            "limits": self.limits,
            "description": self.description,
            "handoff_filter": self.handoff_filter,
            "reset_tool_choice": self.reset_tool_choice,
            "input_guards": self.input_guards,
            "output_guards": self.output_guards,
            "tool_use": self.tool_use,
        }
        unknown = set(changes) - set(args)
        if unknown:
            raise ConfigError(f"Agent.clone() got unknown arguments {sorted(unknown)}")
        args.update(changes)
        return Agent(**args)

    def parse_output(self, text: str) -> tuple[Any, str | None]:
        """(value, None) when ``text`` is valid for ``output_type``, else (None, error)."""
        return self._output.parse(text)

    def as_tool(
        self,
        name: str | None = None,
        description: str | None = None,
        input_filter: Callable[[str], Any] | None = None,
        parameters: type[Any] | None = None,
    ) -> Tool:
        """This agent as a tool for a manager agent (manager-style handoff).

        The tool takes one text argument ``input`` (``input_filter(text)`` may rewrite
        it), or, with ``parameters`` (a pydantic model), that model's fields: the
        sub-agent then gets the validated object's JSON as its input. Its name defaults
        to the agent's name in snake_case. The sub-agent's run
        nests under the manager's tool span and draws on the same budget; if it stops
        or fails, the manager gets an error tool result and goes on.

        >>> manager = al.Agent(name="Manager", tools=[researcher.as_tool()])  # doctest: +SKIP
        """
        return agent_tool(
            self, name=name, description=description, input_filter=input_filter,
            parameters=parameters,
        )  # fmt: skip

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        if self.handoffs:  # run on its own: a Team with this agent as entry
            return await self._implicit_team()._execute(input, ctx, parent_id)
        return await run_agent(self, input, ctx, parent_id)

    def conversation(self) -> Conversation:
        """A multi-turn conversation with this agent: ``await conv.send(text)``; each
        send sees the earlier turns (an agent with handoffs talks as its team).

        >>> conv = agent.conversation()              # doctest: +SKIP
        >>> run = conv.send_sync("Where is order 42?")  # doctest: +SKIP
        """
        return Conversation(self._implicit_team() if self.handoffs else self)

    def _new_conversation(self) -> ConversationState:
        return ConversationState(self.name)

    async def _converse(
        self, state: ConversationState, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        """One user turn: the history replayed (stored in the trace, not re-announced),
        then this message; the turn joins the history, less what a guard rejected (the
        answer, or for an input guard the whole turn)."""
        new = as_messages(input)
        state.turns += 1
        indices = [ctx.trace.add_message(m, replayed=True) for m in state.history]
        indices += [ctx.trace.add_message(m) for m in new]
        outcome = await run_agent(self, [*state.history, *new], ctx, parent_id, indices=indices)
        skip = len(state.history) + (1 if self.instructions else 0)
        rejected = len(outcome.messages) < skip + len(new)  # an input guard tripped
        added = [] if rejected else [*new, *outcome.messages[skip + len(new) :]]
        state.history.extend(added)
        state.transcript.extend(added)
        outcome.messages = [m for m in outcome.messages if m.role != "system"]
        return outcome

    def _implicit_team(self) -> Runnable:
        """The Team this agent forms when run on its own: itself as entry, plus every
        agent reachable through handoffs given as Agent objects."""
        team = self._team
        if team is None:
            # bridge: an agent with handoffs, run on its own, runs as a Team (handoffs/)
            from agentlab.handoffs.team import implicit_team

            team = self._team = implicit_team(self)
        return team

    def _preflight(self) -> None:
        self._check_model()
        if self.handoffs:  # names must resolve among the agents its handoffs reach
            self._implicit_team()

    def _check_model(self) -> None:
        """The model's own configuration (keys, ...), and its price looked up now."""
        check = getattr(self.model, "check_config", None)
        if callable(check):
            check()
        # look the price up now (cached): the first lookup loads the price table, about
        # 0.1-0.2 s, which must not show up as model latency inside the first model span
        price_for(getattr(self.model, "price_key", None))

    def _children(self) -> list[Runnable]:
        nested: list[Runnable] = [t.runnable for t in self.tools if t.runnable is not None]
        if self.handoffs:  # run on its own, it runs as the Team its handoffs form
            nested.append(self._implicit_team())
        return nested

    def _model_settings(self) -> dict[str, dict[str, Any]]:
        return {self.name: {"model": self.model.name, "settings": public_settings(self.settings)}}

    def _agent_name(self) -> str | None:
        return self.name

    def _models(self) -> list[Any]:
        return [self.model]

    def __repr__(self) -> str:
        tools = ", ".join(t.name for t in self.tools)
        return f"Agent(name={self.name!r}, model={self.model.name!r}, tools=[{tools}])"


class Handoffs(tuple):  # type: ignore[type-arg]
    """An agent's handoff targets: a tuple, fixed at construction (the transfer tools
    and the checks are built from it), with an error saying how to get other targets."""

    agent: str

    def __new__(cls, targets: Iterable[Any] = (), agent: str = "") -> Handoffs:
        made = super().__new__(cls, targets)
        made.agent = agent
        return made

    def __getattr__(self, name: str) -> Any:
        if name in ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"):
            agent = self.__dict__.get("agent", "")
            raise AttributeError(
                f"handoffs of agent {agent!r} are fixed at construction (its transfer tools "
                f"are built from them), so handoffs.{name}() is not possible; build a new "
                "agent with the targets you want, e.g. "
                "agent = agent.clone(handoffs=[*agent.handoffs, other])"
            )
        raise AttributeError(name)
