"""Golden cases of ``compare``: pairs of short official texts in ``fixtures/pairs``.

Every ``<case>.before`` with a matching ``<case>.after`` is compared end to end, as a user
compares two files (``api.compare_refs`` reads them through ingestion), and the JSON form
(``comparison_to_dict``, volatile fields scrubbed) must equal ``<case>.expected.json``.
A case that raises a narrative-diff error records ``{"error": "<slug>"}`` instead.

On a mismatch the actual output is written to ``tests/actual/<case>.json`` (git-ignored);
after checking it, accept it with ``NARRATIVE_DIFF_UPDATE_GOLDEN=1``, which rewrites the
expected files. ``fixtures/pairs/README.md`` describes the cases.

Each case also has its own content assertions below (``CHECKS``), so that accepting a
regenerated golden file cannot silently accept a wrong result.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from narrative_diff import api
from narrative_diff.compare import Comparison
from narrative_diff.corpus import Corpus
from narrative_diff.errors import NarrativeDiffError, UnreadableDocument
from narrative_diff.relations import Segment
from narrative_diff.render.compare_data import comparison_to_dict

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "fixtures" / "pairs"
ACTUAL = ROOT / "tests" / "actual"
UPDATE_ENV = "NARRATIVE_DIFF_UPDATE_GOLDEN"
SCRUBBED = "<scrubbed>"
# Fields that depend on the machine, the checkout path or the file's mtime.
SIDE_VOLATILE = ("ref", "id", "date")


def discover() -> list[str]:
    """Case names: every ``*.before`` with a matching ``*.after``."""
    return sorted(
        path.name.removesuffix(".before")
        for path in PAIRS.glob("*.before")
        if path.with_suffix(".after").is_file()
    )


CASES = discover()


def scrub(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the volatile fields of a comparison's JSON form with ``<scrubbed>``."""
    data["tool"]["version"] = SCRUBBED
    for side in ("a", "b"):
        for key in SIDE_VOLATILE:
            data[side][key] = SCRUBBED
    return data


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


_results: dict[str, Comparison | NarrativeDiffError] = {}


def compare_case(case: str, root: Path) -> Comparison | NarrativeDiffError:
    """Compare ``<case>.before`` with ``<case>.after`` through the library (memoised)."""
    if case not in _results:
        corpus_dir = root / f"corpus-{case}"
        corpus_dir.mkdir()
        before, after = PAIRS / f"{case}.before", PAIRS / f"{case}.after"
        try:
            _results[case] = api.compare_refs(Corpus(corpus_dir), str(before), str(after))
        except NarrativeDiffError as exc:
            _results[case] = exc
    return _results[case]


def golden(result: Comparison | NarrativeDiffError) -> dict[str, Any]:
    if isinstance(result, NarrativeDiffError):
        return {"error": result.slug}
    return scrub(comparison_to_dict(result))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("golden")


# ---------------------------------------------------------------- the golden comparison
def test_cases_are_found() -> None:
    assert set(CHECKS) <= set(CASES), "a case with content checks has no .before/.after pair"
    orphans = [
        p.name
        for p in PAIRS.iterdir()
        if p.suffix in (".before", ".after", ".json") and p.name.split(".", 1)[0] not in CASES
    ]
    assert not orphans, f"files in fixtures/pairs without a complete pair: {orphans}"


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, workdir: Path) -> None:
    actual = dump(golden(compare_case(case, workdir)))
    expected_path = PAIRS / f"{case}.expected.json"
    if os.environ.get(UPDATE_ENV) == "1":
        expected_path.write_text(actual, encoding="utf-8")
        return
    expected = expected_path.read_text(encoding="utf-8") if expected_path.is_file() else ""
    if actual == expected:
        return
    ACTUAL.mkdir(exist_ok=True)
    actual_path = ACTUAL / f"{case}.json"
    actual_path.write_text(actual, encoding="utf-8")
    shown = list(
        difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            str(expected_path.relative_to(ROOT)),
            str(actual_path.relative_to(ROOT)),
            lineterm="",
            n=2,
        )
    )
    pytest.fail(
        f"golden case {case!r} differs from {expected_path.relative_to(ROOT)}"
        + ("" if expected else " (missing)")
        + f"; actual output in {actual_path.relative_to(ROOT)}.\n"
        f"If the new output is right, accept it with {UPDATE_ENV}=1 "
        f"(e.g. {UPDATE_ENV}=1 .venv/bin/python -m pytest -q tests/test_compare_golden.py)"
        " and review the change with git diff fixtures/pairs.\n" + "\n".join(shown[:60]),
        pytrace=False,
    )


# ---------------------------------------------------------------- content checks per case
def changed(result: Comparison) -> list[Segment]:
    return [s for s in result.segments if s.op != "unchanged"]


def ops(result: Comparison) -> set[str]:
    return {s.op for s in result.segments}


def check_moved_paragraph(result: Comparison) -> None:
    first = [s for s in result.segments if s.a_block == 1]  # the paragraph after the title
    assert len(first) == 2
    last_block = len(result.b_segmented.blocks) - 1
    for seg in first:
        assert (seg.op, seg.similarity, seg.moved, seg.b_block) == ("moved", 1.0, True, last_block)
        assert seg.a_text == seg.b_text
    assert changed(result) == first
    counts = result.summary.counts
    assert counts["deleted"] == counts["added"] == counts["edited"] == 0
    assert result.narrative_change
    moved_blocks = [r for r in result.alignment.blocks if r.moved]
    assert [(r.op, r.a, r.b) for r in moved_blocks] == [("moved", (1,), (last_block,))]


def check_moved_edited_sentence(result: Comparison) -> None:
    (seg,) = changed(result)
    assert seg.op == "moved" and seg.moved
    assert 0.5 <= seg.similarity < 1.0
    assert (seg.a_block, seg.b_block) == (1, 2)
    assert seg.a_text == "New partners may join the project at any phase of its construction."
    assert seg.b_text == "New partners may join the project at any stage of its development."
    assert seg.diff.changes() == [("phase", "stage"), ("construction", "development")]
    assert result.summary.counts["deleted"] == result.summary.counts["added"] == 0


def check_split(result: Comparison) -> None:
    (seg,) = changed(result)
    assert seg.op == "split"
    assert len(seg.a_index) == 1
    assert len(seg.b_index) == 2
    assert seg.a_text.startswith("The ILRS will be built in three phases, and the first phase")
    assert seg.b_text.startswith("The ILRS will be built in three phases. The first phase runs")
    assert ("and the", "The") in [(r.before, r.after) for r in result.summary.replaced_phrases]
    assert result.summary.counts["split"] == 1


def check_merge(result: Comparison) -> None:
    (seg,) = changed(result)
    assert seg.op == "merged"
    assert len(seg.a_index) == 2
    assert len(seg.b_index) == 1
    assert seg.a_text == (
        "The station will be open to all interested countries. "
        "It will also be open to international organizations and other partners."
    )
    assert seg.diff.changes() == [(". It will also be open to", ",")]
    assert result.summary.counts["merged"] == 1


def check_rename(result: Comparison) -> None:
    rename = result.summary.renames[0]
    assert (rename.before, rename.after) == ("Phase One", "Foundation Stage")
    assert (rename.count, rename.consistency) == (4, 1.0)
    top = result.summary.replaced_phrases[0]
    assert (top.before, top.after, top.count) == ("Phase One", "Foundation Stage", 4)
    assert {t.term for t in result.summary.named_removed} == {"Phase One"}
    assert {t.term for t in result.summary.named_added} == {"Foundation Stage"}
    assert ops(result) == {"unchanged", "edited"}


def check_whitespace_only(result: Comparison) -> None:
    assert not result.narrative_change
    assert ops(result) == {"unchanged"}
    assert result.summary.counts["unchanged"] == len(result.segments)
    assert result.a.body != result.b.body  # the quotes and the dash do differ
    noisy = [s for s in result.segments if any(s.diff.noise)]
    assert len(noisy) == 3  # the quoted phrase, the dash, the apostrophe + quoted name
    for seg in noisy:
        assert not seg.diff.changed and seg.diff.changes() == []
    assert not result.summary.replaced_phrases and not result.summary.renames


def check_chinese(result: Comparison) -> None:
    a_sentences = [s.text for s in result.a_segmented.sentences]
    assert a_sentences[1] == "中方愿同俄方一道，共同建设国际月球科研站。"
    assert a_sentences[2] == "国际月球科研站建设分为勘、建、用三个阶段；"  # ； ends a sentence
    assert all(s.endswith(("。", "；")) for s in a_sentences[1:])
    edited = [s for s in result.segments if s.op == "edited"]
    assert len(edited) == 3
    replaced = {(r.before, r.after) for r in result.summary.replaced_phrases}
    assert (
        "中方愿同俄方一道，共同建设国际月球科研站",
        "国际月球科研站是中国联合多国共同建设",
    ) in replaced
    assert ("勘、建、用三", "基本型和完善型两") in replaced
    assert ("勘察阶段", "基本型") in replaced
    assert ops(result) == {"unchanged", "edited"}


def check_russian(result: Comparison) -> None:
    assert (result.a.language, result.b.language) == ("ru", "ru")
    (seg,) = changed(result)
    assert seg.op == "edited"
    assert ("Россия и Китай совместно создадут", "Китай создаст") in seg.diff.changes()
    assert ("", " вместе с партнёрами") in seg.diff.changes()
    removed = {t.term for t in result.summary.named_removed}
    assert "Россия" in removed and "Китай" not in removed


def check_modality_negation(result: Comparison) -> None:
    modality = [(w.before, w.after) for w in result.summary.modality]
    assert modality == [("will", "may"), ("will", "may")]
    negation = [(w.before, w.after) for w in result.summary.negation]
    assert negation == [("", "not")]
    assert result.summary.negation[0].evidence.after == (
        "The project is not open to commercial partners."
    )
    assert result.summary.modal_counts == {"will": (2, 0), "may": (0, 2)}


def check_empty_vs_text(result: Comparison | NarrativeDiffError) -> None:
    assert isinstance(result, UnreadableDocument)
    assert result.slug == "empty-document"


def _words(result: Comparison, op: int) -> list[str]:
    """The non-noise deleted (-1) or inserted (1) runs of every changed segment."""
    return [
        text.strip()
        for seg in result.segments
        for (kind, text), noisy in zip(seg.diff.ops, seg.diff.noise, strict=True)
        if kind == op and not noisy and text.strip()
    ]


def check_script_variant(result: Comparison) -> None:
    assert not result.narrative_change
    assert ops(result) == {"unchanged"}
    summary = result.summary
    assert not (summary.renames or summary.replaced_phrases or summary.numbers)
    # quotes keep the original characters: the traditional text is what b says
    assert "國際月球科研站由中國和俄羅斯共同發起。" in {s.b_text for s in result.segments}


def check_dateline(result: Comparison) -> None:
    assert [s.op for s in changed(result)] == ["edited"]
    assert (_words(result, -1), _words(result, 1)) == (
        ["BEIJING", "June 16"],
        ["SHANGHAI", "April 23"],
    )
    summary = result.summary
    assert not summary.renames and not summary.replaced_phrases
    assert [(n.before, n.after) for n in summary.numbers] == [
        ("BEIJING", "SHANGHAI"),
        ("June 16", "April 23"),
    ]
    named = {t.term for t in (*summary.named_removed, *summary.named_added)}
    assert not named & {"BEIJING", "SHANGHAI"}


def check_date_swap(result: Comparison) -> None:
    summary = result.summary
    assert not summary.renames
    assert [(r.before, r.after) for r in summary.replaced_phrases] == [
        ("organisation", "organisations")
    ]
    assert [(n.before, n.after) for n in summary.numbers] == [
        ("June 16", "April 23"),
        ("1", "29"),
        ("", "2028 2040"),  # the numbers of an added sentence
    ]
    assert not summary.named_removed and not summary.named_added  # "Geneva on June" is no name


def check_low_similarity(result: Comparison) -> None:
    """Two sentences 0.36 similar are paired (above align.PAIR_FLOOR) but loose (under
    shifts.LOOSE_PAIR): one rewrite from the first change to the last, never "first" →
    "second", and no rename."""
    (seg,) = changed(result)
    assert seg.a_text == "The first phase is the basic model."
    assert 0.3 <= seg.similarity < 0.4
    summary = result.summary
    assert not summary.renames
    assert [(r.before, r.after) for r in summary.replaced_phrases] == [
        (
            "first phase is the basic model",
            "second phase, the Extended Model, will add robotic outposts near the lunar south pole",
        )
    ]


def check_function_word(result: Comparison) -> None:
    assert (_words(result, -1), _words(result, 1)) == (["in", "the"], ["on", "a"])
    replaced = result.summary.replaced_phrases
    assert {(r.before, r.after) for r in replaced} == {("in", "on"), ("the", "a")}
    assert all(r.minor for r in replaced)
    assert not result.summary.renames
    from narrative_diff.render.compare_text import sections

    titles = {section.title for section in sections(result) if section.lines}
    assert "Replaced phrases" not in titles  # minor: left out of the ranked list


def check_markup_only(result: Comparison) -> None:
    assert not result.narrative_change
    assert ops(result) == {"unchanged"}
    assert not _words(result, -1) and not _words(result, 1)
    from narrative_diff.render.compare_text import plain_diff

    assert all("#" not in plain_diff(seg) for seg in result.segments)


CHECKS: dict[str, Callable[[Any], None]] = {
    "moved-paragraph": check_moved_paragraph,
    "moved-edited-sentence": check_moved_edited_sentence,
    "split": check_split,
    "merge": check_merge,
    "rename": check_rename,
    "whitespace-only": check_whitespace_only,
    "chinese": check_chinese,
    "russian": check_russian,
    "modality-negation": check_modality_negation,
    "empty-vs-text": check_empty_vs_text,
    "script-variant": check_script_variant,
    "dateline": check_dateline,
    "date-swap": check_date_swap,
    "low-similarity": check_low_similarity,
    "function-word": check_function_word,
    "markup-only": check_markup_only,
}


@pytest.mark.parametrize("case", sorted(CHECKS))
def test_case_content(case: str, workdir: Path) -> None:
    result = compare_case(case, workdir)
    if case != "empty-vs-text" and isinstance(result, NarrativeDiffError):
        pytest.fail(f"{case}: {result.one_line()}")
    CHECKS[case](result)


def test_empty_document_raises_through_the_library(tmp_path: Path) -> None:
    """The error, not only its slug in the golden file: the type a library caller catches."""
    with pytest.raises(UnreadableDocument) as caught:
        api.compare_refs(
            Corpus(tmp_path),
            str(PAIRS / "empty-vs-text.before"),
            str(PAIRS / "empty-vs-text.after"),
        )
    assert caught.value.slug == "empty-document"
    assert isinstance(caught.value, ValueError)


def test_chinese_file_is_read_as_chinese(workdir: Path) -> None:
    result = compare_case("chinese", workdir)
    assert isinstance(result, Comparison)
    assert (result.a.language, result.b.language) == ("zh", "zh")


def test_chinese_sentence_starting_with_a_year_is_its_own_sentence(workdir: Path) -> None:
    result = compare_case("chinese", workdir)
    assert isinstance(result, Comparison)
    a_sentences = [s.text for s in result.a_segmented.sentences]
    assert "第一阶段为勘察阶段。" in a_sentences
    assert "2021年至2025年，项目将重点开展月球勘察和选址工作。" in a_sentences
