"""Datasets for ``Experiment``: a list of dicts (or texts), a pandas DataFrame, or a JSONL path.

Every example becomes a dict with an ``"input"`` (what the design runs on); the rest
of its fields go to ``check`` untouched. A bad example fails here, before any model
is called, with the row number and what to write instead.

>>> load_dataset([{"input": "2+2", "expected": "4"}, "1+1"])
[{'input': '2+2', 'expected': '4'}, {'input': '1+1'}]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from agentlab.errors import ConfigError


def load_dataset(dataset: Any) -> list[dict[str, Any]]:
    """Examples from a list of dicts (or texts), a pandas DataFrame, or a JSONL path."""
    if isinstance(dataset, (str, Path)):
        items: list[Any] = _read_jsonl(Path(dataset))
    elif hasattr(dataset, "to_dict") and hasattr(dataset, "columns"):
        items = dataset.to_dict("records")
    elif isinstance(dataset, Iterable) and not isinstance(dataset, Mapping):
        items = list(dataset)
    else:
        raise ConfigError(
            "dataset must be a list of dicts with an 'input', a pandas DataFrame, or a "
            f"JSONL path, got {type(dataset).__name__}"
        )
    examples = []
    for number, item in enumerate(items):
        if isinstance(item, str):
            item = {"input": item}
        if not isinstance(item, Mapping) or "input" not in item:
            raise ConfigError(
                f"example {number} has no 'input': {item!r}; write each example as a dict "
                "like {'input': 'Where is order 42?', 'expected': '...'}"
            )
        examples.append(dict(item))
    if not examples:
        raise ConfigError("the dataset is empty; give at least one {'input': ...} example")
    return examples


def _read_jsonl(path: Path) -> list[Any]:
    if not path.exists():
        raise ConfigError(f"dataset file {str(path)!r} does not exist")
    items = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{number}: not valid JSON ({exc})") from None
    return items
