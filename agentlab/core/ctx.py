"""``al.Ctx``: the run's context, handed to user code that asks for it by annotation.

A tool, a function step, a ``Gate`` check or an instructions function gets the run's
context when one of its parameters is annotated ``al.Ctx`` (or ``al.Ctx[MyDeps]`` for
type checkers). Such a parameter is never shown to the model. A parameter merely
*named* ``context`` without the annotation stays a normal, model-visible argument.

>>> import agentlab as al
>>> def lookup_order(ctx: al.Ctx, order_id: str) -> str:
...     '''Look an order up by id.'''
...     return ctx.deps["orders"][order_id]
>>> model = al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "42"}), "shipped"])
>>> agent = al.Agent(name="Support", model=model, tools=[lookup_order])
>>> agent.run_sync("Where is 42?", deps={"orders": {"42": "shipped"}}).output
'shipped'
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from agentlab.usage import Usage

if TYPE_CHECKING:
    from agentlab.core.context import RunContext

__all__ = [
    "Ctx",
    "call_with_value",
    "chain_outputs",
    "ctx_param",
    "make_ctx",
    "value_args",
    "with_ctx",
]

DepsT = TypeVar("DepsT")


@dataclass(frozen=True, slots=True)
class Ctx(Generic[DepsT]):
    """The run's context: ``deps`` (what ``run(..., deps=...)`` got), ``agent`` (the
    calling agent's name, None outside an agent), ``usage`` (the run's usage so far),
    ``outputs`` (the values of the earlier steps of the enclosing chain, in order).

    >>> def greet(ctx: al.Ctx[dict], name: str) -> str:  # doctest: +SKIP
    ...     return f"{ctx.deps['greeting']}, {name}"
    """

    deps: DepsT
    agent: str | None = None
    usage: Usage = field(default_factory=Usage)
    outputs: tuple[Any, ...] = ()


_OUTPUTS: ContextVar[tuple[Any, ...]] = ContextVar("agentlab_chain_outputs", default=())


@contextmanager
def chain_outputs(values: list[Any]) -> Iterator[None]:
    """While the block runs, ``ctx.outputs`` reads ``values`` (a chain's earlier steps)."""
    token = _OUTPUTS.set(tuple(values))
    try:
        yield
    finally:
        _OUTPUTS.reset(token)


def _is_ctx(hint: Any) -> bool:
    return hint is Ctx or typing.get_origin(hint) is Ctx


def ctx_param(fn: Callable[..., Any]) -> str | None:
    """The name of ``fn``'s parameter annotated ``al.Ctx``, or None (cached per function:
    steps and checks ask on every call)."""
    try:
        return _cached_ctx_param(fn)
    except TypeError:  # an unhashable callable object
        return _find_ctx_param(fn)


@functools.lru_cache(maxsize=4096)
def _cached_ctx_param(fn: Callable[..., Any]) -> str | None:
    return _find_ctx_param(fn)


def _find_ctx_param(fn: Callable[..., Any]) -> str | None:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable hints: look at the raw annotations
        hints = getattr(fn, "__annotations__", {}) or {}
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins such as str.upper
        return None
    for name in params:
        hint = hints.get(name)
        if _is_ctx(hint) or (isinstance(hint, str) and hint.split("[")[0].endswith("Ctx")):
            return name
    return None


def make_ctx(run: RunContext, agent: str | None = None) -> Ctx[Any]:
    """The context user code sees now: deps, the agent, usage so far, chain outputs."""
    return Ctx(run.deps, agent, run.trace.usage, _OUTPUTS.get())


def with_ctx(
    fn: Callable[..., Any], run: RunContext, agent: str | None = None
) -> tuple[Callable[..., Any], dict[str, Any]]:
    """``fn`` and the keyword arguments giving it the context (none if it asks for none)."""
    name = ctx_param(fn)
    return fn, ({} if name is None else {name: make_ctx(run, agent)})


def value_args(fn: Callable[..., Any], value: Any, run: RunContext) -> dict[str, Any]:
    """Keyword arguments for a one-value function (a step, a check) that may also take
    an ``al.Ctx``: the value goes to its first other parameter, the context to its own."""
    name = ctx_param(fn)
    if name is None:
        raise LookupError("no Ctx parameter")
    kwargs: dict[str, Any] = {name: make_ctx(run)}
    for other, param in inspect.signature(fn).parameters.items():
        if other != name and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            kwargs[other] = value
            break
    return kwargs


async def call_with_value(run: RunContext, span_id: int | str, fn: Callable[..., Any],
                          value: Any) -> Any:  # fmt: skip
    """``fn(value)``, or with its ``al.Ctx`` parameter filled in when it has one."""
    if ctx_param(fn) is None:
        return await run.call_user(span_id, fn, value)
    return await run.call_user(span_id, fn, **value_args(fn, value, run))
