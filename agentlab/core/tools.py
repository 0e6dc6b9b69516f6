"""Tools: plain Python functions (sync or async) offered to a model.

The JSON schema comes from the type hints and the docstring via pydantic, never by
hand. Arguments are validated before the call; a failing tool, bad arguments, an
unknown tool name or malformed JSON become an error result the model sees
(``"Error: <Type>: <message>"``), and the run goes on. A parameter annotated
``al.Ctx`` is left out of the schema and receives the run's context (``core/ctx.py``);
one merely named ``context`` without that annotation is an ordinary argument. Sync
tools run on a worker thread (``agentlab._workers``), so several calls in one turn overlap.

>>> def lookup_order(order_id: str) -> str:
...     '''Look an order up by id.
...
...     Args:
...         order_id: The order's number, e.g. "42".
...     '''
...     return f"order {order_id}: shipped"
>>> tool = function_tool(lookup_order)
>>> tool.spec.parameters["properties"]["order_id"]["description"]
'The order\\'s number, e.g. "42".'
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentlab._format import safe_str
from agentlab._json import jsonable
from agentlab._redact import redact
from agentlab._workers import call_user
from agentlab.core.ctx import ctx_param, make_ctx
from agentlab.core.names import check_tool_name
from agentlab.errors import ConfigError
from agentlab.models.base import ToolSpec

if TYPE_CHECKING:
    from agentlab.core.context import RunContext


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a tool implementation gets besides its arguments: the run and its span."""

    run: RunContext
    span_id: int | str
    agent: str
    call_id: str


ToolInvoke = Callable[[dict[str, Any], ToolContext], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Tool:
    """A tool: what the model is told (``spec``) and how to run it (``invoke``)."""

    spec: ToolSpec
    invoke: ToolInvoke
    runnable: Any = None  # the agent behind an agent-as-tool, for checks and traces

    @property
    def name(self) -> str:
        return self.spec.name


_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?):\s*$")
_ARG_LINE = re.compile(r"^\s*\*{0,2}(\w+)(?:\s*\([^)]*\))?\s*:\s*(.*)$")
_SPHINX = re.compile(r"^\s*:param\s+(?:\w+\s+)?(\w+)\s*:\s*(.*)$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(description, {param: description}) from a Google- or Sphinx-style docstring."""
    lines = inspect.cleandoc(doc or "").splitlines()
    summary: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    for line in lines:
        header = _SECTION.match(line)
        sphinx = _SPHINX.match(line)
        if header:
            section, current = header.group(1), None
        elif sphinx:
            current = sphinx.group(1)
            params[current] = sphinx.group(2).strip()
        elif section in ("Args", "Arguments", "Parameters") and _ARG_LINE.match(line):
            match = _ARG_LINE.match(line)
            assert match is not None
            current = match.group(1)
            params[current] = match.group(2).strip()
        elif current is not None and line.strip() and line.startswith((" ", "\t")):
            params[current] = f"{params[current]} {line.strip()}".strip()
        elif section is None and not line.lstrip().startswith(":"):
            summary.append(line)
    return "\n".join(summary).strip(), params


def _validator(fn: Callable[..., Any], tool_name: str) -> tuple[Any, dict[str, Any]]:
    """A pydantic model of ``fn``'s parameters, and its JSON schema."""
    from pydantic import create_model

    try:
        hints = _type_hints(fn)
    except NameError as exc:
        raise ConfigError(f"tool {tool_name!r}: cannot resolve a type hint ({exc})") from exc
    _, param_docs = parse_docstring(fn.__doc__)
    fields: dict[str, Any] = {}
    hidden = ctx_param(fn)  # the al.Ctx parameter: filled in by the run, never by the model
    for param in inspect.signature(fn).parameters.values():
        if param.name == hidden:
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ConfigError(
                f"tool {tool_name!r} takes *{param.name}; tools need named parameters "
                f"with types, e.g. def {tool_name}(query: str) -> str"
            )
        if param.name not in hints:
            raise ConfigError(
                f"parameter {param.name!r} of tool {tool_name!r} has no type annotation; "
                f"annotate it so the model gets a schema, e.g. def {tool_name}("
                f"{param.name}: str) -> str"
            )
        default = ... if param.default is param.empty else param.default
        from pydantic import Field

        fields[param.name] = (
            hints[param.name],
            Field(default, description=param_docs.get(param.name)),
        )
    try:
        model = create_model(f"{tool_name}_arguments", **fields)
        schema = model.model_json_schema()
    except Exception as exc:
        raise ConfigError(_unsupported(tool_name, fields, exc)) from exc
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return model, schema


def _unsupported(tool_name: str, fields: dict[str, Any], exc: Exception) -> str:
    """Which parameter's type cannot become a JSON schema, and what to write instead."""
    from pydantic import TypeAdapter

    for name, (hint, _) in fields.items():
        try:
            TypeAdapter(hint).json_schema()
        except Exception:  # noqa: BLE001 - this one is the culprit
            return (
                f"parameter {name!r} of tool {tool_name!r} has type {hint!r}, which has no JSON "
                "schema a model could fill in; use str, int, float, bool, a list or dict of "
                "those, a Literal, an Enum, or a pydantic model"
            )
    return f"tool {tool_name!r}: its parameters have no JSON schema ({type(exc).__name__}: {exc})"


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    import typing

    return {k: v for k, v in typing.get_type_hints(fn).items() if k != "return"}


def function_tool(fn: Callable[..., Any] | Tool, *, name: str | None = None) -> Tool:
    """Wrap a plain function as a ``Tool`` (schema from type hints and docstring).

    Agents do this for the functions in ``tools=[...]``; call it (as ``al.tool``) to
    rename a tool: ``al.tool(search, name="web_search")``.
    """
    if isinstance(fn, Tool):  # al.tool(existing, name=...) renames a copy
        if name is None or name == fn.name:
            return fn
        check_tool_name(name)
        return dataclasses.replace(fn, spec=dataclasses.replace(fn.spec, name=name))
    if not callable(fn):
        raise ConfigError(f"tools must be functions or al.Tool objects, got {fn!r}")
    tool_name = check_tool_name(name or getattr(fn, "__name__", ""))
    description, _ = parse_docstring(fn.__doc__)
    validator, schema = _validator(fn, tool_name)
    hidden = ctx_param(fn)

    async def invoke(arguments: dict[str, Any], context: ToolContext) -> Any:
        values = validator.model_validate(arguments)
        kwargs = {field: getattr(values, field) for field in type(values).model_fields}
        if hidden is not None:
            kwargs[hidden] = make_ctx(context.run, context.agent)
        return await call_user(fn, **kwargs)

    return Tool(ToolSpec(tool_name, description or tool_name, schema), invoke)


def result_text(value: Any) -> str:
    """What the model sees of a tool's return value: text as is, anything else as JSON."""
    if isinstance(value, str):
        return value

    return json.dumps(jsonable(value), ensure_ascii=False)


def error_text(exc: BaseException) -> str:
    """The error result a model sees: ``"Error: <Type>: <message>"``."""
    return redact(f"Error: {type(exc).__name__}: {safe_str(exc)}")


tool = function_tool
