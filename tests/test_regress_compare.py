"""Regression tests for ``compare`` (issue 10, point 6 a, b, e, h).

Each behaviour here once broke under a one-line mutation without any test noticing. The
tests read only the public ``compare A B --format json`` document (docs/compare-schema.md),
run through ``narrative_diff.cli.main`` on the golden pairs in ``fixtures/pairs`` or on
small files written here, so they survive a refactor of the library's internals.

* a: a paragraph of four sentences split 3 + 1 (and 1 + 3, 2 + 2) is one ``split`` block
  relation, not an edited paragraph plus an added one; the reverse is one ``merged``;
* b: deleted sentences from several places stand in reading order among the segments;
* e: a four-word term consistently replaced is a rename (the limit is four words);
* h: plain ``added`` and ``deleted`` segments (not parts of a split or merge) carry the
  missing side as null, similarity 0, the whole sentence as one diff operation, and are
  not counted as phrases removed or added inside aligned sentences.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from narrative_diff.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "fixtures" / "pairs"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No corpus of the developer's and no ./seeds: the refs are files."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)


def compare_json(capsys: pytest.CaptureFixture[str], a: Path, b: Path) -> dict[str, Any]:
    """``compare A B --format json --no-actors`` in-process; the parsed document."""
    code = main(["compare", str(a), str(b), "--format", "json", "--no-actors"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    data: dict[str, Any] = json.loads(out)
    return data


def pair(case: str) -> tuple[Path, Path]:
    return PAIRS / f"{case}.before", PAIRS / f"{case}.after"


def shape(relations: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    """``(op, a_index, b_index)`` of each relation, lists as tuples."""

    def norm(index: Any) -> Any:
        return tuple(index) if isinstance(index, list) else index

    return [(r["op"], norm(r["a_index"]), norm(r["b_index"])) for r in relations]


# ---------------------------------------------------------------- a: paragraph split 3 + 1
SENTENCES = (
    "The ILRS is a comprehensive scientific experiment base on the lunar surface.",
    "It will be built in three phases from 2021 to 2035.",
    "The first phase will focus on lunar reconnaissance and site selection.",
    "International partners are welcome to join the project at every phase.",
)
TITLE = "International Lunar Research Station Guide for Partnership"
CLOSING = "The guide was presented at the Global Space Exploration Conference."


def write_paragraphs(path: Path, *paragraphs: tuple[str, ...]) -> Path:
    body = "\n\n".join(" ".join(p) for p in (*paragraphs, (CLOSING,)))
    path.write_text(f"{TITLE}\n\n{body}\n", encoding="utf-8")
    return path


def test_paragraph_split_three_plus_one_is_a_split(capsys):
    data = compare_json(capsys, *pair("paragraph-split"))
    assert shape(data["blocks"]) == [
        ("unchanged", 0, 0),
        ("split", 1, (1, 2)),
        ("unchanged", 2, 3),
    ], "a paragraph split 3 + 1 must be one split, not an edited paragraph plus an added one"
    assert not {b["op"] for b in data["blocks"]} & {"edited", "added", "deleted"}
    # every sentence is unchanged; the fourth now opens paragraph 2 of b
    assert {s["op"] for s in data["segments"]} == {"unchanged"}
    fourth = data["segments"][4]
    assert fourth["a_text"] == SENTENCES[3]
    assert (fourth["a_block"], fourth["b_block"]) == (1, 2)
    assert data["summary"]["counts"]["unchanged"] == 6
    assert data["summary"]["narrative_change"] is False  # sentences unchanged: no shift


@pytest.mark.parametrize(
    ("first", "expected_b"),
    [(3, (1, 2)), (1, (1, 2)), (2, (1, 2))],
    ids=["3+1", "1+3", "2+2"],
)
def test_paragraph_split_at_any_sentence_is_a_split(capsys, tmp_path, first, expected_b):
    a = write_paragraphs(tmp_path / "a.txt", SENTENCES)
    b = write_paragraphs(tmp_path / "b.txt", SENTENCES[:first], SENTENCES[first:])
    data = compare_json(capsys, a, b)
    assert shape(data["blocks"]) == [
        ("unchanged", 0, 0),
        ("split", 1, expected_b),
        ("unchanged", 2, 3),
    ]
    assert data["blocks"][1]["similarity"] == 0.9999  # all sentences identical, not one block


@pytest.mark.parametrize("first", [3, 1], ids=["3+1", "1+3"])
def test_paragraphs_joined_three_plus_one_are_a_merge(capsys, tmp_path, first):
    a = write_paragraphs(tmp_path / "a.txt", SENTENCES[:first], SENTENCES[first:])
    b = write_paragraphs(tmp_path / "b.txt", SENTENCES)
    data = compare_json(capsys, a, b)
    assert shape(data["blocks"]) == [
        ("unchanged", 0, 0),
        ("merged", (1, 2), 1),
        ("unchanged", 3, 2),
    ]


# ---------------------------------------------------------------- b: deleted, in reading order
ADDED_DELETED = [
    ("unchanged", 0, 0),
    ("unchanged", 1, 1),
    ("deleted", 2, None),
    ("unchanged", 3, 2),
    ("unchanged", 4, 3),
    ("deleted", 5, None),
    ("deleted", 6, None),
    ("unchanged", 7, 4),
    ("added", None, 5),
    ("unchanged", 8, 6),
    ("deleted", 9, None),
]


def test_deleted_sentences_stand_in_reading_order(capsys):
    data = compare_json(capsys, *pair("added-deleted"))
    assert shape(data["segments"]) == ADDED_DELETED, "each deleted sentence stands where it was"
    deleted = [s["a_text"] for s in data["segments"] if s["op"] == "deleted"]
    assert deleted == [
        "Russia and China signed a memorandum on the station in March 2021.",
        "Roscosmos will provide the Luna-27 lander for this phase.",
        "A joint working group meets twice a year.",
        "The roadmap was presented in Saint Petersburg.",
    ], "deleted sentences must come out in the order they stood in the old text"


def test_deleted_sentences_follow_what_preceded_them_in_a(capsys, tmp_path):
    """Deletions at the start, in a run and at the end, around one kept sentence."""
    kept = "The station will be open to all interested countries."
    gone = [
        "Russia will provide the Luna-26 orbiter.",
        "Roscosmos will build the lander.",
        "Both agencies will share the data.",
        "The memorandum was signed in March 2021.",
    ]
    a = tmp_path / "a.txt"
    a.write_text(f"Roadmap\n\n{gone[0]} {gone[1]} {kept} {gone[2]} {gone[3]}\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(f"Roadmap\n\n{kept}\n", encoding="utf-8")
    data = compare_json(capsys, a, b)
    assert shape(data["segments"]) == [
        ("unchanged", 0, 0),
        ("deleted", 1, None),
        ("deleted", 2, None),
        ("unchanged", 3, 1),
        ("deleted", 4, None),
        ("deleted", 5, None),
    ], "deleted sentences at the start, in a run and at the end must keep their places"
    assert [s["a_text"] for s in data["segments"] if s["op"] == "deleted"] == gone


# ---------------------------------------------------------------- e: four-word rename
def test_four_word_rename_is_reported(capsys):
    data = compare_json(capsys, *pair("rename-four-words"))
    renames = data["summary"]["renames"]
    assert [(r["before"], r["after"], r["count"], r["consistency"]) for r in renames] == [
        ("Early Lunar Reconnaissance Period", "Basic Model Foundation Stage", 4, 1.0)
    ], "a four-word term replaced four times out of four must be a rename"
    assert renames[0]["evidence"] == {
        "a_index": 2,
        "b_index": 2,
        "before": "The Early Lunar Reconnaissance Period runs from 2021 to 2025.",
        "after": "The Basic Model Foundation Stage runs from 2021 to 2025.",
    }


def test_five_word_term_is_a_replacement_but_not_a_rename(capsys, tmp_path):
    """The documented limit (docs/compare-schema.md: renames are at most four words)."""
    before = (PAIRS / "rename-four-words.before").read_text(encoding="utf-8")
    a = tmp_path / "a.txt"
    five = "Early Lunar Site Reconnaissance Period"
    a.write_text(before.replace("Early Lunar Reconnaissance Period", five), encoding="utf-8")
    b = PAIRS / "rename-four-words.after"
    summary = compare_json(capsys, a, b)["summary"]
    assert summary["renames"] == []
    top = summary["replaced_phrases"][0]
    assert (top["before"], top["after"], top["count"]) == (five, "Basic Model Foundation Stage", 4)


# ---------------------------------------------------------------- h: plain added and deleted
def check_plain(segment: dict[str, Any]) -> None:
    """An added or deleted sentence: one side null, similarity 0, one whole-text op."""
    if segment["op"] == "deleted":
        assert (segment["b_index"], segment["b_block"], segment["b_text"]) == (None, None, "")
        assert segment["diff"] == [[-1, segment["a_text"]]]
    else:
        assert (segment["a_index"], segment["a_block"], segment["a_text"]) == (None, None, "")
        assert segment["diff"] == [[1, segment["b_text"]]]
    assert (segment["similarity"], segment["moved"], segment["noise"]) == (0.0, False, [])


@pytest.mark.parametrize("case", ["added-deleted", "paragraph-added-deleted"])
def test_golden_files_hold_plain_added_and_deleted_segments(case):
    """The golden files themselves, so a regenerated file cannot lose these segments."""
    data = json.loads((PAIRS / f"{case}.expected.json").read_text(encoding="utf-8"))
    plain = [s for s in data["segments"] if s["op"] in ("added", "deleted")]
    assert {s["op"] for s in plain} == {"added", "deleted"}
    assert not {s["op"] for s in data["segments"]} & {"split", "merged"}
    for segment in plain:
        check_plain(segment)


def test_added_and_deleted_sentences(capsys):
    data = compare_json(capsys, *pair("added-deleted"))
    added = [s for s in data["segments"] if s["op"] == "added"]
    assert [s["b_text"] for s in added] == [
        "Seventeen nations have now signed cooperation agreements."
    ]
    assert added[0]["b_block"] == 2
    for segment in data["segments"]:
        if segment["op"] in ("added", "deleted"):
            check_plain(segment)
    summary = data["summary"]
    assert summary["counts"] == {
        "unchanged": 6,
        "edited": 0,
        "moved": 0,
        "split": 0,
        "merged": 0,
        "deleted": 4,
        "added": 1,
    }
    assert summary["narrative_change"] is True
    # whole sentences gone or new are not phrases changed inside aligned sentences
    assert summary["removed_phrases"] == summary["added_phrases"] == []
    assert summary["replaced_phrases"] == []
    removed = [(t["term"], t["count_a"], t["count_b"]) for t in summary["named"]["removed"]]
    assert ("Luna-27", 1, 0) in removed and ("Saint Petersburg", 1, 0) in removed


def test_added_and_deleted_paragraphs(capsys):
    data = compare_json(capsys, *pair("paragraph-added-deleted"))
    assert shape(data["blocks"]) == [
        ("unchanged", 0, 0),
        ("unchanged", 1, 1),
        ("deleted", 2, None),
        ("unchanged", 3, 2),
        ("added", None, 3),
    ]
    assert shape(data["segments"]) == [
        ("unchanged", 0, 0),
        ("unchanged", 1, 1),
        ("unchanged", 2, 2),
        ("deleted", 3, None),
        ("deleted", 4, None),
        ("unchanged", 5, 3),
        ("added", None, 4),
        ("added", None, 5),
    ]
    for segment in data["segments"][3:5] + data["segments"][6:]:
        check_plain(segment)
    assert [s["b_text"] for s in data["segments"] if s["op"] == "added"] == [
        "An international organization for the ILRS will be set up in Hefei.",
        "Its council will admit new members each year.",
    ]
    summary = data["summary"]
    assert summary["removed_phrases"] == summary["added_phrases"] == []
    assert [t["term"] for t in summary["named"]["added"]] == ["Hefei"]
