"""The two Poisson functions, against values worked out by hand."""

import math

import pytest

from insights.stats import poisson_cdf, poisson_quantile, poisson_sf


def test_the_poisson_cdf_matches_the_hand_computed_sum():
    # e^-2 (1 + 2 + 2 + 4/3 + 2/3) = 7 e^-2
    assert poisson_cdf(4, 2.0) == pytest.approx(7 * math.exp(-2))
    assert poisson_cdf(0, 0.0) == 1.0


def test_the_quantile_is_the_first_count_reaching_the_probability():
    # Poisson(2): P(N <= 4) = 0.947 < 0.95 <= P(N <= 5) = 0.983
    assert poisson_quantile(0.95, 2.0) == 5
    # Poisson(4): P(N <= 7) = 0.9489, P(N <= 8) = 0.9786
    assert poisson_quantile(0.95, 4.0) == 8
    assert poisson_quantile(0.95, 0.0) == 0


def test_the_upper_tail_matches_the_hand_computed_complement():
    # P(N >= 3) for Poisson(2) = 1 - 5 e^-2
    assert poisson_sf(3, 2.0) == pytest.approx(1 - 5 * math.exp(-2))
    assert poisson_sf(0, 2.0) == 1.0
    # A tiny tail keeps its digits: P(N >= 12) for Poisson(2) = 2^12 e^-2 / 12! × (1 + 2/13 + 4/182 + …)
    # = 1.1573e-6 × 1.1791… = 1.3646e-6
    assert poisson_sf(12, 2.0) == pytest.approx(1.3646e-6, rel=1e-3)


def test_large_means_do_not_underflow():
    assert 1000 < poisson_quantile(0.95, 1000.0) < 1060
    assert poisson_sf(1100, 1000.0) == pytest.approx(0.00096, rel=0.05)
    assert poisson_cdf(1000, 1000.0) == pytest.approx(0.5084, rel=1e-3)
