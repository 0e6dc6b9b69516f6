"""What an agent's ``output_type`` means for the provider and for the user.

- ``None`` or ``str``: plain text, no schema.
- An object type (a pydantic model, a dataclass, a TypedDict, a dict): its JSON schema
  is sent as is and the answer is validated into it.
- Any other type (``int``, ``list[str]``, ``Literal[...]``, an Enum, ``Model | None``):
  wrapped as ``{"value": ...}`` in an object schema for the provider (providers want an
  object at the top) and unwrapped for the user, so ``run.output`` is the plain value.

>>> spec = OutputSpec.of(list[str], "Tags")
>>> spec.schema["properties"]["value"]["type"], spec.parse('{"value": ["a", "b"]}')
('array', (['a', 'b'], None))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agentlab.errors import ConfigError

__all__ = ["OutputSpec", "is_object_schema"]

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
WRAP_KEY = "value"


def is_object_schema(schema: dict[str, Any]) -> bool:
    """True when a JSON schema describes an object at the top (directly or by ``$ref``)."""
    if schema.get("type") == "object":
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {})
        return isinstance(target, dict) and target.get("type") == "object"
    return False


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """An output type's adapter, the schema sent to the provider, and whether the value
    travels wrapped in ``{"value": ...}``."""

    adapter: Any
    schema: dict[str, Any] | None
    wrapped: bool = False

    @classmethod
    def of(cls, output_type: Any, agent: str) -> OutputSpec:
        if output_type is None or output_type is str:
            return cls(None, None)
        from pydantic import PydanticSchemaGenerationError, TypeAdapter

        try:
            adapter = TypeAdapter(output_type)
            schema = adapter.json_schema()
        except (PydanticSchemaGenerationError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"output_type={output_type!r} of agent {agent!r} has no JSON schema; use a "
                "pydantic model, a dataclass, str, or a type such as int, list[str], "
                "Literal['yes', 'no'] or an Enum"
            ) from exc
        if is_object_schema(schema):
            return cls(adapter, schema)
        defs = schema.pop("$defs", None)
        wrapper: dict[str, Any] = {
            "type": "object",
            "properties": {WRAP_KEY: schema},
            "required": [WRAP_KEY],
            "additionalProperties": False,
        }
        if defs:
            wrapper["$defs"] = defs
        return cls(adapter, wrapper, wrapped=True)

    def parse(self, text: str) -> tuple[Any, str | None]:
        """(value, None) when ``text`` is valid, else (None, the validation error)."""
        if self.adapter is None:
            return text, None
        import json

        from pydantic import ValidationError

        match = _FENCE.match(text)
        body = match.group(1) if match else text
        try:
            if not self.wrapped:
                return self.adapter.validate_json(body), None
            try:
                data = json.loads(body)
            except ValueError:
                data = body  # a bare answer such as ``positive``: try it as the value
            if isinstance(data, dict) and WRAP_KEY in data:
                data = data[WRAP_KEY]
            return self.adapter.validate_python(data), None
        except ValidationError as exc:
            return None, str(exc)
