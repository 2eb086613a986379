"""Lineages: events, change statistics, findings and charts compare snapshots of one source.

The mixed series below has three lineages in date order c1 t1 c2 c3 t2 x1 (CNSA: c1 c2 c3;
TASS: t1 t2; Xinhua: x1). Read as one line, it would say "Russia DISAPPEARED" at c2 and
"Russia APPEARED" at t2 (a switch of outlet); read by lineage, Russia disappears from CNSA
at c2 for good, Pakistan is absent once (c2) and back (c3), and nothing happens at t2 or x1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.changes import lineage_pairs, summary_pair
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.errors import CorpusError, UsageProblem
from narrative_diff.snapshot import Snapshot, check_lineage

from .helpers import PINNED, make_snapshot, raises_slug, tree_digest

DOCS = {  # slug: (date, publisher, lineage, body)
    "c1": (
        "2021-06-16",
        "China National Space Administration",
        "CNSA",
        "# Station roadmap\n\nThe station is jointly initiated by China and Russia. "
        "Russia and China will build it as equal partners.\n\nPakistan is welcome to join.\n",
    ),
    "t1": (
        "2021-07-01",
        "TASS",
        None,
        "# Moon station memorandum\n\nRussia and China signed the memorandum. "
        "Russia will send its own landers.\n",
    ),
    "c2": (
        "2022-03-01",
        "China National Space Administration",
        "CNSA",
        "# Station update\n\nThe station is proposed by China and built with several countries.\n",
    ),
    "c3": (
        "2023-05-01",
        "China National Space Administration",
        "cnsa",  # case does not make a new lineage
        "# Station phases\n\nThe station is proposed by China. Pakistan has joined it.\n",
    ),
    "t2": (
        "2023-06-01",
        "TASS",
        None,
        "# Moon station\n\nRussia remains a partner of China in the station.\n",
    ),
    "x1": (
        "2024-04-24",
        "Xinhua News Agency (English service)",
        "Xinhua",
        "# New partners\n\nVenezuela signed an agreement with China on the station.\n",
    ),
}


def _mixed(root: Path) -> Corpus:
    corpus = Corpus(root)
    root.mkdir(parents=True, exist_ok=True)
    for slug, (date, publisher, lineage, body) in DOCS.items():
        corpus.add(
            make_snapshot(
                "moon", slug, date, body, language="en", publisher=publisher, lineage=lineage
            )
        )
    return Corpus(root)


@pytest.fixture
def mixed(tmp_path: Path) -> Corpus:
    return _mixed(tmp_path / "corpus")


def _events(result: api.ScoreResult) -> dict[tuple[str, str], str]:
    return {(r.snapshot.split("/")[1], r.actor): r.event for r in result.rows if r.event}


def test_the_lineage_is_stored_and_defaults_to_the_publisher(mixed: Corpus) -> None:
    snaps = {s.slug: s for s in mixed.snapshots("moon")}
    assert snaps["c1"].lineage == "CNSA" and snaps["c1"].lineage_name == "CNSA"
    assert snaps["t1"].lineage is None and snaps["t1"].lineage_name == "TASS"
    assert snaps["c3"].lineage_key == snaps["c1"].lineage_key == "cnsa"
    text = snaps["x1"].to_markdown()
    assert "\nlineage: Xinhua\n" in text
    assert Snapshot.from_markdown(text).lineage == "Xinhua"
    unattributed = make_snapshot("moon", "u", "2024-01-01", "# U\n\nText.\n")
    assert unattributed.lineage_name == ""


def test_events_compare_snapshots_of_one_lineage(mixed: Corpus) -> None:
    result = api.score_series(mixed, "moon")
    assert _events(result) == {
        ("c2", "russia"): "DISAPPEARED",  # CNSA never names it again
        ("c2", "pakistan"): "ABSENT",  # a one-off absence: CNSA names it again in c3
        ("c2", "several"): "APPEARED",
        ("c3", "several"): "DISAPPEARED",
        ("c3", "pakistan"): "APPEARED",
    }
    # nothing at t2 (TASS after CNSA) or x1 (a lineage's first snapshot)
    rows = {(r.snapshot.split("/")[1], r.actor): r for r in result.rows}
    assert rows[("t2", "russia")].count == 1 and rows[("t2", "russia")].event == ""
    assert rows[("x1", "venezuela")].count == 1 and rows[("x1", "venezuela")].event == ""
    assert rows[("t1", "russia")].lineage == "TASS"


def test_change_rows_pair_snapshots_within_a_lineage(mixed: Corpus) -> None:
    result = api.score_series(mixed, "moon")
    pairs = {(r.from_id.split("/")[1], r.to_id.split("/")[1]) for r in result.changes}
    assert pairs == {("c1", "c2"), ("c2", "c3"), ("t1", "t2"), ("c1", "c3")}
    russia = next(r for r in result.changes if r.actor == "russia" and r.to_id == "moon/c2")
    assert (russia.from_lineage, russia.to_lineage, russia.cross_source) == ("CNSA", "CNSA", False)
    assert russia.event == "DISAPPEARED" and russia.p_value is not None
    pakistan = next(r for r in result.changes if r.actor == "pakistan" and r.to_id == "moon/c2")
    assert pakistan.named_later and pakistan.event == "ABSENT"
    data = result.as_dict()
    assert data["lineages"] == ["CNSA", "TASS", "Xinhua"] and data["by"] == "snapshot"
    first = data["changes"][0]
    assert first["from_lineage"] == first["to_lineage"] == "CNSA"


def test_a_pair_across_lineages_is_cross_source_without_event_or_test(mixed: Corpus) -> None:
    result = api.score_series(mixed, "moon", between=("v3", "v5"))  # c2 (CNSA) → t2 (TASS)
    russia = next(r for r in result.changes if r.actor == "russia")
    assert (russia.count_from, russia.count_to) == (0, 1)
    assert russia.cross_source and russia.event == "" and russia.label == "cross-source"
    assert russia.p_value is None and russia.prominence_ci is None
    assert russia.as_dict()["from_lineage"] == "CNSA"
    assert russia.as_dict()["to_lineage"] == "TASS"


def test_pairs_and_the_summary_pair_follow_lineages(mixed: Corpus) -> None:
    snaps = mixed.snapshots("moon")  # c1 t1 c2 c3 t2 x1
    assert lineage_pairs(snaps) == [(0, 2), (2, 3), (1, 4), (0, 3)]
    assert summary_pair(snaps) == (1, 4)  # the last two of one language and lineage: TASS
    one = [s for s in snaps if s.lineage_key == "cnsa"]
    assert lineage_pairs(one) == [(0, 1), (1, 2), (0, 2)]  # one lineage: as before


def test_score_by_lineage_groups_rows_and_the_terminal_grids(
    mixed: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(mixed.root)
    assert main(["score", "moon", "--by", "lineage", "-f", "csv", "--corpus", root]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",")
    slugs = [line.split(",")[1].split("/")[1] for line in lines[1:]]
    assert list(dict.fromkeys(slugs)) == ["c1", "c2", "c3", "t1", "t2", "x1"]
    assert {line.split(",")[header.index("lineage")] for line in lines[1:]} == {
        "CNSA",
        "TASS",
        "Xinhua",
    }
    assert main(["score", "moon", "--by", "lineage", "--corpus", root]) == 0
    out = capsys.readouterr().out
    for name in ("Lineage CNSA:", "Lineage TASS:", "Lineage Xinhua:"):
        assert name in out
    # the summary pair: TASS's two snapshots, and it says so
    assert "(the last two snapshots in en, lineage TASS)" in out
    assert main(["score", "moon", "--by", "author", "--corpus", root]) == 2
    assert "--by 'author' is not one of snapshot, lineage" in capsys.readouterr().err


def test_score_between_two_lineages_says_so(
    mixed: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", "moon", "--between", "v3", "v5", "--corpus", str(mixed.root)]) == 0
    out = capsys.readouterr().out
    assert "sources differ: CNSA → TASS" in out
    assert "a switch of source, so no events and no tests" in out


def test_compare_across_lineages_warns_and_makes_no_event(
    mixed: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(mixed.root)
    assert main(["compare", "v3", "v5", "-f", "json", "--corpus", root]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == "1.2" and data["cross_source"] is True
    assert (data["a"]["lineage"], data["b"]["lineage"]) == ("CNSA", "TASS")
    assert any("comparing two sources (lineage CNSA with TASS)" in w for w in data["warnings"])
    russia = next(x for x in data["summary"]["actors"] if x["actor"] == "russia")
    assert (russia["count_a"], russia["count_b"], russia["event"]) == (0, 1, "")
    assert main(["compare", "v1", "v3", "-f", "json", "--corpus", root]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cross_source"] is False
    russia = next(x for x in data["summary"]["actors"] if x["actor"] == "russia")
    assert russia["event"] == "DISAPPEARED"


def test_the_report_reads_each_lineage_on_its_own(mixed: Corpus) -> None:
    report = api.build_report(mixed, "moon")
    pairs = [(p.a_ref, p.b_ref, p.lineage) for p in report.pairs]
    assert pairs == [("v1", "v3", "CNSA"), ("v3", "v4", "CNSA"), ("v2", "v5", "TASS")]
    headlines = [f.headline for f in report.findings]
    russia = [h for h in headlines if h.startswith("Russia")]
    assert russia == [
        "Russia (in CNSA): 2 mentions in 2021-06 (v1), absent from 2022-03 (v3) on (DISAPPEARED)"
    ], headlines
    assert not any("(in TASS)" in h and "APPEARED" in h for h in headlines)
    pakistan = next(h for h in headlines if h.startswith("Pakistan"))
    assert "absent in 2022-03 (v3)" in pakistan and "DISAPPEARED" not in pakistan
    # the charts: one figure per metric, a panel per lineage, an actor styled alike in each
    assert [len(panels) for panels in report.figures] == [3, 3, 3]
    prominence = report.figures[0]
    assert [p.lineage for p in prominence] == ["CNSA", "TASS", "Xinhua"]
    assert [p.refs for p in prominence] == [("v1", "v3", "v4"), ("v2", "v5"), ("v6",)]
    colours = {line.actor: line.style.colour for p in prominence for line in p.lines}
    for panel in prominence:
        for line in panel.lines:
            assert line.style.colour == colours[line.actor]
    assert "lineage 'TASS'" in prominence[1].note
    assert report.lead_chart.lineage == "Xinhua"  # the latest snapshot's lineage
    names = ["CNSA", "TASS", "CNSA", "CNSA", "TASS", "Xinhua"]
    assert [s.lineage for s in report.snapshots] == names


def test_the_seeds_are_one_lineage_and_keep_their_findings() -> None:
    corpus = api.open_corpus(PINNED)
    assert {s.lineage_name for s in corpus.snapshots("ilrs")} == {"China official"}
    report = api.build_report(corpus, "ilrs")
    assert report.findings[0].headline.startswith("Russia: ")
    assert report.findings[0].headline.endswith("absent from 2023-05 (v3) on (DISAPPEARED)")
    assert any("“Reconnaissance” renamed “Basic Model”" in f.headline for f in report.findings)
    assert [len(panels) for panels in report.figures] == [1, 1, 1]


def test_add_lineage_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "c"
    assert main(["init", str(root)]) == 0
    doc = tmp_path / "note.txt"
    doc.write_text("Russia and China signed the memorandum on the station.\n", encoding="utf-8")
    args = ["add", str(doc), "-s", "moon", "--date", "2021-07-01", "--corpus", str(root)]
    assert main([*args, "--publisher", "TASS", "--lineage", "  TASS  wire "]) == 0
    capsys.readouterr()
    (snap,) = Corpus(root).snapshots("moon")
    assert snap.lineage == "TASS wire" and snap.publisher == "TASS"
    before = tree_digest(root)
    doc.write_text("Another text about the station and China.\n", encoding="utf-8")
    assert main([*args, "--lineage", "TASS\nwire", "--slug", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("narrative-diff: invalid-lineage: invalid lineage 'TASS\\nwire'")
    assert tree_digest(root) == before  # refused before anything was written


def test_list_shows_the_lineage_column_when_there_are_several(
    mixed: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--corpus", str(mixed.root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "lineage"
    assert lines[2].split()[-1] == "TASS"


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "x" * 121, "CNSA\u202e"])
def test_a_bad_lineage_is_refused(bad: str) -> None:
    with raises_slug(UsageProblem, "invalid-lineage"):
        check_lineage(bad)


def test_a_bad_lineage_in_a_snapshot_file_names_the_file(tmp_path: Path) -> None:
    text = '---\nid: moon/a\nseries: moon\ndate: 2024-01-01\nlineage: "a\\tb"\n---\n\nText.\n'
    with raises_slug(CorpusError, "corrupt-snapshot", "a.md", "invalid lineage"):
        Snapshot.from_markdown(text, path=tmp_path / "a.md")


def test_the_rendered_report_names_the_lineages(mixed: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "moon.md"
    api.report_series(mixed, "moon", out)
    text = out.read_text(encoding="utf-8")
    assert "| v2 | 2021-07-01 | t1 | TASS (lineage: TASS) | en |" in text
    assert "## v2 → v5 (2021-07-01 → 2023-06-01, lineage TASS)" in text
    assert "## v1 → v3 (2021-06-16 → 2022-03-01, lineage CNSA)" in text
    assert "→ v2 (" not in text  # CNSA's v1 is never compared with TASS's v2


def _truth_series(root: Path, *, one_line: bool) -> Corpus:
    """The truth set (fixtures/truth) added as one series, by lineage or as one line."""
    import datetime as dt
    import tomllib

    truth = Path(__file__).resolve().parents[1] / "fixtures" / "truth"
    docs = tomllib.loads((truth / "truth.toml").read_text(encoding="utf-8"))["document"]
    api.init_corpus(root)
    corpus = api.open_corpus(root)
    for doc in sorted(docs, key=lambda d: d["date"]):
        options = api.AddOptions(
            series="mix",
            date=dt.date.fromisoformat(doc["date"]),
            publisher=doc["publisher"],
            lineage="one line" if one_line else doc["lineage"],
            language=doc["language"],
            slug=Path(doc["file"]).stem,
        )
        api.add_snapshot(corpus, str(truth / doc["file"]), options)
    return corpus


def test_the_truth_set_read_as_one_line_and_by_lineage(tmp_path: Path) -> None:
    """The numbers of docs/methodology.md, "A worked example: a mixed-source series"."""
    found = {}
    for one_line in (True, False):
        corpus = _truth_series(tmp_path / str(one_line), one_line=one_line)
        result = api.score_series(corpus, "mix")
        events = [row for row in result.rows if row.event]
        russia = {row.ref: row.event for row in events if row.actor == "russia"}
        report = api.build_report(corpus, "mix")
        kinds = {kind: sum(row.event == kind for row in events) for kind in ("ABSENT",)}
        found[one_line] = (len(events), kinds["ABSENT"], len(report.pairs), russia, report)
    total, absent, pairs, russia, _ = found[True]
    assert (total, absent, pairs) == (85, 28, 25)
    assert russia == {
        "v8": "ABSENT",
        "v10": "APPEARED",
        "v13": "ABSENT",
        "v14": "APPEARED",
        "v15": "ABSENT",
        "v16": "APPEARED",
        "v19": "ABSENT",
        "v20": "APPEARED",
    }
    total, absent, pairs, russia, report = found[False]
    assert (total, pairs) == (71, 15)
    assert russia == {
        "v9": "ABSENT",
        "v12": "APPEARED",
        "v13": "ABSENT",
        "v15": "ABSENT",
        "v19": "DISAPPEARED",
        "v20": "APPEARED",
        "v22": "APPEARED",
    }
    assert all(p.lineage for p in report.pairs)  # every pair within one named lineage
    first = next(f for f in report.findings if f.headline.startswith("Russia"))
    assert first.headline == (
        "Russia (in CNSA): 4 mentions in 2021-04 (v3), absent in 2023-05 (v9), "
        "2 in 2024-04 (v12), absent from 2025-04 (v19) on (DISAPPEARED)"
    )


def test_the_report_pair_sections_use_the_series_events(mixed: Corpus, tmp_path: Path) -> None:
    """Pakistan is absent from CNSA's c2 once (named again in c3): the pair section says
    ABSENT, as the score table does, not DISAPPEARED."""
    report = api.build_report(mixed, "moon")
    v1_v3 = next(p for p in report.pairs if (p.a_ref, p.b_ref) == ("v1", "v3"))
    actors = next(sec for sec in v1_v3.sections if sec.title.startswith("Actors"))
    assert any(line.startswith("Pakistan: 1 → 0") and "ABSENT" in line for line in actors.lines)
    assert any(line.startswith("Russia: 2 → 0") and "DISAPPEARED" in line for line in actors.lines)


def test_a_series_of_single_snapshot_lineages_says_nothing_was_compared(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "c")
    (tmp_path / "c").mkdir()
    for n, (slug, (date, _, _, body)) in enumerate(DOCS.items()):
        corpus.add(make_snapshot("moon", slug, date, body, language="en", publisher=f"P{n}"))
    report = api.build_report(Corpus(tmp_path / "c"), "moon")
    assert report.pairs == () and report.findings == ()
    assert report.no_findings.startswith("No findings: no two snapshots share a lineage")
    out = tmp_path / "r.md"
    api.report_series(Corpus(tmp_path / "c"), "moon", out)
    assert "give snapshots of one source line the same lineage" in out.read_text(encoding="utf-8")


def test_the_summary_card_shows_the_latest_snapshot_s_panel_without_a_name(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "c")
    (tmp_path / "c").mkdir()
    for slug, publisher in (("c1", "TASS"), ("t1", None), ("c2", None)):
        date, _, _, body = DOCS[slug]
        corpus.add(make_snapshot("moon", slug, date, body, language="en", publisher=publisher))
    report = api.build_report(Corpus(tmp_path / "c"), "moon")
    assert report.lead_chart.lineage == "(no lineage)"
    assert report.lead_chart.refs == ("v2", "v3")


def test_list_shows_a_lineage_as_first_written(
    mixed: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = api.list_snapshots(mixed, "moon")
    assert [r.lineage for r in rows] == ["CNSA", "TASS", "CNSA", "CNSA", "TASS", "Xinhua"]


def test_the_summary_falls_back_to_one_lineage_before_one_language(tmp_path: Path) -> None:
    """CNSA in English then Chinese, then TASS in English: the summary is CNSA's pair (its
    events hold; no test across languages), not the cross-source English pair."""
    corpus = Corpus(tmp_path / "c")
    (tmp_path / "c").mkdir()
    bodies = [
        ("a", "2021-01-10", "CNSA", "en", "# A\n\nRussia and China build the station.\n"),
        ("b", "2022-01-10", "CNSA", "zh", "# 乙\n\n国际月球科研站由中国提出。\n"),
        ("c", "2023-01-10", "TASS", "en", "# C\n\nRussia and China build the station.\n"),
    ]
    for slug, date, publisher, language, body in bodies:
        corpus.add(make_snapshot("moon", slug, date, body, language=language, publisher=publisher))
    result = api.score_series(Corpus(tmp_path / "c"), "moon")
    assert result.summary == ("moon/a", "moon/b") and not result.asked
    russia = next(r for r in result.changes if r.actor == "russia" and r.to_id == "moon/b")
    assert (russia.event, russia.label) == ("DISAPPEARED", "cross-language")
    assert not any(r.cross_source for r in result.changes)


def test_between_backwards_has_no_absent_and_says_it_was_asked(
    mixed: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    """--between v4 v1 (CNSA, later first): Pakistan 1 → 1, Russia 0 → 2, nothing ABSENT,
    and the header says it is the pair asked for."""
    result = api.score_series(mixed, "moon", between=("v4", "v1"))
    assert result.asked and result.summary == ("moon/c3", "moon/c1")
    assert not any(r.event == "ABSENT" for r in result.changes)
    assert main(["score", "moon", "--between", "v3", "v1", "--corpus", str(mixed.root)]) == 0
    out = capsys.readouterr().out
    assert "(the pair asked for in en, lineage CNSA)" in out
    egypt_like = next(
        r
        for r in api.score_series(mixed, "moon", between=("v3", "v1")).changes
        if r.actor == "pakistan"
    )
    assert (egypt_like.count_from, egypt_like.count_to, egypt_like.event) == (0, 1, "APPEARED")


def test_change_rows_name_a_lineage_as_first_written(mixed: Corpus) -> None:
    result = api.score_series(mixed, "moon")
    row = next(r for r in result.changes if r.to_id == "moon/c3")  # c3 says "cnsa"
    assert (row.from_lineage, row.to_lineage) == ("CNSA", "CNSA")


def test_an_empty_lineage_in_front_matter_means_the_default(tmp_path: Path) -> None:
    text = (
        "---\nid: moon/a\nseries: moon\ndate: 2024-01-01\npublisher: TASS\nlineage: ''\n---\n\nT.\n"
    )
    snap = Snapshot.from_markdown(text, path=tmp_path / "a.md")
    assert snap.lineage is None and snap.lineage_name == "TASS"
