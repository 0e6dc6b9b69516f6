"""Helpers the five patterns share: plain functions as steps, label normalising, checks.

A plain Python function used where a runnable goes (a chain step, a parallel branch,
a router's classifier) is wrapped in a ``FunctionStep``. It writes one ``tool`` span
named after the function (attrs: ``function``; output: what it returned), so the
trace shows every step, but it is not a model tool call: it does not count against
``Limits(max_tool_calls=...)``. Sync functions run on a worker thread (like sync
tools, ``agentlab._workers``), so sync branches of a ``Parallel`` overlap; async
functions are awaited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agentlab._json import as_text
from agentlab.core.context import RunContext
from agentlab.core.ctx import call_with_value
from agentlab.core.outcome import Outcome
from agentlab.core.runnable import Runnable, check_runnable
from agentlab.errors import ConfigError
from agentlab.messages import Message

_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: Any) -> str:
    """Case, punctuation and whitespace folded away: ``" Billing. "`` -> ``"billing"``.

    >>> normalize("  Technical-Support!\\n")
    'technical support'
    """
    return _NON_WORD.sub(" ", as_text(text).casefold()).strip()


def function_name(fn: Callable[..., Any], default: str) -> str:
    name = getattr(fn, "__name__", "") or ""
    return default if not name or name == "<lambda>" else name


class FunctionStep(Runnable):
    """A plain function (sync or async) of one argument, as a runnable step.

    It gets the previous output as it is (text from agents, an object from agents with
    an ``output_type``, the run's input for a first step) and its return value is the
    step's output. A parameter annotated ``al.Ctx`` gets the run's context too
    (``ctx.outputs``: the earlier steps' values of the enclosing chain, in order).
    """

    def __init__(self, fn: Callable[..., Any], description: str | None = None) -> None:
        self.fn = fn
        self.name = function_name(fn, "function")
        self.description = description or _first_line(fn) or self.name
        self.limits = None

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        with ctx.span("tool", self.name, parent_id) as span:
            span.attributes = {"function": getattr(self.fn, "__qualname__", self.name)}
            value = await call_with_value(ctx, span.id, self.fn, input)
            span.output = value
        return Outcome(value)

    def __repr__(self) -> str:
        return f"FunctionStep({self.name})"


def _first_line(fn: Callable[..., Any]) -> str:
    doc = (getattr(fn, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc and not isinstance(fn, type) else ""


def as_step(value: Any, what: str) -> Runnable:
    """A runnable as it is, a plain function wrapped in ``FunctionStep``, else ConfigError."""
    if isinstance(value, Runnable):
        return value
    if callable(value) and not isinstance(value, type):
        return FunctionStep(value)
    got = (
        f"the class {value.__name__} (pass an instance, or a function such as "
        f"lambda text: {value.__name__}(text))"
        if isinstance(value, type)
        else f"{type(value).__name__}: {value!r}"
    )
    raise ConfigError(
        f"{what} must be an al.Agent, another runnable (Chain, Router, Parallel, ...) or a "
        f"plain function of one argument, got {got}"
    )


def as_handler(value: Any, what: str) -> Runnable:
    """A runnable, else ConfigError; a plain function gets the fix (a one-step Chain)."""
    if callable(value) and not isinstance(value, (Runnable, type)):
        fn = function_name(value, "fn")
        raise ConfigError(
            f"{what} must be an al.Agent or another runnable (Chain, Router, Parallel, ...), "
            f"got the plain function {fn}; wrap it as a one-step chain: al.Chain([{fn}])"
        )
    return check_runnable(value, what)


def step_input(step: Runnable, value: Any) -> Any:
    """What ``step`` gets from the previous output: functions get it as it is,
    runnables get text or messages (objects become JSON text)."""
    if isinstance(step, FunctionStep) or isinstance(value, (str, Message)):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(m, Message) for m in value):
        return value
    return as_text(value)


def input_text(value: Any) -> str:
    """A run input as text for a prompt the pattern composes (messages: their contents)."""
    if isinstance(value, Message):
        return value.content
    if isinstance(value, (list, tuple)) and value and all(isinstance(m, Message) for m in value):
        return "\n\n".join(m.content for m in value if m.role != "system" and m.content)
    return as_text(value)


def schema_fields(agent: Any) -> dict[str, Any]:
    """The top-level properties of an agent's output schema ({} when none or not an object)."""
    schema = getattr(agent, "output_schema", None) or {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {})
    spec = getattr(agent, "_output", None)
    if spec is not None and spec.wrapped:
        return {}  # a non-object type (int, list[str], ...): no fields of its own
    props = schema.get("properties", {})
    return props if isinstance(props, dict) else {}


def _types(prop: Any) -> set[str]:
    if not isinstance(prop, dict):
        return set()
    found = {prop["type"]} if isinstance(prop.get("type"), str) else set()
    for option in prop.get("anyOf", []):
        found |= _types(option)
    return found


def numeric_field(agent: Any, name: str, *, integer: bool = False) -> bool:
    """True when the agent's output type has a field ``name`` that is a number
    (``integer=True``: a whole number), not null."""
    kinds = _types(schema_fields(agent).get(name))
    wanted = {"integer"} if integer else {"integer", "number"}
    return bool(kinds) and kinds <= wanted


def field_of(value: Any, name: str) -> Any:
    """``value.name``, or ``value[name]`` for a dict (a TypedDict output)."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def has_task_list(agent: Any) -> bool:
    """True when the agent's output type has ``tasks``: a list of items with ``worker``
    and ``task`` (what an orchestrator's planner must answer)."""
    tasks = schema_fields(agent).get("tasks")
    if not isinstance(tasks, dict) or tasks.get("type") != "array":
        return False
    item = tasks.get("items", {})
    ref = item.get("$ref") if isinstance(item, dict) else None
    if isinstance(ref, str):
        item = (agent.output_schema.get("$defs") or {}).get(ref.rsplit("/", 1)[-1], {})
    props = item.get("properties", {}) if isinstance(item, dict) else {}
    return "worker" in props and "task" in props
