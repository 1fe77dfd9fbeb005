"""The statistics of the reference figures, in plain Python (docs/metrics.md).

The database does the counting; these functions turn its short lists (posts per
author, hours to a first answer) into one number each. They return None where the
figure has no meaning (a median of nothing, a share of no posts) rather than a
made-up zero, and never round: the caller says how many decimals it shows.
"""

from __future__ import annotations

from collections.abc import Sequence


def percent(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`; None when `whole` is zero."""
    if whole == 0:
        return None
    return 100 * part / whole


def median(values: Sequence[float]) -> float | None:
    """The middle value; with an even count, the mean of the two middle ones."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def gini(counts: Sequence[int]) -> float | None:
    """The Gini coefficient of `counts` (posts per author, say): 0 when everyone has
    the same, towards 1 when one has everything; None for no counts or a zero total.

    The population coefficient, the mean absolute difference over all ordered pairs
    divided by twice the mean: with the counts sorted up, x1 <= ... <= xn,
    G = sum((2i - n - 1) * xi) / (n * sum(x)). Numerator and denominator are whole
    numbers, so the only rounding is the final division.
    """
    if any(count < 0 for count in counts):
        raise ValueError("counts cannot be negative")
    total, n = sum(counts), len(counts)
    if total == 0:
        return None
    weighted = sum((2 * i - n - 1) * count for i, count in enumerate(sorted(counts), start=1))
    return weighted / (n * total)


def top_count(n: int, percent: int) -> int:
    """How many make up the top `percent` % of `n`: ceil(n * percent / 100), in
    whole numbers (1 % of 234 authors is 3 of them; of 52, 1)."""
    return -(-n * percent // 100)


def top_share(counts: Sequence[int], percent: int = 1) -> float | None:
    """The share of the total held by the top `percent` % of the counts (by number of
    counts, rounded up); None for no counts or a zero total."""
    total = sum(counts)
    if total == 0:
        return None
    top = sorted(counts, reverse=True)[: top_count(len(counts), percent)]
    return sum(top) / total
