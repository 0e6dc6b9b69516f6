"""One explicit JSON conversion for everything the kit writes or shows.

``jsonable`` turns values into JSON-ready data (pydantic models, dataclasses, Decimals,
dates, enums, numpy scalars and arrays); ``as_text`` is what one step hands the next
(text as is, data as JSON); ``dumps_line`` writes one JSONL line that never fails on a
Python string (a lone surrogate, e.g. from a file name read with ``surrogateescape``,
is written escaped and reads back the same).

>>> as_text({"b": 1}), as_text("plain")
('{"b": 1}', 'plain')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from enum import Enum
from typing import Any

__all__ = ["as_text", "dumps_line", "jsonable"]


def jsonable(value: Any) -> Any:
    """Turn a value into JSON-ready data: pydantic models, dataclasses, Decimals, dates."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return jsonable(value.model_dump(mode="json"))
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    decimal = sys.modules.get("decimal")  # no Decimal exists before decimal is imported
    if decimal is not None and isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    if _is_numpy(value):  # numpy scalars and arrays: their Python values, not their repr
        return jsonable(value.tolist())
    return repr(value)


def _is_numpy(value: Any) -> bool:
    return type(value).__module__ == "numpy" and callable(getattr(value, "tolist", None))


def as_text(value: Any) -> str:
    """A step's output as text for the next step: text as is, data as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(jsonable(value), ensure_ascii=False)


def dumps_line(data: Any) -> str:
    """``data`` as one compact JSON line (no newline) that UTF-8 can always encode."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: JSON escapes it, and reads it back
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text
