"""``Parallel.map``: one runnable over the pieces ``split(input)`` gives, one branch each.

Trace shape: the ``parallel`` span of ``Parallel``, one ``branch`` per piece (labelled
``<name> #1``, ``#2``, ...; attrs: ``index``, ``input``), then the merge if any.

>>> import agentlab as al
>>> shout = al.Parallel.map(str.upper, split=lambda text: text.split(","))
>>> shout.run_sync("a,b,c").output
['A', 'B', 'C']
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from agentlab.core.context import RunContext
from agentlab.core.ctx import call_with_value
from agentlab.core.outcome import Outcome
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError
from agentlab.patterns._steps import as_step, function_name, step_input
from agentlab.patterns.parallel import Parallel, _labels

__all__ = ["Mapped"]


class Mapped(Parallel):
    """A ``Parallel`` whose branches are one runnable, each on its own piece of the input."""

    def __init__(
        self,
        runnable: Runnable | Callable[[Any], Any],
        split: Callable[[Any], Any],
        merge: Runnable | Callable[[list[Any]], Any] | None = None,
        **options: Any,
    ) -> None:
        step = as_step(runnable, "the runnable of Parallel.map")
        if not callable(split) or isinstance(split, Runnable):
            raise ConfigError(
                f"Parallel.map needs split, a function input -> list of inputs, got {split!r}; "
                "e.g. al.Parallel.map(analyst, split=lambda text: text.split('\\n\\n'))"
            )
        options["name"] = options.get("name") or f"Map {step.name}"
        super().__init__([step], merge, **options)
        self.split = split
        self._inputs: list[Any] = []

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        pieces = await call_with_value(ctx, parent_id, self.split, input)
        if isinstance(pieces, (str, bytes, dict)) or not hasattr(pieces, "__iter__"):
            raise TypeError(
                f"split {function_name(self.split, 'function')!r} of {self.name!r} returned "
                f"{type(pieces).__name__}, not a list of inputs (one branch each)"
            )
        pieces = list(pieces)
        if not pieces:
            raise ValueError(
                f"split {function_name(self.split, 'function')!r} of {self.name!r} returned "
                "no inputs; Parallel.map needs at least one"
            )
        block = copy.copy(self)  # this run's branches; the block itself stays as built
        block.branches = (self.branches[0],) * len(pieces)
        block.labels = _labels(block.branches)
        block._inputs = pieces
        return await Parallel._execute(block, input, ctx, parent_id)

    async def _run_branch(
        self, index: int, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        piece = self._inputs[index]
        return await super()._run_branch(
            index, step_input(self.branches[index], piece), ctx, parent_id
        )

    def __repr__(self) -> str:
        split = function_name(self.split, "split")
        return f"Parallel.map({self.branches[0].name}, split={split})"
