"""The tests of a change in an actor's counts between two snapshots (docs/methodology.md).

Why a module of its own: they are pure functions of four numbers, used by the change rows
(:mod:`narrative_diff.changes`) and checked against scipy by the tests.
"""

from __future__ import annotations

import math


def log_ratio(c1: int, n1: int, c2: int, n2: int) -> float:
    """Hardie's Log Ratio of rates with 0.5 added to each count.

    >>> round(log_ratio(0, 100, 5, 100), 3)
    3.459
    """
    return math.log2((c2 + 0.5) / max(n2, 1)) - math.log2((c1 + 0.5) / max(n1, 1))


def log_odds_z(c1: int, n1: int, c2: int, n2: int, alpha0: float) -> float:
    """Dirichlet-smoothed log-odds ratio divided by its standard error (Monroe et al.)."""
    pooled = (c1 + c2) / (n1 + n2)
    # every word a mention (a one-word text, a pattern matching each character): the
    # smoothing of the rest would be 0, so keep it a little above
    pooled = min(max(pooled, 1e-9), 1 - 1e-9)
    n1, n2 = max(n1, c1 + 1), max(n2, c2 + 1)
    a_word, a_rest = alpha0 * pooled, alpha0 * (1 - pooled)
    delta = math.log((c2 + a_word) / (n2 - c2 + a_rest)) - math.log(
        (c1 + a_word) / (n1 - c1 + a_rest)
    )
    variance = (
        1 / (c2 + a_word) + 1 / (n2 - c2 + a_rest) + 1 / (c1 + a_word) + 1 / (n1 - c1 + a_rest)
    )
    return delta / math.sqrt(variance)


def exact_p(c1: int, n1: int, c2: int, n2: int) -> float:
    """Two-sided exact conditional binomial p-value for the change in counts: c2 given
    c1 + c2 ~ Binomial(c1 + c2, N2/(N1 + N2)).

    The same definition as scipy's ``binomtest(...).pvalue`` (the probability of every
    outcome no more likely than the one observed, with scipy's relative tolerance 1e-7);
    ``tests/test_scoring.py`` checks the two agree. Computed here because importing
    scipy.stats costs about a second per process, more than scoring a long series.

    No mentions, or no words on either side, leave nothing to test: p = 1.

    >>> round(exact_p(6, 100, 0, 100), 6), exact_p(0, 100, 0, 100), exact_p(2, 0, 1, 0)
    (0.03125, 1.0, 1.0)
    """
    trials = c1 + c2
    if trials == 0 or n1 + n2 <= 0:
        return 1.0
    p = n2 / (n1 + n2)

    def pmf(k: int) -> float:
        if p in (0.0, 1.0):
            return 1.0 if k == (trials if p == 1.0 else 0) else 0.0
        log = (
            math.lgamma(trials + 1)
            - math.lgamma(k + 1)
            - math.lgamma(trials - k + 1)
            + k * math.log(p)
            + (trials - k) * math.log1p(-p)
        )
        return math.exp(log)

    observed = pmf(c2)
    limit = observed * (1 + 1e-7)
    total = sum(q for q in map(pmf, range(trials + 1)) if q <= limit)
    return min(1.0, total)
