"""Token usage, and money from the maintained ``genai-prices`` table.

``Usage.input_tokens`` is the *total* input, cached tokens included (the convention of
genai-prices); ``cache_read_tokens`` and ``cache_write_tokens`` say how much of it hit
or filled a cache. Prices are looked up once per model and kept as plain per-token
rates for the hot path; tiered or unusual prices fall back to the library's own
calculation. An unknown model gives ``None``, never a made-up 0.

>>> Usage(input_tokens=10, output_tokens=5) + Usage(input_tokens=1, requests=1)
Usage(input_tokens=11, output_tokens=5, cache_read_tokens=0, cache_write_tokens=0, requests=1)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Any

_RATE_KEYS = {"input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok"}
_IGNORED_KEYS = {"web_searches_kcount", "storage_searches_kcount", "cache_write_1h_mtok"}


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and requests of one or more model calls; ``+`` adds them up."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.requests + other.requests,
        )

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "requests": self.requests,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        return cls(**{k: int(v) for k, v in data.items() if k in _USAGE_FIELDS})


_USAGE_FIELDS = frozenset(Usage.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Price:
    """A model's price: plain USD-per-token rates, or the library's price object."""

    key: str
    source: str
    input: float = 0.0
    output: float = 0.0
    cache_read: float = 0.0
    cache_write: float = 0.0
    exact: Any = None  # genai_prices ModelPrice, used when rates cannot express it

    def cost(self, usage: Usage) -> float:
        """USD for ``usage`` at this price."""
        if self.exact is not None:
            return _library_cost(self.exact, usage)
        uncached = usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens
        return (
            max(uncached, 0) * self.input
            + usage.cache_read_tokens * self.cache_read
            + usage.cache_write_tokens * self.cache_write
            + usage.output_tokens * self.output
        )


def split_key(key: str) -> tuple[str | None, str]:
    """``"openai:gpt-4o-mini"`` -> ``("openai", "gpt-4o-mini")``; a bare name has no provider."""
    provider, sep, model = key.partition(":")
    if not sep:
        return None, key
    return provider, model.split("@", 1)[0]


@lru_cache(maxsize=256)
def price_for(key: str | None) -> Price | None:
    """The price of ``"provider:model"`` from genai-prices, or None when unknown (cached)."""
    if not key:
        return None
    provider, model = split_key(key)
    from datetime import datetime

    from genai_prices import data_snapshot

    try:
        found_provider, info = data_snapshot.get_snapshot().find_provider_model(
            model, None, provider, None
        )
        model_price = info.get_prices(datetime.now(UTC))
    except LookupError:
        return None
    source = f"genai-prices {price_table_version()}: {found_provider.id}/{info.id}"
    return _as_rates(key, source, model_price)


def _as_rates(key: str, source: str, model_price: Any) -> Price:
    from decimal import Decimal

    values = {k: v for k, v in model_price.__dict__.items() if v is not None}
    plain = all(isinstance(values.get(k, Decimal(0)), Decimal) for k in _RATE_KEYS)
    if not plain or set(values) - _RATE_KEYS - _IGNORED_KEYS:
        return Price(key, source, exact=model_price)
    per_token = {k: float(values.get(k, 0)) / 1_000_000 for k in _RATE_KEYS}
    input_rate = per_token["input_mtok"]
    return Price(
        key,
        source,
        input=input_rate,
        output=per_token["output_mtok"],
        cache_read=per_token["cache_read_mtok"] if "cache_read_mtok" in values else input_rate,
        cache_write=per_token["cache_write_mtok"] if "cache_write_mtok" in values else input_rate,
    )


def _library_cost(model_price: Any, usage: Usage) -> float:
    from genai_prices import Usage as LibUsage

    calc = model_price.calc_price(
        LibUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
        )
    )
    return float(calc["total_price"])


def cost_of(usage: Usage, key: str | None) -> float | None:
    """USD for ``usage`` on the model ``key`` ("provider:model"), or None if unpriced.

    >>> round(cost_of(Usage(input_tokens=1_000_000), "openai:gpt-4o-mini"), 4)
    0.15
    """
    price = price_for(key)
    return None if price is None else price.cost(usage)


def price_table_version() -> str:
    """The installed genai-prices version (read from metadata, without importing it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-prices")
    except PackageNotFoundError:  # pragma: no cover - it is a hard dependency
        return "unknown"
