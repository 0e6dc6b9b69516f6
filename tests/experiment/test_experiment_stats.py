"""Wilson intervals and the exact McNemar test against known values."""

from __future__ import annotations

import math

import pytest

from agentlab.experiment.statistics import (
    Comparison,
    mcnemar_exact,
    paired_difference_ci,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # Wilson (1927) / Newcombe (1998) reference values
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), table I
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    got = wilson_interval(successes, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_edge_cases():
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(11, 10)


@pytest.mark.parametrize("n", [1, 3, 6, 7, 10, 49, 1000])
def test_wilson_bounds_are_exact_at_none_and_all(n):
    """0 of n reads as a low bound of 0, not 5.6e-17, in a summary table."""
    assert wilson_interval(0, n)[0] == 0.0
    assert wilson_interval(n, n)[1] == 1.0


@pytest.mark.parametrize(
    ("only_a", "only_b", "p"),
    [
        (8, 1, 0.0390625),  # 2 * (1 + 9) / 2**9
        (1, 8, 0.0390625),
        (5, 5, 1.0),
        (0, 0, 1.0),
        (10, 0, 2 / 2**10),
        (3, 0, 0.25),
    ],
)
def test_exact_mcnemar(only_a, only_b, p):
    assert mcnemar_exact(only_a, only_b) == pytest.approx(p)


def agresti_min(b, c, n, z=1.959963984540054):
    """Agresti's own R code (diffpropci, "Wald+2"): add 0.5 to each cell, truncate to [-1, 1]."""
    diff = (b - c) / (n + 2)
    sd = math.sqrt((b + c + 1) - (b - c) ** 2 / (n + 2)) / (n + 2)
    return max(-1.0, diff - z * sd), min(1.0, diff + z * sd)


@pytest.mark.parametrize(("only_a", "only_b", "pairs"), [(8, 1, 20), (0, 0, 10), (3, 12, 40)])
def test_paired_difference_interval_is_agresti_min(only_a, only_b, pairs):
    assert paired_difference_ci(only_a, only_b, pairs) == pytest.approx(
        agresti_min(only_a, only_b, pairs)
    )
    low, high = paired_difference_ci(8, 1, 20)
    assert (low + high) / 2 == pytest.approx(7 / 22)  # centred on the adjusted difference
    low, high = paired_difference_ci(0, 0, 10)  # no discordant pair is not certainty
    assert low < 0 < high and high == pytest.approx(-low)
    assert all(math.isnan(x) for x in paired_difference_ci(0, 0, 0))
    with pytest.raises(ValueError, match="add up to at most pairs=3"):
        paired_difference_ci(3, 1, 3)


def test_paired_difference_interval_does_not_collapse_on_small_samples():
    low, high = paired_difference_ci(4, 0, 4)  # the plain Wald interval gave [1, 1]
    assert high == 1.0 and low < 0.2  # values well below 1 are plausible
    assert paired_difference_ci(0, 4, 4) == pytest.approx((-1.0, -low))


@pytest.mark.parametrize(
    ("only_a", "only_b", "pairs", "agree"),
    [(8, 1, 20, True), (0, 10, 90, True), (2, 1, 20, True), (5, 0, 20, False), (4, 0, 4, False)],
)
def test_interval_and_exact_test_agree_except_at_the_documented_edge(only_a, only_b, pairs, agree):
    low, high = paired_difference_ci(only_a, only_b, pairs)
    p = mcnemar_exact(only_a, only_b)
    assert ((low > 0 or high < 0) == (p < 0.05)) is agree
    c = Comparison("a", "b", pairs, 0.5, 0.5, (only_a - only_b) / pairs, low, high,
                   only_a, only_b, p)  # fmt: skip
    assert ("disagree on whether the difference is 0" in str(c)) is not agree
    if not agree:  # the edge named in paired_difference_ci's docstring
        assert low > 0 and p >= 0.05


def test_comparison_reads_well():
    c = Comparison("chain", "single", 50, 0.8, 0.6, 0.2, 0.05, 0.35, 12, 2, 0.0129,
                   cost_difference_usd=0.002, time_difference_s=1.5)  # fmt: skip
    text = str(c)
    assert "chain vs single on 50 paired tasks" in text
    assert "80.0% vs 60.0%, difference +20.0% (95% CI +5.0% to +35.0%)" in text
    assert "12 only chain passed, 2 only single passed; exact McNemar p = 0.0129" in text
    assert "cost per task +0.002 USD, time per task +1.5 s" in text
    assert repr(c) == "<Comparison chain vs single: 80.0% vs 60.0% (+20.0%, p=0.0129, 50 pairs)>"
