"""Money comes from genai-prices, looked up once per model; unknown models give None."""

from __future__ import annotations

import pytest
from genai_prices import Usage as LibUsage
from genai_prices import calc_price

from agentlab.usage import Usage, cost_of, price_for


@pytest.mark.parametrize(
    "key",
    [
        "openai:gpt-4o-mini",
        "openai:gpt-4.1",
        "anthropic:claude-haiku-4-5",
        "anthropic:claude-sonnet-4-5",
    ],
)
def test_fast_rates_match_the_library(key):
    provider, model = key.split(":")
    usage = Usage(
        input_tokens=12_345, output_tokens=678, cache_read_tokens=2_000, cache_write_tokens=300
    )
    expected = calc_price(
        LibUsage(
            input_tokens=12_345, output_tokens=678, cache_read_tokens=2_000, cache_write_tokens=300
        ),
        model,
        provider_id=provider,
    ).total_price
    assert cost_of(usage, key) == pytest.approx(float(expected), rel=1e-9)


def test_unknown_models_have_no_price():
    assert cost_of(Usage(input_tokens=10), "openai:no-such-model-zzz") is None
    assert cost_of(Usage(input_tokens=10), None) is None
    assert price_for("scripted") is None


def test_base_url_does_not_change_the_price():
    assert price_for("openai:gpt-4o-mini@http://127.0.0.1:8080/v1").input == pytest.approx(0.15e-6)


def test_usage_adds_up():
    total = Usage(1, 2, 3, 4, 1) + Usage(10, 20, 30, 40, 1)
    assert total == Usage(11, 22, 33, 44, 2) and total.total_tokens == 33
