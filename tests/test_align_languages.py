"""The same text in two languages: their sentence splitters may cut it differently.

An identical paragraph is then not a one-to-one list of identical sentences ("Dr. Wu." is
one sentence in English and two in French); comparing must not fail, and every sentence of
both sides must still be in exactly one relation.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrative_diff.cli import main
from narrative_diff.compare import Comparison, compare
from narrative_diff.segment import segment

from .helpers import make_snapshot

TEXT = "# T\n\nThe U.S. team met Dr. Wu. It agreed!\n"


def _compare(before: str, after: str, lang_a: str, lang_b: str) -> Comparison:
    return compare(
        make_snapshot("s", "a", "2024-01-01", before, language=lang_a),
        make_snapshot("s", "b", "2024-02-01", after, language=lang_b),
    )


def _indices(value: int | list[int] | None) -> list[int]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _covered_once(result: Comparison) -> None:
    sentences = result.alignment.sentences
    n_a, n_b = len(result.a_segmented.sentences), len(result.b_segmented.sentences)
    assert sorted(i for rel in sentences for i in rel.a) == list(range(n_a))
    assert sorted(j for rel in sentences for j in rel.b) == list(range(n_b))
    blocks = result.alignment.blocks
    assert sorted(i for rel in blocks for i in rel.a) == list(range(len(result.a_segmented.blocks)))
    assert sorted(j for rel in blocks for j in rel.b) == list(range(len(result.b_segmented.blocks)))


def test_the_splitters_disagree_on_the_repro_text():
    """The premise: without it the tests below would prove nothing."""
    assert len(segment(TEXT, "en").sentences) == 3
    assert len(segment(TEXT, "fr").sentences) == 4


def test_cli_compares_a_paragraph_split_differently_by_language(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)
    before, after = tmp_path / "a.md", tmp_path / "b.md"
    before.write_text(make_snapshot("s", "a", "2024-01-01", TEXT, language="en").to_markdown())
    after.write_text(make_snapshot("s", "b", "2024-02-01", TEXT, language="fr").to_markdown())
    code = main(["compare", str(before), str(after), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert (data["a"]["language"], data["b"]["language"]) == ("en", "fr")
    segments = data["segments"]
    a_seen = sorted(i for seg in segments for i in _indices(seg["a_index"]))
    b_seen = sorted(j for seg in segments for j in _indices(seg["b_index"]))
    assert a_seen == [0, 1, 2]  # "# T", "The U.S. team met Dr. Wu.", "It agreed!"
    assert b_seen == [0, 1, 2, 3]  # "# T", "The U.S. team met Dr.", "Wu.", "It agreed!"
    ops = {(seg["a_text"], seg["b_text"]): seg["op"] for seg in segments}
    assert ops[("# T", "# T")] == "unchanged"
    assert ops[("It agreed!", "It agreed!")] == "unchanged"
    for seg in segments:
        assert "".join(t for op, t in seg["diff"] if op <= 0) == seg["a_text"]
        assert "".join(t for op, t in seg["diff"] if op >= 0) == seg["b_text"]


@pytest.mark.parametrize(("lang_a", "lang_b"), [("en", "fr"), ("fr", "en")])
def test_library_compares_a_paragraph_split_differently_by_language(lang_a, lang_b):
    result = _compare(TEXT, TEXT, lang_a, lang_b)
    _covered_once(result)
    unchanged = {(s.a_text, s.b_text) for s in result.segments if s.op == "unchanged"}
    assert {("# T", "# T"), ("It agreed!", "It agreed!")} <= unchanged
    # the sentence the splitters cut differently is the same text, told as a split or merge
    joined = [s for s in result.segments if "Dr." in s.a_text]
    assert len(joined) == 1 and joined[0].a_text == joined[0].b_text
    assert joined[0].op == ("split" if lang_a == "en" else "merged")


def test_the_same_language_still_pairs_the_paragraph_whole():
    result = _compare(TEXT, TEXT, "en", "en")
    assert [r.op for r in result.alignment.blocks] == ["unchanged", "unchanged"]
    assert all(s.op == "unchanged" for s in result.segments)


ABBREVIATED = st.sampled_from(
    [
        "The U.S. team met Dr. Wu.",
        "Mr. Li came e.g. at noon.",
        "St. Paul is in No. 5 Main St. now.",
        "Prof. Ng and Mrs. Ho left at 5 p.m. today.",
        "It cost approx. 5 USD, i.e. little.",
        "See Fig. 3 and Vol. 2 etc. here.",
        "Ms. Kim met Gen. Tao.",
        "It agreed!",
        "The station is open.",
    ]
)
paragraphs = st.lists(ABBREVIATED, min_size=1, max_size=4).map(" ".join)
documents = st.lists(paragraphs, min_size=1, max_size=3).map(
    lambda paras: "# T\n\n" + "\n\n".join(paras) + "\n"
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(["fr", "de"]), st.booleans())
def test_a_text_against_itself_in_another_language_covers_every_sentence_once(
    text: str, other: str, english_first: bool
) -> None:
    lang_a, lang_b = ("en", other) if english_first else (other, "en")
    result = _compare(text, text, lang_a, lang_b)
    _covered_once(result)
    assert len(result.segments) == len(result.alignment.sentences)
