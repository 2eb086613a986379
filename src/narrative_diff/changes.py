"""Change statistics between two scored snapshots (see docs/methodology.md).

For each actor: APPEARED / DISAPPEARED, the Log Ratio of rates (Hardie 2014), the
Dirichlet-smoothed log-odds z (Monroe, Colaresi & Quinn 2008; prior strength
``Weights.alpha0``), the exact conditional binomial test of the counts (c2 given c1 + c2 is
Binomial(c1 + c2, N2/(N1 + N2)), as scipy's ``binomtest`` defines it), and intervals for the
change in prominence and share of voice from a sentence bootstrap within each snapshot
(title and headings held fixed; seeded, so reruns give the same numbers). Between
snapshots in different languages only the events and prominence changes are given; the
label is "cross-language" (a word and a Han character are different units of exposure).

The bootstrap draws, for each replicate, how often each body sentence is resampled; only
sentences that mention someone matter, so the draw is a multinomial over those sentences
plus one "all others" cell, and the replicate totals are one matrix product.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .actors import ActorSet
from .scoring import SnapshotScore, Weights, event
from .text import languages_differ

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

ALPHA = 0.05


def bootstrap_totals(score: SnapshotScore, keys: Sequence[str], weights: Weights) -> np.ndarray:
    """Replicate prominence totals, shape (B, actors), for one snapshot."""
    import numpy as np

    ranks = sorted({k for key in keys for k in score.contributions.get(key, {})})
    fixed = np.array([score.fixed.get(key, 0.0) for key in keys])
    seed = [weights.seed, zlib.crc32(score.snapshot.id.encode("utf-8"))]
    rng = np.random.default_rng(seed)
    if not ranks or not score.body_sentences:
        return np.tile(fixed, (weights.bootstrap, 1))
    contrib = np.array(
        [[score.contributions.get(key, {}).get(k, 0.0) for key in keys] for k in ranks]
    )
    sentences = score.body_sentences
    probabilities = [1 / sentences] * len(ranks) + [1 - len(ranks) / sentences]
    counts = rng.multinomial(sentences, probabilities, size=weights.bootstrap)[:, : len(ranks)]
    return counts @ contrib + fixed


def _interval(values: np.ndarray) -> tuple[float, float]:
    import numpy as np

    low, high = np.nanpercentile(values, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    return round(float(low), 4), round(float(high), 4)


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

    >>> round(exact_p(6, 100, 0, 100), 6)
    0.03125
    """
    trials, p = c1 + c2, n2 / (n1 + n2)
    if trials == 0:
        return 1.0

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


def change_rows(
    one: SnapshotScore,
    two: SnapshotScore,
    actors: ActorSet,
    weights: Weights,
    cache: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One row per actor for the change from snapshot ``one`` to snapshot ``two``."""
    import numpy as np

    keys = [a.key for a in actors.actors]
    cache = {} if cache is None else cache
    totals = []
    for score in (one, two):
        if score.snapshot.id not in cache:
            cache[score.snapshot.id] = bootstrap_totals(score, keys, weights)
        totals.append(cache[score.snapshot.id])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = [t / t.sum(axis=1, keepdims=True) for t in totals]
    counts = [{a.key: 0 for a in actors.actors} for _ in range(2)]
    prominence = [{a.key: 0.0 for a in actors.actors} for _ in range(2)]
    for side, score in enumerate((one, two)):
        for m in score.mentions:
            counts[side][m.actor] += 1
            prominence[side][m.actor] += m.weight
    p_totals = [sum(p.values()) for p in prominence]
    rows = []
    for index, actor in enumerate(actors.actors):
        c1, c2 = counts[0][actor.key], counts[1][actor.key]
        n1, n2 = max(one.words, 1), max(two.words, 1)
        p1, p2 = prominence[0][actor.key], prominence[1][actor.key]
        s1 = p1 / p_totals[0] if p_totals[0] else 0.0
        s2 = p2 / p_totals[1] if p_totals[1] else 0.0
        row: dict[str, Any] = {
            "actor": actor.key,
            "actor_name": actor.name,
            "kind": actor.kind,
            "from": one.snapshot.id,
            "to": two.snapshot.id,
            "from_date": one.snapshot.date.isoformat(),
            "to_date": two.snapshot.date.isoformat(),
            "count_from": c1,
            "count_to": c2,
            "words_from": n1,
            "words_to": n2,
            "prominence_from": round(p1, 4),
            "prominence_to": round(p2, 4),
            "share_of_voice_from": round(s1, 4),
            "share_of_voice_to": round(s2, 4),
            "event": event(c1, c2),
            "log_ratio": None,
            "log_odds_z": None,
            "p_value": None,
            "prominence_change": round(p2 - p1, 4),
            "prominence_ci": None,
            "share_of_voice_change": round(s2 - s1, 4),
            "share_of_voice_ci": None,
            "label": "",
        }
        if languages_differ(one.snapshot.language, two.snapshot.language) and (c1 or c2):
            # Word counts in two languages are different units: no test, no rate ratio.
            row["label"] = "cross-language"
        elif c1 or c2:  # nothing to test for 0 → 0
            p_value = exact_p(c1, n1, c2, n2)
            interval = _interval(totals[1][:, index] - totals[0][:, index])
            row.update(
                log_ratio=round(log_ratio(c1, n1, c2, n2), 4),
                log_odds_z=round(log_odds_z(c1, n1, c2, n2, weights.alpha0), 4),
                p_value=round(p_value, 6),
                prominence_ci=interval,
                share_of_voice_ci=_interval(
                    np.nan_to_num(shares[1][:, index]) - np.nan_to_num(shares[0][:, index])
                ),
                label="supported"
                if p_value < ALPHA and not interval[0] <= 0 <= interval[1]
                else "directional",
            )
        rows.append(row)
    return rows


def changes_table(
    scores: Sequence[SnapshotScore],
    actors: ActorSet,
    *,
    weights: Weights | None = None,
    pairs: Sequence[tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Change rows for ``pairs`` of positions in ``scores``: by default every consecutive
    pair and first → last."""
    import pandas as pd

    weights = weights or Weights()
    if pairs is None:
        pairs = [(i, i + 1) for i in range(len(scores) - 1)]
        if len(scores) > 2:
            pairs.append((0, len(scores) - 1))
    last_use = {scores[k].snapshot.id: n for n, pair in enumerate(pairs) for k in pair}
    cache: dict[str, Any] = {}
    rows = []
    for n, (i, j) in enumerate(pairs):
        rows += change_rows(scores[i], scores[j], actors, weights, cache)
        for key in [key for key in cache if last_use[key] <= n]:  # keep memory flat
            del cache[key]
    return pd.DataFrame(rows)
