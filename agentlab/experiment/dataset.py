"""What ``Experiment`` is given, checked before any model is called: its dataset, its
designs and its numbers, each bad one a ``ConfigError`` saying what to write instead.

A dataset is a list of dicts (or texts), a pandas DataFrame, or a JSONL path. Every
example becomes a dict with an ``"input"`` (what the design runs on); the rest of its
fields go to ``check`` untouched. A bad example fails with its row number.

>>> load_dataset([{"input": "2+2", "expected": "4"}, "1+1"])
[{'input': '2+2', 'expected': '4'}, {'input': '1+1'}]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from agentlab._jsonl import JsonlError, read_jsonl
from agentlab.core.runnable import Runnable, check_runnable
from agentlab.errors import ConfigError
from agentlab.messages import as_messages


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
            f"JSONL path, got {type(dataset).__name__}; e.g. [{{'input': 'Where is order "
            "42?', 'expected': 'shipped'}] (one example is a list of one)"
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
        try:
            as_messages(item["input"])
        except ConfigError as exc:
            raise ConfigError(
                f"example {number}: its 'input' is {type(item['input']).__name__} "
                f"{item['input']!r:.60}: {exc}; turn it into text first (e.g. str(...) or "
                "json.dumps(...)), and keep other fields beside 'input' for the check"
            ) from None
        examples.append(dict(item))
    if not examples:
        raise ConfigError("the dataset is empty; give at least one {'input': ...} example")
    return examples


def _read_jsonl(path: Path) -> list[Any]:
    if not path.exists():
        raise ConfigError(f"dataset file {str(path)!r} does not exist")
    try:
        return [row for _, row in read_jsonl(path, "dataset (one JSON object per line)")]
    except JsonlError as exc:
        raise ConfigError(str(exc)) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_threshold(value: Any) -> None:
    if not _is_number(value) or math.isnan(value):
        raise ConfigError(
            f"pass_threshold={value!r} must be a number: a float check passes when its "
            "score is >= it; e.g. pass_threshold=0.8"
        )


def check_whole(name: str, value: Any, example: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{name}={value!r} must be a whole number >= 1, e.g. {name}={example}")


def check_budget(max_cost_usd: Any) -> None:
    if max_cost_usd is not None and (
        not _is_number(max_cost_usd) or not 0 < max_cost_usd < math.inf
    ):
        raise ConfigError(
            f"max_cost_usd={max_cost_usd!r} must be a positive number of USD, or None for "
            "no experiment budget; e.g. max_cost_usd=2.00"
        )


def as_designs(designs: Any) -> dict[str, Runnable]:
    """Designs by name from one runnable, a dict name -> runnable, or a list of them."""
    if isinstance(designs, Runnable):
        return {designs.name or "design": designs}
    if isinstance(designs, Mapping):
        out = {str(name): check_runnable(d, f"design {name!r}") for name, d in designs.items()}
    elif isinstance(designs, Iterable) and not isinstance(designs, (str, bytes)):
        out = {}
        for d in designs:
            d = check_runnable(d, "each design")
            if d.name in out:
                raise ConfigError(
                    f"two designs are named {d.name!r}; pass a dict to name them, e.g. "
                    "{'a': design_a, 'b': design_b}"
                )
            out[d.name] = d
    else:
        raise ConfigError(
            "designs must be a runnable, a dict name -> runnable, or a list of runnables, "
            f"got {type(designs).__name__}; e.g. {{'single': agent, 'chain': chain}}"
        )
    if not out:
        raise ConfigError("Experiment needs at least one design, e.g. {'single': agent}")
    return out
