"""Guards on by default: ``Limits`` (what a user sets) and ``Budget`` (what a run spends).

Budgets are shared by the whole run tree: a nested run draws on what its parent has
left, and exhausting a shared budget stops the whole tree. ``max_turns`` is the
exception: it counts model calls per agent invocation.

>>> from agentlab import Limits
>>> Limits(max_turns=5, max_cost_usd=0.10).to_dict()["max_depth"]
8
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agentlab.errors import BudgetExceeded, ConfigError, LimitExceeded, MaxTokens, MaxToolCalls
from agentlab.usage import Usage


@dataclass(frozen=True, slots=True)
class Limits:
    """Budgets for one run tree. ``None`` switches a budget off.

    - ``max_turns``: model calls per agent invocation (default 10).
    - ``max_tool_calls``: tool calls in the whole tree.
    - ``max_tokens``: input + output tokens in the whole tree.
    - ``max_cost_usd``: money in the whole tree (default $1.00); not enforceable for
      models without a known price, which the trace then says.
    - ``timeout_s``: wall-clock seconds for the whole run.
    - ``max_depth``: agent invocations nested in one another (an agent calling an agent
      as a tool, a run started inside a tool), default 8: a manager recursion (A calls B,
      B calls A) stops there instead of running away. Reaching it stops the whole tree.
    """

    max_turns: int | None = 10
    max_tool_calls: int | None = None
    max_tokens: int | None = None
    max_cost_usd: float | None = 1.00
    timeout_s: float | None = None
    max_depth: int | None = 8

    def __post_init__(self) -> None:
        for name in ("max_turns", "max_tool_calls", "max_tokens", "max_depth"):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 1):  # True is no limit
                raise ConfigError(
                    f"Limits({name}={value!r}) must be a whole number >= 1, or None to "
                    f"switch it off; e.g. Limits({name}=10)"
                )
        for name in ("max_cost_usd", "timeout_s"):
            value = getattr(self, name)
            if value is not None and (
                type(value) not in (int, float) or not math.isfinite(value) or value <= 0
            ):
                raise ConfigError(
                    f"Limits({name}={value!r}) must be a positive number (not NaN or "
                    f"infinite), or None to switch it off; e.g. Limits({name}=1.0)"
                )

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "max_turns": self.max_turns,
            "max_tool_calls": self.max_tool_calls,
            "max_tokens": self.max_tokens,
            "max_cost_usd": self.max_cost_usd,
            "timeout_s": self.timeout_s,
            "max_depth": self.max_depth,
        }


def as_limits(value: Any, what: str) -> Limits | None:
    """The one check for every ``limits=`` the kit takes: an ``al.Limits`` or None;
    anything else (a dict included) is a ``ConfigError`` showing what to write.

    >>> as_limits({"max_turns": 3}, "run()")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    agentlab.errors.ConfigError: run(): ... got a dict; write limits=al.Limits(max_turns=3) ...
    """
    if value is None or isinstance(value, Limits):
        return value
    example = "e.g. limits=al.Limits(max_turns=5, max_cost_usd=0.10)"
    if isinstance(value, Mapping):
        fields = {f.name for f in dataclasses.fields(Limits)}
        args = ", ".join(f"{k}={v!r}" for k, v in value.items() if k in fields)
        unknown = [str(k) for k in value if k not in fields]
        extra = f"; Limits has no {', '.join(unknown)}" if unknown else ""
        raise ConfigError(
            f"{what}: limits must be al.Limits(...), got a dict; write "
            f"limits=al.Limits({args}) ({example}){extra}"
        )
    raise ConfigError(f"{what}: limits must be al.Limits(...), got {value!r}; {example}")


class Budget:
    """What a run tree has spent against its ``Limits``; a child draws on its parent.

    ``charge`` raises a ``LimitExceeded`` subclass whose ``scope`` is the budget that
    overflowed, so a nested run with its own, stricter limits stops only itself.
    """

    __slots__ = (
        "cost_usd", "largest_output", "limits", "parent", "reserved", "tokens", "tool_calls",
        "unpriced",
    )  # fmt: skip

    def __init__(self, limits: Limits, parent: Budget | None = None) -> None:
        self.limits = limits
        self.parent = parent
        self.tokens = 0
        self.tool_calls = 0
        self.cost_usd = 0.0
        self.reserved = 0.0  # USD set aside for model calls under way (core/money.py)
        self.largest_output = 0  # output tokens of the longest answer so far
        self.unpriced: set[str] = set()

    def levels(self) -> Iterator[Budget]:
        """This budget and every parent, innermost first."""
        budget: Budget | None = self
        while budget is not None:
            yield budget
            budget = budget.parent

    def root(self) -> Budget:
        """The outermost budget: a stop scoped to it ends the whole run tree."""
        budget = self
        while budget.parent is not None:
            budget = budget.parent
        return budget

    def max_depth(self) -> int | None:
        """The tightest ``max_depth`` of this budget and every parent (None: no bound)."""
        caps = [b.limits.max_depth for b in self.levels() if b.limits.max_depth is not None]
        return min(caps) if caps else None

    def check(self) -> None:
        """Raise if a budget is already used up (called before each model call)."""
        self._raise_if_over(used_up=True)

    def charge(self, usage: Usage, cost: float | None, model: str) -> None:
        """Add one model call's usage and cost at every level; raise if that crosses a
        limit (every level is charged first, so a parent never misses a child's call)."""
        tokens = usage.input_tokens + usage.output_tokens
        for budget in self.levels():
            budget.tokens += tokens
            budget.largest_output = max(budget.largest_output, usage.output_tokens)
            if cost is None:
                budget.unpriced.add(model)
            else:
                budget.cost_usd += cost
        self._raise_if_over(used_up=False)

    def tool_calls_left(self) -> int | None:
        """Tool calls every level still allows (None: no limit)."""
        left = [
            b.limits.max_tool_calls - b.tool_calls
            for b in self.levels()
            if b.limits.max_tool_calls is not None
        ]
        return max(0, min(left)) if left else None

    def count_tool_call(self) -> None:
        """Count one tool call at every level; raise when it is one past ``max_tool_calls``."""
        for budget in self.levels():
            budget.tool_calls += 1
        over = None
        for budget in self.levels():
            cap = budget.limits.max_tool_calls
            if cap is not None and budget.tool_calls > cap:
                over = MaxToolCalls(
                    f"max_tool_calls={cap} reached: the run asked for tool call "
                    f"{budget.tool_calls}; raise Limits(max_tool_calls=...) if that is expected",
                    scope=budget,
                    value=cap,
                    reached=budget.tool_calls,
                )
        if over is not None:
            raise over

    def _raise_if_over(self, *, used_up: bool) -> None:
        """Raise for the outermost level over a limit (it stops the most of the tree);
        ``used_up``: at the limit counts (before a call), else only past it (after)."""
        over = None
        for budget in self.levels():
            cost_cap, token_cap = budget.limits.max_cost_usd, budget.limits.max_tokens
            if cost_cap is not None and _past(budget.cost_usd, cost_cap, used_up):
                over = budget._over_cost()
            elif token_cap is not None and _past(budget.tokens, token_cap, used_up):
                over = budget._over_tokens()
        if over is not None:
            raise over

    def _over_cost(self) -> LimitExceeded:
        return BudgetExceeded(
            f"max_cost_usd=${self.limits.max_cost_usd:.4f} reached: the run has spent "
            f"${self.cost_usd:.4f}; raise Limits(max_cost_usd=...) or use a cheaper model",
            scope=self,
            value=self.limits.max_cost_usd,
            reached=round(self.cost_usd, 6),
        )

    def _over_tokens(self) -> LimitExceeded:
        return MaxTokens(
            f"max_tokens={self.limits.max_tokens} reached: the run has used {self.tokens} "
            "tokens; raise Limits(max_tokens=...) or shorten the prompts",
            scope=self,
            value=self.limits.max_tokens,
            reached=self.tokens,
        )

    def cost_note(self) -> str | None:
        """Why the money budget could not be enforced, or None when it could."""
        if self.limits.max_cost_usd is None or not self.unpriced:
            return None
        names = ", ".join(sorted(self.unpriced))
        return (
            f"not enforceable: no known price for {names}; give the model "
            "priced_as='provider:model' to price it"
        )


def _past(spent: float, cap: float, used_up: bool) -> bool:
    return spent >= cap if used_up else spent > cap
