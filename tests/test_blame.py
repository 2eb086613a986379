"""``blame`` and ``history``: a planted series whose ancestry is known, and the ILRS seeds.

The planted series (three versions of an invented station plan) holds every case the chain
must follow: a sentence edited twice; a paragraph moved and one of its sentences edited; a
sentence split in two, then merged back; a sentence deleted and re-added verbatim (a new
introduction, noted as a return); a title changed only in case and a Chinese sentence
changed only in script (no change).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.errors import SnapshotConflict

from .helpers import PINNED, make_snapshot

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "fixtures" / "golden" / "ilrs-blame-v5.json"

V1 = """# Station plan

The station is led by Alpha. Beta supplies the rover.

Gamma builds the lander. The lander lands in 2030.

Delta and Epsilon share the relay work, and they test it together in orbit before launch.

合作伙伴共同建设国际月球科研站。

Zeta funds the science.
"""
V2 = """# STATION PLAN

The station is led by Alpha and Omega. Beta supplies the rover.

Delta and Epsilon share the relay work. They test it together in orbit before launch.

合作夥伴共同建設國際月球科研站。

Gamma builds the lander. The lander lands in 2031.
"""
V3 = """# Station Plan

The station is led by Alpha, Omega and Kappa. Beta supplies the rover.

Delta and Epsilon share the relay work, and they test it together in orbit before launch.

合作夥伴共同建設國際月球科研站。

Gamma builds the lander. The lander lands in 2031.

Zeta funds the science.
"""


@pytest.fixture
def planted(tmp_path: Path) -> Corpus:
    corpus = Corpus(tmp_path / "corpus")
    (tmp_path / "corpus").mkdir()
    for slug, date, body in (
        ("v1", "2020-01-01", V1),
        ("v2", "2021-01-01", V2),
        ("v3", "2022-01-01", V3),
    ):
        corpus.add(make_snapshot("plan", slug, date, body, language="en"))
    return corpus


def _by_sentence(corpus: Corpus, ref: str) -> dict[str, dict[str, object]]:
    return {line.sentence: line.as_dict() for line in api.blame_snapshot(corpus, ref).lines}


def _history(row: dict[str, object]) -> list[tuple[str, str]]:
    return [(step["ref"], step["op"]) for step in row["history"]]  # type: ignore[index,union-attr]


def test_blame_follows_edits_moves_splits_merges_and_returns(planted: Corpus) -> None:
    rows = _by_sentence(planted, "v3")
    assert len(rows) == 8

    def came(text: str) -> tuple[str, str]:
        row = rows[text]
        return row["introduced"]["ref"], row["last_changed"]["ref"]  # type: ignore[index]

    led = "The station is led by Alpha, Omega and Kappa."
    assert came(led) == ("v1", "v3")  # edited twice
    assert _history(rows[led]) == [("v1", "introduced"), ("v2", "edited"), ("v3", "edited")]
    assert [step["text"] for step in rows[led]["history"]] == [  # type: ignore[union-attr,index]
        "The station is led by Alpha.",
        "The station is led by Alpha and Omega.",
        led,
    ]
    assert came("Beta supplies the rover.") == ("v1", "v1")
    assert _history(rows["Beta supplies the rover."]) == [("v1", "introduced")]
    # moved to the end in v2 and edited there: introduced in v1, last changed in v2
    assert came("The lander lands in 2031.") == ("v1", "v2")
    assert _history(rows["The lander lands in 2031."]) == [("v1", "introduced"), ("v2", "edited")]
    assert came("Gamma builds the lander.") == ("v1", "v1")  # moved: not a change
    assert _history(rows["Gamma builds the lander."]) == [("v1", "introduced"), ("v2", "moved")]
    # split in v2, merged back in v3: one sentence introduced in v1
    merged = (
        "Delta and Epsilon share the relay work, and they test it together in orbit before launch."
    )
    assert came(merged) == ("v1", "v3")
    assert [op for _, op in _history(rows[merged])] == ["introduced", "split", "merged"]
    # deleted in v2, back verbatim in v3: a new introduction, noted as a return
    back = rows["Zeta funds the science."]
    assert came("Zeta funds the science.") == ("v3", "v3")
    assert back["returned_from"] == {"ref": "v1", "date": "2020-01-01", "id": "plan/v1"}
    assert _history(back) == [("v3", "returned")]
    # case only, script only: no change
    assert came("# Station Plan") == ("v1", "v1")
    assert came("合作夥伴共同建設國際月球科研站。") == ("v1", "v1")


def test_the_split_halves_descend_from_the_sentence_they_were_cut_from(planted: Corpus) -> None:
    rows = _by_sentence(planted, "v2")
    for half in (
        "Delta and Epsilon share the relay work.",
        "They test it together in orbit before launch.",
    ):
        assert (rows[half]["introduced"]["ref"], rows[half]["last_changed"]["ref"]) == ("v1", "v2")  # type: ignore[index]
        assert _history(rows[half]) == [("v1", "introduced"), ("v2", "split")]


def test_a_first_snapshot_introduces_every_sentence(planted: Corpus) -> None:
    found = api.blame_snapshot(planted, "v1")
    assert found.versions == 1
    assert {
        (line.lineage.introduced.ref, line.lineage.last_changed.ref) for line in found.lines
    } == {("v1", "v1")}
    assert [line.where for line in found.lines][:2] == ["title", "paragraph"]


def test_history_of_a_sentence_runs_back_and_forward(planted: Corpus) -> None:
    found = api.lifecycle(planted, "plan", sentence="1@v2")  # "… led by Alpha and Omega."
    assert [(v.version.ref, v.op, v.sentences) for v in found.versions] == [
        ("v1", "introduced", ("The station is led by Alpha.",)),
        ("v2", "edited", ("The station is led by Alpha and Omega.",)),
        ("v3", "edited", ("The station is led by Alpha, Omega and Kappa.",)),
    ]
    assert (found.first.ref, found.last.ref, found.in_latest) == ("v1", "v3", True)  # type: ignore[union-attr]
    gone = api.lifecycle(planted, "plan", sentence="7@v1")  # Zeta: deleted in v2
    assert [(v.version.ref, v.op) for v in gone.versions] == [
        ("v1", "introduced"),
        ("v2", "deleted"),
    ]
    assert (gone.last.ref, gone.in_latest) == ("v1", False)  # type: ignore[union-attr]


def test_history_of_a_phrase_folds_case_and_script(planted: Corpus) -> None:
    found = api.lifecycle(planted, "plan", phrase="国际月球科研站")
    assert [(v.version.ref, v.count, v.forms) for v in found.versions] == [
        ("v1", 1, ("国际月球科研站",)),
        ("v2", 1, ("國際月球科研站",)),
        ("v3", 1, ("國際月球科研站",)),
    ]
    zeta = api.lifecycle(planted, "plan", phrase="ZETA funds")
    assert [(v.version.ref, v.count) for v in zeta.versions] == [("v1", 1), ("v2", 0), ("v3", 1)]
    assert zeta.as_dict()["first"] == {"ref": "v1", "date": "2020-01-01", "id": "plan/v1"}
    assert zeta.in_latest


def test_ilrs_history_of_the_founding_phrases() -> None:
    """The worked example of docs/methodology.md."""
    corpus = api.open_corpus(PINNED)

    def seen(phrase: str) -> tuple[str | None, str | None, bool]:
        found = api.lifecycle(corpus, "ilrs", phrase=phrase)
        first, last = found.first, found.last
        return (first.ref if first else None, last.ref if last else None, found.in_latest)

    assert seen("jointly initiated") == ("v1", "v1", False)
    assert seen("together with Russia") == ("v2", "v2", False)
    assert seen("Basic Model") == ("v3", "v5", False)
    russia = api.lifecycle(corpus, "ilrs", actor="Russia")
    assert [(v.version.ref, v.count) for v in russia.versions][:3] == [
        ("v1", 9),
        ("v2", 2),
        ("v3", 0),
    ]
    assert "The ILRS was launched together with Russia." in russia.versions[1].sentences


def test_ilrs_blame_golden() -> None:
    """blame v5 of the ILRS seeds, as JSON; NARRATIVE_DIFF_UPDATE_GOLDEN=1 accepts a change."""
    actual = json.dumps(
        [line.as_dict() for line in api.blame_snapshot(api.open_corpus(PINNED), "v5").lines],
        ensure_ascii=False,
        indent=1,
    )
    if os.environ.get("NARRATIVE_DIFF_UPDATE_GOLDEN"):
        GOLDEN.write_text(actual + "\n", encoding="utf-8")
    assert actual + "\n" == GOLDEN.read_text(encoding="utf-8")


def test_cli_blame_and_history_formats(planted: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = str(planted.root)
    assert main(["blame", "v3", "-c", corpus, "-f", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("index,where,sentence,introduced_ref,")
    assert any(
        ",v1,2020-01-01,plan/v1,v3,2022-01-01,plan/v3,,v1 introduced; v2 edited; v3 edited" in line
        for line in lines
    )
    assert main(["blame", "v3", "-c", corpus]) == 0
    table = capsys.readouterr().out
    assert "v3 2022-01-01 (back from v1)" in table
    assert main(["history", "-c", corpus, "--phrase", "Zeta", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["first"]["ref"], data["last"]["ref"], data["in_latest"]) == ("v1", "v3", True)
    assert main(["history", "-c", corpus, "--phrase", "Zeta", "-f", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == "v2,2021-01-01,plan/v2,0,,,"


@pytest.mark.parametrize(
    ("args", "code", "err"),
    [
        (["blame", "v9"], 4, "no snapshot 'v9'"),
        (["history", "--phrase", "  "], 2, "--phrase is empty"),
        (["history"], 2, "give one of --phrase, --actor or --sentence"),
        (["history", "--phrase", "a", "--actor", "b"], 2, "(got --phrase and --actor)"),
        (["history", "--sentence", "x@v1"], 2, "is not N@REF"),
        (["history", "--sentence", "99@v1"], 2, "there is no sentence 99"),
        (["history", "--actor", "nobody"], 4, "no actor 'nobody'"),
    ],
)
def test_bad_input_is_one_line(planted: Corpus, capsys, args, code, err) -> None:
    assert main([*args, "-c", str(planted.root)]) == code
    stderr = capsys.readouterr().err
    assert err in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_a_phrase_found_nowhere_is_a_warning_and_an_empty_result(planted: Corpus, capsys) -> None:
    assert main(["history", "--phrase", "Mars", "-c", str(planted.root), "-f", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == "warning: no occurrence of 'Mars' in the series\n"
    data = json.loads(out)
    assert (data["first"], data["last"], data["versions"]) == (None, None, [])
    assert main(["history", "--phrase", "Mars", "-c", str(planted.root)]) == 0
    assert capsys.readouterr().out == ""


WORDS = ["alpha", "beta", "gamma", "delta", "station", "lander", "rover", "orbit", "relay"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(
            st.lists(st.sampled_from(WORDS), min_size=3, max_size=8).map(
                lambda w: " ".join(w).capitalize() + "."
            ),
            min_size=1,
            max_size=6,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_blame_invariants_on_generated_series(tmp_path_factory, versions) -> None:
    """Whatever the versions: a sentence is introduced no later than it last changed, no
    later than the snapshot; its history starts with its introduction and ends with the
    text it has (as folded)."""
    from narrative_diff.ancestry import folded

    root = tmp_path_factory.mktemp("gen")
    corpus = Corpus(root)
    added = 0
    for n, sentences in enumerate(versions):
        body = "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))
        try:
            corpus.add(make_snapshot("gen", f"s{n}", f"202{n}-01-01", body, language="en"))
            added += 1
        except SnapshotConflict:  # the same text as a version before: not a new snapshot
            continue
    for k in range(1, added + 1):
        for line in api.blame_snapshot(corpus, f"v{k}").lines:
            d = line.lineage
            assert d.introduced.date <= d.last_changed.date <= f"202{len(versions)}"
            assert d.steps[0].op in ("introduced", "returned")
            assert d.steps[0].version == d.introduced
            assert folded(d.steps[-1].text) == folded(line.sentence)


def test_change_map_of_the_planted_series(planted: Corpus) -> None:
    from narrative_diff.ancestry import Chain, change_map

    snaps = planted.snapshots("plan")
    chain = Chain(snaps, {s.id: planted.version_of(s) for s in snaps})
    found = change_map(chain, 2)
    assert [v.ref for v in found.versions] == ["v1", "v2", "v3"]
    assert [label.split(":")[0] for label in found.blocks] == ["title"] + ["paragraph"] * 5
    assert not found.blocks[0].startswith("title: #")  # labels are text, not Markdown
    assert found.values == (
        (1.0, 0.0, 0.0),  # the title: a change of case is not a change
        (1.0, 0.5, 0.5),  # "led by": edited twice; "Beta" never
        (1.0, 1.0, 1.0),  # split, then merged back
        (1.0, 0.0, 0.0),  # a change of Chinese script only
        (1.0, 0.5, 0.0),  # moved in v2 (no change) with one sentence edited
        (None, None, 1.0),  # Zeta: back in v3, a new introduction
    )


def test_heatmaps_draw_the_values_they_hold(planted: Corpus, tmp_path: Path) -> None:
    from narrative_diff.charts.heatmap import draw_heatmap
    from narrative_diff.fonts import font_set

    written = api.heatmap_series(planted, "plan", "changes", tmp_path / "changes.png")
    assert written.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "6 rows × 3 snapshots" in written.what
    from narrative_diff.ancestry import Chain, change_map
    from narrative_diff.charts.heatmap import change_heatmap

    snaps = planted.snapshots("plan")
    chain = Chain(snaps, {s.id: planted.version_of(s) for s in snaps})
    heat = change_heatmap(change_map(chain, 2), series="plan")
    fig = draw_heatmap(heat, font_set())
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert cells == [
        *("100%", "0%", "0%", "100%", "50%", "50%", "100%", "100%", "100%"),
        *("100%", "0%", "0%", "100%", "50%", "0%", "100%"),
    ]
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows[0].startswith("¶1 ") and "#" not in "".join(rows)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
        "v1\n2020-01",
        "v2\n2021-01",
        "v3\n2022-01",
    ]


def test_actor_heatmap_holds_the_score_table(tmp_path: Path) -> None:
    corpus = api.open_corpus(PINNED)
    result = api.score_series(corpus, "ilrs")
    from narrative_diff.charts.heatmap import actor_heatmap

    heat = actor_heatmap(result.rows, "count", series="ilrs")
    russia = heat.values[heat.rows.index("Russia")]
    assert russia == tuple(
        float(r.count) for r in result.rows if r.actor == "russia"
    )  # fmt: skip
    assert russia[:3] == (9.0, 2.0, 0.0)
    assert heat.rows[0] in ("Russia", "China")  # by peak
    out = tmp_path / "count.svg"
    written = api.heatmap_series(corpus, "ilrs", "count", out)
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    assert "heat-map (count" in written.what


def test_a_line_metric_list_is_not_a_heatmap(capsys) -> None:
    assert main(["chart", "--kind", "heatmap", "--metric", "wobble", "-c", str(PINNED)]) == 2
    assert "--metric wobble cannot be drawn as a heat-map" in capsys.readouterr().err
    assert main(["chart", "--kind", "pie", "-c", str(PINNED)]) == 2


def test_a_one_snapshot_series(tmp_path: Path, capsys) -> None:
    """Every sentence is introduced in the only snapshot; the report has no 'stayed' section;
    the change map has one column."""
    (tmp_path / "c").mkdir()
    corpus = Corpus(tmp_path / "c")
    corpus.add(make_snapshot("one", "only", "2024-05-01", V1, language="en"))
    assert main(["blame", "v1", "-c", str(corpus.root), "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8
    assert {(r["introduced"]["ref"], r["last_changed"]["ref"]) for r in rows} == {("v1", "v1")}
    found = api.lifecycle(corpus, "one", sentence="1@v1")
    assert [(v.version.ref, v.op) for v in found.versions] == [("v1", "introduced")]
    assert found.in_latest
    written = api.heatmap_series(corpus, "one", "changes", tmp_path / "one.png")
    assert "× 1 snapshot)" in written.what
    assert api.build_report(corpus, "one").stayed is None


# -- from a cold review -----------------------------------------------------------------


def _corpus(tmp_path: Path, *snaps: tuple[str, str, str, dict[str, object]]) -> Corpus:
    (tmp_path / "c").mkdir()
    corpus = Corpus(tmp_path / "c")
    for slug, date, body, meta in snaps:
        corpus.add(make_snapshot("st", slug, date, body, **{"language": "en", **meta}))
    return corpus


def test_no_chain_runs_through_a_translation(tmp_path: Path) -> None:
    """en v1, zh v2, en v3 sharing a sentence: history, blame and the change map agree that
    it was introduced in v3 (a version in another language breaks the chain)."""
    same = "See ILRS Roadmap V1.0 (2021)."
    corpus = _corpus(
        tmp_path,
        ("a", "2021-01-01", f"# One\n\nThe station is planned.\n\n{same}\n", {}),
        ("b", "2022-01-01", f"# 二\n\n月球站正在规划。\n\n{same}\n", {"language": "zh"}),
        ("c", "2023-01-01", f"# Three\n\nThe station is built.\n\n{same}\n", {}),
    )
    blamed = {line.sentence: line for line in api.blame_snapshot(corpus, "v3").lines}
    assert blamed[same].lineage.introduced.ref == "v3"
    found = api.lifecycle(corpus, "st", sentence="2@v3")
    assert [(v.version.ref, v.op) for v in found.versions] == [("v3", "introduced")]
    zh = api.lifecycle(corpus, "st", sentence="2@v2")
    assert [(v.version.ref, v.op) for v in zh.versions] == [
        ("v2", "introduced"),
        ("v3", "other-language"),
    ]


def test_the_report_section_follows_the_longest_source(tmp_path: Path) -> None:
    """Lineage A has three versions, lineage B one (the latest snapshot): the section reads A
    (not a one-version chain), judges A's names by A's latest, and says B is left out."""
    a1 = "# Plan\n\nAlpha leads. Russia helps.\n\nThe budget is shared equally.\n"
    a2 = "# Plan\n\nAlpha leads.\n\nBeta provides the rover.\n"
    a3 = "# Plan\n\nAlpha leads. Russia helps again.\n\nThe budget is shared equally.\n"
    corpus = _corpus(
        tmp_path,
        ("a1", "2021-01-01", a1, {"lineage": "agency"}),
        ("a2", "2022-01-01", a2, {"lineage": "agency"}),
        ("a3", "2023-01-01", a3, {"lineage": "agency"}),
        ("b1", "2024-01-01", "# Press\n\nAlpha leads the station alone.\n", {"lineage": "press"}),
    )
    stayed = api.build_report(corpus, "st").stayed
    assert stayed.chain == "v1 to v3"
    assert "v4 (another language or source) is not part of that chain" in stayed.note
    groups = dict(stayed.groups())
    assert groups["Unchanged since v1 (2021-01-01)"] == [("", "Plan"), ("", "Alpha leads.")]
    # dropped in v2 and written again in v3: a return, not a loss
    assert ("back from v1", "The budget is shared equally.") in groups["New in v3 (2023-01-01)"]
    assert groups["Sentences dropped, newest first"] == [
        ("last in v2 (2022-01-01), gone in v3", "Beta provides the rover."),
        ("last in v1 (2021-01-01), gone in v2", "Russia helps."),
    ]
    assert "Names no longer used" not in groups  # Russia is in a3, the source's latest


def test_history_of_a_sentence_checks_its_series_and_says_where_its_source_ends(
    tmp_path: Path, capsys
) -> None:
    corpus = _corpus(
        tmp_path,
        ("a1", "2021-01-01", "# Plan\n\nAlpha leads.\n", {"lineage": "agency"}),
        ("a2", "2022-01-01", "# Plan\n\nAlpha leads.\n\nBeta helps.\n", {"lineage": "agency"}),
        ("b1", "2024-01-01", "# Press\n\nGamma reports.\n", {"lineage": "press"}),
    )
    found = api.lifecycle(corpus, "st", sentence="1 @ v1")  # spaces are allowed
    assert (found.last.ref, found.in_latest) == ("v2", False)  # type: ignore[union-attr]
    assert found.note == "its source's latest version is v2; v3 is from another source"
    (tmp_path / "c" / "other").mkdir()
    Corpus(tmp_path / "c").add(make_snapshot("other", "o1", "2020-01-01", "Delta.", language="en"))
    assert main(["history", "st", "--sentence", "0@other:v1", "-c", str(corpus.root)]) == 2
    err = capsys.readouterr().err
    assert "names a snapshot of series 'other', not 'st'" in err
    assert main(["history", "st", "--sentence", "9@st:v1", "-c", str(corpus.root)]) == 2
    assert "see their numbers with 'narrative-diff blame st:v1'" in capsys.readouterr().err


def test_a_heatmap_with_no_actor_named_is_refused(tmp_path: Path, capsys) -> None:
    corpus = _corpus(
        tmp_path,
        ("a1", "2021-01-01", "# Plan\n\nNobody leads.\n", {}),
        ("a2", "2022-01-01", "# Plan\n\nNobody leads yet.\n", {}),
    )
    out = tmp_path / "h.png"
    assert main(["chart", "--kind", "heatmap", "-c", str(corpus.root), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nothing-to-chart: no actor of bundled: actors-ilrs.toml is named" in err
    assert not out.exists()
    assert main(["chart", "--kind", "heatmap", "--metric", "changes", "--top", "1", "-c",
                 str(corpus.root), "-o", str(out)]) == 0  # fmt: skip
    assert "heat-map (changes, 1 row × 2 snapshots)" in capsys.readouterr().out
