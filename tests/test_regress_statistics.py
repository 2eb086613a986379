"""Regression tests for the change statistics (issue 10, point 6 c, d, f).

Each behaviour here once broke under a one-line mutation without any test noticing. The
series tests read the public ``score --format json`` document (its ``changes`` rows),
run through ``narrative_diff.cli.main`` on copies of the ILRS seeds or on small series
written here; the probability tests call the pure functions of ``narrative_diff.changes``.

* c: every confidence interval contains its point estimate (prominence and share of
  voice), on the ILRS seeds and on generated small series (hypothesis);
* d: the change rows hold every consecutive pair and first → last for 3+ snapshots, and
  the single pair of a 2-snapshot series once;
* f: the exact test at its boundaries (no trials, exposure 0 on one side, a count of 0,
  ties), always within [0, 1] and equal to scipy's ``binomtest``; the label turns from
  "directional" to "supported" as p crosses 0.05, one word of exposure apart.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from narrative_diff.changes import exact_p
from narrative_diff.cli import main
from tests.helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
SEEDS = PINNED / "ilrs"
ILRS_FILES = sorted(SEEDS.glob("*.md"))  # date-prefixed names: date order


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)


def score_json(corpus: Path, *extra: str) -> dict[str, Any]:
    """``score --corpus CORPUS --format json`` in-process; the parsed document. (Output
    is captured here rather than with capsys, which hypothesis examples cannot share.)"""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["score", "--corpus", str(corpus), "--format", "json", *extra])
    assert code == 0, err.getvalue()
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def copy_seeds(root: Path, count: int) -> Path:
    """A corpus holding the first ``count`` ILRS snapshots."""
    series = root / "ilrs"
    series.mkdir(parents=True)
    for path in ILRS_FILES[:count]:
        shutil.copyfile(path, series / path.name)
    return root


def write_snapshot(series: Path, slug: str, date: str, title: str, body: str) -> None:
    series.mkdir(parents=True, exist_ok=True)
    (series / f"{slug}.md").write_text(
        f"---\nid: {series.name}/{slug}\nseries: {series.name}\ndate: {date}\n"
        f"title: {title}\nlanguage: en\n---\n\n# {title}\n\n{body}\n",
        encoding="utf-8",
    )


def outside(rows: list[dict[str, Any]]) -> list[str]:
    """Rows whose interval misses its point estimate, described."""
    bad = []
    for row in rows:
        for value, interval in (
            ("prominence_change", "prominence_ci"),
            ("share_of_voice_change", "share_of_voice_ci"),
        ):
            if row[interval] is not None:
                low, high = row[interval]
                if not low <= row[value] <= high:
                    bad.append(
                        f"{row['actor']} {row['from']} -> {row['to']}: "
                        f"{value} {row[value]} outside {interval} {row[interval]}"
                    )
    return bad


@pytest.fixture(scope="module")
def ilrs() -> dict[str, Any]:
    return score_json(PINNED)


# ---------------------------------------------------------------- c: intervals contain estimates
def test_ilrs_intervals_contain_their_point_estimates(ilrs):
    rows = [r for r in ilrs["changes"] if r["prominence_ci"] is not None]
    assert len(rows) >= 15
    assert all(r["share_of_voice_ci"] is not None for r in rows)
    # not a vacuous check: large changes of both signs are among them
    russia = next(
        r for r in rows if r["actor"] == "russia" and r["to"] == "ilrs/2022-01-white-paper"
    )
    assert (russia["prominence_change"], russia["share_of_voice_change"]) == (-6.8067, -0.3866)
    assert russia["prominence_ci"][1] < 0 and russia["share_of_voice_ci"][1] < 0
    assert any(r["share_of_voice_change"] > 0.3 for r in rows)
    assert outside(rows) == []


WORDS = ("Russia", "China", "Roscosmos", "CNSA", "several countries", "the station", "the crew")
VERBS = ("builds", "supports", "leads", "joins", "plans")
sentence = st.tuples(st.sampled_from(WORDS), st.sampled_from(VERBS), st.sampled_from(WORDS)).map(
    lambda t: f"{t[0][0].upper()}{t[0][1:]} {t[1]} {t[2]}."
)
paragraph = st.lists(sentence, min_size=1, max_size=5).map(" ".join)
snapshot = st.tuples(
    st.sampled_from(("Plan", "Russia and the station", "China and partners")),
    st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join),
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(snapshot, min_size=2, max_size=4))
@example([("Russia and the station", "Russia builds the station."), ("Plan", "China leads.")])
def test_generated_series_intervals_contain_their_point_estimates(snapshots):
    with tempfile.TemporaryDirectory() as tmp:
        for k, (title, body) in enumerate(snapshots):
            write_snapshot(Path(tmp) / "s", f"202{k}-01-x{k}", f"202{k}-01-01", title, body)
        rows = score_json(Path(tmp))["changes"]
    assert outside(rows) == []


# ---------------------------------------------------------------- d: first -> last pair
def pairs_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The (from, to) pairs of the change rows, in order of first appearance."""
    return list(dict.fromkeys((r["from"], r["to"]) for r in data["changes"]))


def ids(*indices: int) -> list[str]:
    return [f"ilrs/{ILRS_FILES[k].stem}" for k in indices]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (2, [(0, 1)]),
        (3, [(0, 1), (1, 2), (0, 2)]),
        (4, [(0, 1), (1, 2), (2, 3), (0, 3)]),
        (6, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 5)]),
    ],
)
def test_change_rows_hold_consecutive_pairs_and_first_to_last(tmp_path, count, expected):
    data = score_json(copy_seeds(tmp_path / "corpus", count))
    assert pairs_of(data) == [tuple(ids(i, j)) for i, j in expected], (
        f"{count} snapshots: consecutive pairs, then first -> last unless that is one of them"
    )
    # one row per actor per pair: no pair repeated
    actors = {r["actor"] for r in data["changes"]}
    per_pair = Counter((r["from"], r["to"]) for r in data["changes"])
    assert set(per_pair.values()) == {len(actors)}, "a pair's rows must not be repeated"
    assert len(data["changes"]) == len(expected) * len(actors)


def test_first_to_last_row_compares_the_ends(tmp_path):
    data = score_json(copy_seeds(tmp_path / "corpus", 3))
    first, last = ids(0, 2)
    ends = [r for r in data["changes"] if (r["from"], r["to"]) == (first, last)]
    russia = next(r for r in ends if r["actor"] == "russia")
    # Russia: 9 mentions in the 2021 guide, none in the May 2023 presentation
    assert (russia["count_from"], russia["count_to"], russia["event"]) == (9, 0, "DISAPPEARED")
    assert (russia["from_date"], russia["to_date"]) == ("2021-06-16", "2023-05-01")


# ---------------------------------------------------------------- f: exact test boundaries
def scipy_p(c1: int, n1: int, c2: int, n2: int) -> float:
    from scipy.stats import binomtest

    return float(binomtest(c2, c1 + c2, n2 / (n1 + n2)).pvalue)


@pytest.mark.parametrize(("n1", "n2"), [(1, 1), (100, 100), (3, 5000), (10**6, 7)])
def test_no_trials_is_p_one(n1, n2):
    assert exact_p(0, n1, 0, n2) == 1.0


@pytest.mark.parametrize(
    ("c1", "n1", "c2", "n2", "expected"),
    [
        (3, 50, 0, 0, 1.0),  # no exposure in b: p = 0, c2 = 0 is certain
        (2, 50, 1, 0, 0.0),  # ... and a mention there impossible
        (0, 0, 3, 50, 1.0),  # no exposure in a: p = 1, every mention in b is certain
        (1, 0, 2, 50, 0.0),  # ... and a mention in a impossible
        (0, 0, 1, 1, 1.0),
        (40, 100, 0, 0, 1.0),
    ],
)
def test_exposure_edges(c1, n1, c2, n2, expected):
    assert exact_p(c1, n1, c2, n2) == expected
    assert scipy_p(c1, n1, c2, n2) == expected


@pytest.mark.parametrize(
    ("c1", "c2"),
    [(0, 1), (0, 7), (0, 60), (1, 0), (6, 0), (60, 0), (0, 400), (400, 0)],
)
@pytest.mark.parametrize(("n1", "n2"), [(100, 100), (48, 52), (10, 5000), (5000, 10)])
def test_a_zero_count_agrees_with_scipy(c1, c2, n1, n2):
    assert exact_p(c1, n1, c2, n2) == pytest.approx(scipy_p(c1, n1, c2, n2), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("c", [1, 2, 3, 7, 10, 21, 50, 200])
def test_ties_are_p_one_and_never_above(c):
    """Equal counts in equal exposures: no outcome is more likely, so p is the sum of all
    the probabilities, 1, which rounding can push above 1 (it must be clipped)."""
    p = exact_p(c, 100, c, 100)
    assert p <= 1.0  # clipped: the raw sum can be 1.0000000000000016
    assert p == pytest.approx(1.0, abs=1e-12)
    assert p == pytest.approx(scipy_p(c, 100, c, 100), rel=1e-12)


@pytest.mark.parametrize(("c1", "c2"), [(2, 4), (4, 2), (2, 9), (3, 5), (11, 4), (17, 30)])
def test_mirror_outcomes_count_as_equally_likely(c1, c2):
    """With p = 1/2 the outcomes k and trials - k are equally likely; rounding in the
    probabilities must not drop the mirror one (scipy's relative tolerance 1e-7)."""
    assert exact_p(c1, 100, c2, 100) == pytest.approx(scipy_p(c1, 100, c2, 100), rel=1e-9)
    assert exact_p(c1, 100, c2, 100) == exact_p(c2, 100, c1, 100)


counts = st.integers(min_value=0, max_value=150)
exposures = st.integers(min_value=1, max_value=10**6)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(counts, exposures, counts, exposures)
@example(3, 100, 3, 100)
@example(0, 1, 150, 10**6)
@example(150, 1, 0, 10**6)
def test_p_is_a_probability_equal_to_scipy(c1, n1, c2, n2):
    p = exact_p(c1, n1, c2, n2)
    assert 0.0 <= p <= 1.0
    expected = 1.0 if c1 + c2 == 0 else scipy_p(c1, n1, c2, n2)
    assert p == pytest.approx(expected, rel=1e-9, abs=1e-300)


# ---------------------------------------------------------------- f: the label at p = 0.05
FILL = "The crew will test the drill near the crater rim."  # 10 words, no actor


def label_series(root: Path, extra_words: int) -> dict[str, Any]:
    """Russia 3 → 0 mentions (one in the title, so the prominence interval excludes 0),
    54 words → 92 + ``extra_words`` words."""
    series = root / "s"
    body_a = "Russia will send a lander. Russia will provide a rover. " + " ".join([FILL] * 4)
    write_snapshot(series, "2020-01-a", "2020-01-01", "Russia and the station", body_a)
    body_b = " ".join([FILL] * 9) + "".join(" Done." for _ in range(extra_words))
    write_snapshot(series, "2021-01-b", "2021-01-01", "The station", body_b)
    rows = score_json(root)["changes"]
    return next(r for r in rows if r["actor"] == "russia")


def test_label_turns_supported_as_p_crosses_five_percent(tmp_path):
    above = label_series(tmp_path / "above", 0)
    below = label_series(tmp_path / "below", 1)
    for row, words_to in ((above, 92), (below, 93)):
        assert (row["count_from"], row["count_to"], row["words_from"]) == (3, 0, 54)
        assert row["words_to"] == words_to
        assert row["prominence_ci"][1] < 0  # the interval excludes 0 on both sides
        assert row["p_value"] == round(exact_p(3, 54, 0, words_to), 6)
    assert above["p_value"] == 0.050597 and above["label"] == "directional"
    assert below["p_value"] == 0.049571 and below["label"] == "supported"
