"""Actor scores: exact weights on planted documents, planted changes, calibration, ILRS."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.actors import ActorMatcher, load_actors
from narrative_diff.changes import change_rows, exact_p, log_odds_z, log_ratio
from narrative_diff.scoring import Weights, score_snapshot, table_rows

from .helpers import make_snapshot
from .test_cli import run

ROOT = Path(__file__).resolve().parents[1]
ACTORS = load_actors()
MATCHER = ActorMatcher(ACTORS)


def _score(
    body: str, *, language: str = "en", weights: Weights | None = None, slug="a", date="2024-01-01"
):
    snap = make_snapshot("s", slug, date, body, language=language)
    return score_snapshot(snap, MATCHER, weights or Weights())


def _row(score, actor: str) -> dict:
    rows = table_rows([score], ACTORS, lambda s: "v1")
    return next(r for r in rows if r["actor"] == actor)


PLANTED = (
    "# Russia and the station\n\n"
    "China leads the project. Partners are welcome.\n\n"
    "## Phases\n\n"
    "The first phase starts soon. Work continues. Russia will send a lander. "
    "Nothing else is planned.\n"
)


def test_planted_weights_are_exact():
    score = _score(PLANTED)
    russia = [(m.where, m.rank, m.weight) for m in score.mentions if m.actor == "russia"]
    # title: 2.0 × 1; body sentence k=5 (after the 2 lead sentences and 2 more): 1/log2(6)
    assert russia == [("title", 0, 2.0), ("body", 5, round(1 / __import__("math").log2(6), 6))]
    china = [(m.where, m.rank, m.weight) for m in score.mentions if m.actor == "china"]
    assert china == [("lead", 1, 1.5)]
    row = _row(score, "russia")
    assert row["count"] == 2 and row["sentences"] == 6
    assert row["sentence_share"] == round(1 / 6, 4)
    assert row["prominence"] == round(2.0 + 1 / __import__("math").log2(6), 4)
    assert row["first_position"] == 0.0
    assert _row(score, "china")["first_position"] == 0.0


def test_cap_per_sentence_counts_one_weighted_mention():
    body = "# T\n\nRussia, Russia and Russia again.\n"
    plain = _row(_score(body), "russia")
    capped = _row(_score(body, weights=Weights(cap_per_sentence=True)), "russia")
    assert (plain["count"], plain["prominence"]) == (3, 4.5)
    assert (capped["count"], capped["prominence"]) == (3, 1.5)


def test_a_mention_moved_from_the_title_to_sentence_ten_loses_prominence():
    filler = " ".join(f"Sentence {n} is about the station." for n in range(1, 10))
    before = _score(f"# Russia and the station\n\n{filler} The plan was agreed.\n", slug="a")
    after = _score(
        f"# The station\n\n{filler} Russia agreed the plan.\n", slug="b", date="2024-02-01"
    )
    row = next(r for r in change_rows(before, after, ACTORS, Weights()) if r["actor"] == "russia")
    assert (row["count_from"], row["count_to"], row["event"]) == (1, 1, "")
    assert row["prominence_from"] == 2.0
    # the only paragraph is the lead: w_struct 1.5, w_pos 1/log2(1 + 10)
    assert row["prominence_to"] == round(1.5 / __import__("math").log2(11), 4)
    assert row["prominence_change"] < 0 and row["label"] == "directional"


def test_all_mentions_deleted_is_disappeared_with_negative_statistics():
    text = "# Station\n\n" + " ".join(["Russia builds the station."] * 6) + "\n"
    gone = "# Station\n\n" + " ".join(["China builds the station."] * 6) + "\n"
    row = next(
        r
        for r in change_rows(_score(text, slug="a"), _score(gone, slug="b"), ACTORS, Weights())
        if r["actor"] == "russia"
    )
    assert (row["count_from"], row["count_to"], row["event"]) == (6, 0, "DISAPPEARED")
    assert row["log_ratio"] < 0 and row["log_odds_z"] < 0
    assert row["p_value"] == 0.03125  # 2 × 0.5**6: the same number of words on both sides
    assert row["prominence_ci"][1] < 0
    assert row["label"] == "supported"


def test_nothing_to_test_for_zero_to_zero():
    row = next(
        r
        for r in change_rows(
            _score("# A\n\nChina.\n"), _score("# B\n\nChina too.\n"), ACTORS, Weights()
        )
        if r["actor"] == "russia"
    )
    assert (row["p_value"], row["log_ratio"], row["label"]) == (None, None, "")


@pytest.mark.parametrize("counts", [(0, 1), (6, 0), (3, 5), (10, 2), (40, 37), (1, 120), (0, 0)])
@pytest.mark.parametrize("sizes", [(100, 100), (250, 1000), (5000, 800)])
def test_exact_p_equals_scipy_binomtest(counts, sizes):
    from scipy.stats import binomtest

    (c1, c2), (n1, n2) = counts, sizes
    expected = 1.0 if c1 + c2 == 0 else binomtest(c2, c1 + c2, n2 / (n1 + n2)).pvalue
    assert exact_p(c1, n1, c2, n2) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_formulas_match_the_worked_values():
    assert round(log_ratio(0, 100, 5, 100), 3) == 3.459
    # a symmetric change has opposite z
    assert log_odds_z(5, 1000, 0, 1000, 10) == pytest.approx(-log_odds_z(0, 1000, 5, 1000, 10))


def test_no_change_simulation_is_rarely_supported():
    """Same mention rate on both sides: "supported" must stay near the 5% nominal level."""
    rng = random.Random(7)
    supported = tested = 0
    for trial in range(150):
        docs = []
        for side in range(2):
            sentences = [
                "Russia builds the station." if rng.random() < 0.15 else "The station grows."
                for _ in range(120)
            ]
            docs.append(
                _score("# Report\n\n" + " ".join(sentences) + "\n", slug=f"t{trial}-{side}")
            )
        row = next(
            r
            for r in change_rows(docs[0], docs[1], ACTORS, Weights(bootstrap=500))
            if r["actor"] == "russia"
        )
        if row["label"]:
            tested += 1
            supported += row["label"] == "supported"
    assert tested == 150
    assert supported / tested <= 0.10  # nominal 5%; the exact test is conservative


def test_bootstrap_is_reproducible():
    one, two = _score(PLANTED, slug="a"), _score("# T\n\nRussia left.\n", slug="b")
    first = change_rows(one, two, ACTORS, Weights())
    again = change_rows(one, two, ACTORS, Weights())
    assert first == again


# ------------------------------------------------------------------ the ILRS series
@pytest.fixture(scope="module")
def ilrs():
    return api.score_series(api.open_corpus(ROOT / "seeds"), "ilrs")


def test_ilrs_russia_prominent_then_named_then_gone(ilrs):
    russia = ilrs.table[ilrs.table["actor"] == "russia"].set_index("ref")
    assert russia.loc["v1", "count"] >= 3 and russia.loc["v1", "first_position"] == 0.0
    assert russia.loc["v2", "count"] >= 1
    assert russia.loc["v3", "count"] == 0 and russia.loc["v3", "event"] == "DISAPPEARED"
    assert russia.loc["v1", "prominence"] > russia.loc["v2", "prominence"]


def test_ilrs_unnamed_partners_rise_and_china_gains_voice(ilrs):
    table = ilrs.table.set_index(["actor", "ref"])
    assert table.loc[("several", "v3"), "count"] > table.loc[("several", "v1"), "count"]
    assert (
        table.loc[("china", "v3"), "share_of_voice"] > table.loc[("china", "v1"), "share_of_voice"]
    )


def test_weight_sensitivity_keeps_the_rank_order(ilrs):
    """Title weight 1.5–3 and log vs exponential decay: China and Russia keep their order in
    every snapshot where both appear."""
    base = ilrs.table
    for weights in (Weights(title=1.5), Weights(title=3.0), Weights(decay="exp")):
        other = api.score_series(api.open_corpus(ROOT / "seeds"), "ilrs", weights=weights).table
        for ref in base["ref"].unique():

            def order(table, ref=ref):
                rows = table[(table["ref"] == ref) & table["actor"].isin(["china", "russia"])]
                rows = rows[rows["count"] > 0]
                return list(rows.sort_values("prominence", ascending=False)["actor"])

            assert order(other) == order(base), (weights, ref)


# ------------------------------------------------------------------ CLI
def test_score_cli_table_csv_json(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "score", "ilrs")
    assert (code, err) == (0, "")
    assert "DISAPPEARED" in out and "Russia" in out
    code, out, _ = run(capsys, "score", "ilrs", "-f", "csv")
    header = out.splitlines()[0].split(",")
    assert header[:8] == [
        "series",
        "snapshot",
        "ref",
        "date",
        "language",
        "actor",
        "actor_name",
        "kind",
    ]
    code, out, _ = run(capsys, "score", "-f", "json")
    data = json.loads(out)
    assert {"scores", "changes", "actors_file"} <= set(data)


def test_kwic_russia_shows_the_sentences(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "kwic", "russia", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert {r["ref"] for r in rows} <= {"v1", "v2"}
    assert all(r["text"] in r["context"] for r in rows)
    assert any(r["alias"] == "Roscosmos" for r in rows)


def test_compare_has_the_actor_block(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "compare", "v1", "v3", "-f", "json")
    block = {x["actor"]: x for x in json.loads(out)["summary"]["actors"]}
    assert block["russia"]["event"] == "DISAPPEARED" and block["russia"]["count_b"] == 0
    assert block["russia"]["evidence_a"]
    code, out, _ = run(capsys, "compare", "v1", "v3", "--plain")
    assert code == 0
    assert "Actors (mentions a → b)" in out and "DISAPPEARED" in out


def test_unknown_actor_is_a_one_line_error(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, _, err = run(capsys, "kwic", "atlantis")
    assert code != 0 and err.count("\n") == 1 and "atlantis" in err


def test_score_between_two_refs(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "score", "--between", "v2", "v5", "-f", "json")
    changes = json.loads(out)["changes"]
    assert code == 0
    assert {(c["from"], c["to"]) for c in changes} == {
        ("ilrs/2022-01-white-paper", "ilrs/2024-04-new-partners")
    }
    russia = next(c for c in changes if c["actor"] == "russia")
    assert (russia["count_from"], russia["count_to"], russia["event"]) == (2, 0, "DISAPPEARED")
