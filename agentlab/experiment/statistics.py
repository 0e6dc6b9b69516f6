"""Small statistics for experiments, in plain ``math``: Wilson intervals and the paired test
(exact McNemar, with an Agresti-Min interval for the paired difference).

>>> low, high = wilson_interval(8, 10)
>>> round(low, 4), round(high, 4)
(0.4902, 0.9433)
>>> round(mcnemar_exact(8, 1), 4)
0.0391
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (95% by default) for ``successes`` out of ``n``.

    Unlike the textbook ``p +- z*sqrt(p(1-p)/n)`` it stays inside [0, 1] and is
    honest at 0 of 10 or 10 of 10. ``n == 0`` gives ``(nan, nan)``.
    """
    if n <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= n:
        raise ValueError(f"successes={successes} must be between 0 and n={n}")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # at 0 of n (n of n) the bound is exactly 0 (1); floating point would leave 5.6e-17
    low = 0.0 if successes == 0 else max(0.0, center - half)
    high = 1.0 if successes == n else min(1.0, center + half)
    return low, high


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pair counts.

    Under "no difference" each discordant pair is a fair coin; the p-value is twice
    the smaller binomial tail, capped at 1. No discordant pairs gives 1.0.
    """
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = float(sum(math.comb(n, i) for i in range(k + 1))) / float(2**n)
    return min(1.0, 2 * tail)


def paired_difference_ci(
    only_a: int, only_b: int, pairs: int, z: float = Z95
) -> tuple[float, float]:
    """95% interval for the paired difference in pass rates (a minus b), Agresti-Min.

    The plain Wald interval collapses on small samples (4 of 4 pairs "only a" gave
    [1, 1]); Agresti and Min (2005, Statistics in Medicine 24:729) add 0.5 to each
    cell of the paired 2x2 table (``only_a + 0.5``, ``only_b + 0.5``, ``pairs + 2``)
    before the Wald formula, which keeps coverage near 95% down to small samples. The
    interval is centred on the adjusted difference, so it is pulled slightly towards 0.

    It is an approximation, while ``mcnemar_exact`` is exact and conservative: with few
    discordant pairs they can disagree at the edge. 5 "only a" of 20 pairs gives
    about [+3%, +42%] (excludes 0) with p = 0.0625 (does not reject); 4 of 4 gives
    [+17%, +100%] with p = 0.125. Read the p-value for "is there a difference" and
    the interval for "how big could it be"; ``Comparison`` prints a note when they
    disagree. ``pairs == 0`` gives ``(nan, nan)``.
    """
    if pairs <= 0:
        return math.nan, math.nan
    if only_a < 0 or only_b < 0 or only_a + only_b > pairs:
        raise ValueError(
            f"only_a={only_a} and only_b={only_b} must be >= 0 and add up to at most pairs={pairs}"
        )
    a, b, n = only_a + 0.5, only_b + 0.5, pairs + 2
    diff = (a - b) / n
    variance = ((a + b) - (a - b) ** 2 / n) / n**2
    half = z * math.sqrt(max(variance, 0.0))
    return max(-1.0, diff - half), min(1.0, diff + half)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Design ``a`` vs design ``b`` on the tasks both ran (same example, same repeat).

    ``difference`` is ``a_rate - b_rate`` and ``ci_low``/``ci_high`` its Agresti-Min
    95% interval; ``p_value`` is the exact McNemar test on the discordant pairs
    (``only_a``: a passed and b did not; ``only_b``: the reverse).
    ``cost_difference_usd`` and ``time_difference_s`` are mean paired differences
    (a minus b); the cost one is None when either design is unpriced. ``left_out``
    counts the pairs left out because a task of either design was not counted
    (never started, interrupted, or cut by the experiment's money budget).
    """

    a: str
    b: str
    pairs: int
    a_rate: float
    b_rate: float
    difference: float
    ci_low: float
    ci_high: float
    only_a: int
    only_b: int
    p_value: float
    cost_difference_usd: float | None = None
    time_difference_s: float | None = None
    left_out: int = 0

    def __str__(self) -> str:
        title = f"{self.a} vs {self.b} on {self.pairs} paired tasks"
        if self.left_out:
            title += (
                f" ({self.left_out} left out: a task of either was not started, interrupted "
                "or cut by the experiment's budget)"
            )
        if not self.pairs:
            return title + "\n  nothing to compare: no example has a counted task of both"
        lines = [
            title,
            f"  completion: {self.a_rate:.1%} vs {self.b_rate:.1%}, difference "
            f"{self.difference:+.1%} (95% CI {self.ci_low:+.1%} to {self.ci_high:+.1%})",
            f"  discordant pairs: {self.only_a} only {self.a} passed, {self.only_b} only "
            f"{self.b} passed; exact McNemar p = {self.p_value:.3g}",
        ]
        extras = []
        if self.cost_difference_usd is not None:
            extras.append(f"cost per task {self.cost_difference_usd:+.3g} USD")
        if self.time_difference_s is not None:
            extras.append(f"time per task {self.time_difference_s:+.3g} s")
        if extras:
            lines.append(f"  {self.a} minus {self.b}: " + ", ".join(extras))
        if self.pairs and (self.ci_low > 0 or self.ci_high < 0) != (self.p_value < 0.05):
            lines.append(
                "  note: the interval (approximate) and the exact test disagree on whether "
                "the difference is 0; too few discordant pairs to tell, run more tasks"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Comparison {self.a} vs {self.b}: {self.a_rate:.1%} vs {self.b_rate:.1%} "
            f"({self.difference:+.1%}, p={self.p_value:.3g}, {self.pairs} pairs"
            + (f", {self.left_out} left out" if self.left_out else "")
            + ")>"
        )

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(str(self))  # type: ignore[attr-defined]
