"""kwic for any word, phrase or pattern: aligned context, one row per span, both Chinese
scripts, did-you-mean, and refusals for bad patterns (issue 12, point 7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.errors import ActorNotFound, UsageProblem
from narrative_diff.kwic import keyword_rows
from narrative_diff.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]


def _snap(slug: str, body: str, language: str = "en") -> Snapshot:
    return Snapshot.create(
        series="k", slug=slug, date=dt.date(2024, 5, 1), title=None, body=body, language=language
    )


def _rows(term: str, *snaps: Snapshot, **options: object) -> list[tuple[str, str, str]]:
    refs = {snap.id: f"v{n}" for n, snap in enumerate(snaps, 1)}
    found = keyword_rows(list(snaps), refs, term, api.load_actors(), **options)  # type: ignore[arg-type]
    return [(row.left, row.keyword, row.right) for row in found]


def test_a_phrase_any_case_any_spacing_with_aligned_context() -> None:
    snap = _snap(
        "a", "The ILRS was built by Equal\n collaborators. Later, equal collaborators left."
    )
    assert _rows("equal collaborators", snap, window=12) == [
        ("…was built by", "Equal collaborators", ". Later, equ…"),
        ("…tors. Later,", "equal collaborators", "left."),
    ]


def test_a_phrase_is_a_whole_word_match() -> None:
    snap = _snap("a", "Russians and a Russian walked past Russia.")
    assert [k for _, k, _ in _rows("Russian", snap)] == ["Russian"]


def test_either_chinese_script_finds_both() -> None:
    simplified = _snap("s", "中国国家航天局发布公告。", "zh")
    traditional = _snap("t", "中國國家航天局發布公告。", "zh-Hant")
    for term in ("国家航天局", "國家航天局"):
        assert [k for _, k, _ in _rows(term, simplified, traditional)] == [
            "国家航天局",
            "國家航天局",
        ]


def test_an_actor_gives_one_row_per_mention_span_with_weights() -> None:
    snap = _snap("a", "# Roscosmos news\n\nCNSA and Roscosmos met. Russia agreed.")
    refs = {snap.id: "v1"}
    rows = keyword_rows([snap], refs, "russia", api.load_actors())
    assert [(r.keyword, r.where, r.alias) for r in rows] == [
        ("Roscosmos", "title", "Roscosmos"),
        ("Roscosmos", "lead", "Roscosmos"),
        ("Russia", "lead", "Russia"),
    ]
    assert len({(r.start, r.end) for r in rows}) == len(rows)
    assert rows[0].weight == 2.0


def test_regex_search_and_its_refusals() -> None:
    snap = _snap("a", "Luna-25, Luna 26 and Luna-27 fly; Luna-30 does not.")
    assert [k for _, k, _ in _rows(r"Luna[- ]2[5-7]", snap, regex_search=True)] == [
        "Luna-25",
        "Luna 26",
        "Luna-27",
    ]
    with pytest.raises(UsageProblem) as info:
        _rows("(", snap, regex_search=True)
    assert (
        info.value.slug == "bad-pattern" and "not a valid regular expression" in info.value.message
    )


def test_a_near_miss_of_an_actor_key_is_refused_with_did_you_mean() -> None:
    snap = _snap("a", "Nothing to see.")
    with pytest.raises(ActorNotFound) as info:
        _rows("Rusia", snap)
    assert info.value.hint is not None and "did you mean 'russia'?" in info.value.hint
    assert _rows("Atlantis", snap) == []  # far from every actor: no hits, no error


def test_the_cli_table_has_left_keyword_right_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shipped_folder: Path
) -> None:
    monkeypatch.chdir(shipped_folder)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["kwic", "equal collaborators", "--window", "20"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[0].split()
    assert header[:7] == ["ref", "date", "sent.", "where", "left", "keyword", "right"]
    assert len(out) == 3 and all("equal collaborators" in line for line in out[1:])
    keyword_at = {line.index("equal collaborators") for line in out[1:]}
    assert len(keyword_at) == 1  # the keywords line up
    assert "#" not in "".join(out)  # heading marks are not context
