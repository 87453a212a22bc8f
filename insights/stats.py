"""Two Poisson functions, in pure Python (no scipy in the project).

- `poisson_quantile(p, mean)`: the smallest k with P(N <= k) >= p, N ~ Poisson(mean);
- `poisson_sf(k, mean)`: P(N >= k), the one-sided tail of the failing-batch test.

Terms are built by the recurrence P(k) = P(k-1) * mean / k from P(0) = exp(-mean). For large means
exp(-mean) underflows, so the sums start at the mode in log space instead: a region's expected
count can reach the thousands.
"""

from __future__ import annotations

import math


def poisson_pmf(k: int, mean: float) -> float:
    if k < 0:
        return 0.0
    if mean <= 0:
        return 1.0 if k == 0 else 0.0
    return math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))


def poisson_cdf(k: int, mean: float) -> float:
    """P(N <= k)."""
    if k < 0:
        return 0.0
    if mean <= 0:
        return 1.0
    if mean > 600:  # exp(-mean) would underflow: sum down from k instead
        total, term = 0.0, poisson_pmf(k, mean)
        i = k
        while i >= 0 and term > 0:
            total += term
            term *= i / mean
            i -= 1
        return min(total, 1.0)
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(total, 1.0)


def poisson_sf(k: int, mean: float) -> float:
    """P(N >= k): the chance of seeing k or more events when `mean` are expected."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if k > mean:
        # Sum the upper tail directly: 1 - cdf loses every digit when the tail is tiny.
        total, term, i = 0.0, poisson_pmf(k, mean), k
        while term > 0 and (term > total * 1e-17):
            total += term
            i += 1
            term *= mean / i
        return min(total, 1.0)
    return max(0.0, 1.0 - poisson_cdf(k - 1, mean))


def poisson_quantile(p: float, mean: float) -> int:
    """The smallest k with P(N <= k) >= p."""
    if not 0 < p < 1:
        raise ValueError("p is a probability strictly between 0 and 1.")
    if mean <= 0:
        return 0
    k, total = 0, 0.0
    if mean > 600:
        k = max(0, int(mean - 10 * math.sqrt(mean)))
        total = poisson_cdf(k - 1, mean) if k else 0.0
    term = poisson_pmf(k, mean)
    while True:
        total += term
        if total >= p:
            return k
        k += 1
        term *= mean / k
        if term == 0 and k > mean:  # the remaining mass is below float precision
            return k
