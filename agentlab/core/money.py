"""Money set aside before a model call, so calls running at once cannot together cross
``Limits(max_cost_usd=...)`` by more than about one call's worth.

Before a priced call starts, its cost is estimated and reserved at every budget level
that has a money limit: the input (the request's text at one token per 4 characters)
plus the output bound, which is the call's ``max_tokens`` setting when it has one, else
the longest answer seen so far in the run, else ``DEFAULT_OUTPUT_TOKENS``. A call may
start while what is spent plus what is reserved stays under the limit; otherwise it
waits for the calls under way to finish (they release their reservation and charge what
they really cost), and a call that finds the limit spent stops the run as before. Calls
one after another behave exactly as without reservations.

>>> DEFAULT_OUTPUT_TOKENS
1000
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from agentlab.models.base import ModelRequest, estimate_usage

if TYPE_CHECKING:
    from agentlab.core.limits import Budget
    from agentlab.usage import Price

__all__ = ["DEFAULT_OUTPUT_TOKENS", "estimate_cost", "release", "reserve"]

DEFAULT_OUTPUT_TOKENS = 1000
"""Output tokens reserved for a call with no max_tokens setting before any answer."""
_OUTPUT_SETTINGS = ("max_tokens", "max_completion_tokens", "max_output_tokens")
_lock = threading.Lock()  # budgets are shared by runs nested on other threads' loops
WAIT_S = 0.02


def estimate_cost(price: Price, request: ModelRequest, budget: Budget) -> float:
    """USD a call may cost at most, as far as can be told before it is made."""
    bound = next(
        (v for k in _OUTPUT_SETTINGS if type(v := request.settings.get(k)) is int and v > 0),
        None,
    )
    if bound is None:
        bound = budget.root().largest_output or DEFAULT_OUTPUT_TOKENS
    usage = estimate_usage(request, "", ())
    return price.cost(type(usage)(input_tokens=usage.input_tokens, output_tokens=bound))


def _capped(budget: Budget) -> list[Budget]:
    return [b for b in budget.levels() if b.limits.max_cost_usd is not None]


def _try(levels: list[Budget], amount: float) -> bool:
    with _lock:
        if any(b.cost_usd + b.reserved >= b.limits.max_cost_usd for b in levels):  # type: ignore[operator]
            return False
        for b in levels:
            b.reserved += amount
        return True


async def reserve(budget: Budget, price: Price | None, request: ModelRequest) -> float:
    """Set aside the call's estimated cost (0.0 when unpriced or no money limit); waits
    while the limit is taken by calls under way. The caller checks the budget first."""
    levels = _capped(budget)
    if price is None or not levels:
        return 0.0
    amount = estimate_cost(price, request, budget)
    while not _try(levels, amount):
        if all(b.reserved <= 0 for b in levels):
            return 0.0  # nothing under way: the budget check before the call decides
        await asyncio.sleep(WAIT_S)
    return amount


def release(budget: Budget, amount: float) -> None:
    """Give a reservation back (the call then charges what it really cost)."""
    if amount:
        with _lock:
            for b in _capped(budget):
                b.reserved = max(0.0, b.reserved - amount)
