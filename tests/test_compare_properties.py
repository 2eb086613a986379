"""Property tests of ``compare`` and the functions under it (diff, normalisation, alignment).

Documents are generated as Markdown from a small vocabulary, so repeated words, repeated
sentences and near-duplicates occur often; ``b`` is derived from ``a`` by realistic edits
(sentences deleted, added, edited, moved; paragraphs swapped; sentences split or joined)
so that every kind of relation turns up. The lower-level functions also get arbitrary
Unicode (CJK, combining marks, emoji, odd whitespace).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrative_diff.compare import CompareOptions, Comparison, Segment, compare
from narrative_diff.diff import DELETE, INSERT, DiffOptions, diff_text, normal_form
from narrative_diff.segment import Segmented
from narrative_diff.snapshot import Snapshot
from narrative_diff.text import normalise_body

from .helpers import make_snapshot

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
IGNORING = DiffOptions(ignore_case=True, ignore_punctuation=True)

# ---------------------------------------------------------------- generated documents
WORDS = (
    "the",
    "station",
    "lunar",
    "research",
    "ILRS",
    "China",
    "Russia",
    "partners",
    "countries",
    "international",
    "will",
    "may",
    "not",
    "build",
    "share",
    "data",
    "open",
    "to",
    "all",
    "jointly",
    "phase",
    "first",
    "2021",
    "2025",
    "long-term",
    "Chang'e",
    "agency's",
)
# Whole sentences reused across documents and paragraphs: exact duplicates happen.
POOL = (
    "The station is open to all countries.",
    "China and Russia will build the station jointly.",
    "The first phase is Reconnaissance.",
    'The partners call it the "ILRS".',
    "Data will be shared.",
)

word = st.sampled_from(WORDS)


@st.composite
def sentences(draw: st.DrawFn) -> str:
    """One sentence: a reused one, or 2-9 vocabulary words (some quoted, some commas)."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(POOL))
    words = draw(st.lists(word, min_size=2, max_size=9))
    if draw(st.booleans()):
        k = draw(st.integers(0, len(words) - 1))
        words[k] = f'"{words[k]}"'
    if len(words) > 3 and draw(st.booleans()):
        words[1] += ","
    text = " ".join(words)
    return text[0].upper() + text[1:] + draw(st.sampled_from(".!?"))


Doc = tuple[str | None, list[list[str]]]  # (title, paragraphs of sentences)

paragraphs = st.lists(sentences(), min_size=1, max_size=5)
documents: st.SearchStrategy[Doc] = st.tuples(
    st.none() | st.lists(word, min_size=1, max_size=4).map(" ".join),
    st.lists(paragraphs, min_size=1, max_size=6),
)


def render(doc: Doc) -> str:
    title, paras = doc
    blocks = ([f"# {title}"] if title else []) + [" ".join(p) for p in paras]
    return "\n\n".join(blocks) + "\n"


@st.composite
def edited(draw: st.DrawFn, doc: Doc) -> Doc:
    """``doc`` after 0-4 edits of the kinds official texts go through."""
    title, paras = doc[0], [list(p) for p in doc[1]]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(["delete", "add", "edit", "move", "swap", "split", "join", "retitle"])
        )
        p = draw(st.integers(0, len(paras) - 1))
        s = draw(st.integers(0, len(paras[p]) - 1))
        if kind == "delete" and sum(map(len, paras)) > 1:
            del paras[p][s]
        elif kind == "add":
            paras[p].insert(s, draw(sentences()))
        elif kind == "edit":
            words = paras[p][s].split(" ")
            words[draw(st.integers(0, len(words) - 1))] = draw(word)
            paras[p][s] = " ".join(words)
        elif kind == "move":
            moving = paras[p].pop(s)
            paras[draw(st.integers(0, len(paras) - 1))].append(moving)
        elif kind == "swap":
            q = draw(st.integers(0, len(paras) - 1))
            paras[p], paras[q] = paras[q], paras[p]
        elif kind == "split":
            words = paras[p][s].rstrip(".!?").split(" ")
            if len(words) >= 4:
                cut = len(words) // 2
                head, tail = " ".join(words[:cut]), " ".join(words[cut:])
                paras[p][s : s + 1] = [head + ".", tail[0].upper() + tail[1:] + "."]
        elif kind == "join" and s + 1 < len(paras[p]):
            first, second = paras[p][s], paras[p][s + 1]
            paras[p][s : s + 2] = [first.rstrip(".!?") + ", " + second[0].lower() + second[1:]]
        elif kind == "retitle":
            title = draw(st.none() | st.lists(word, min_size=1, max_size=4).map(" ".join))
        paras = [q for q in paras if q]
    return title, paras


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, str]:
    a = draw(documents)
    return render(a), render(draw(edited(a)))


def snap(body: str, slug: str = "a") -> Snapshot:
    return make_snapshot("prop", slug, "2024-01-01", body, language="en")


def run(a: str, b: str) -> Comparison:
    return compare(snap(a, "a"), snap(b, "b"))


# Arbitrary text for the lower-level functions: every plane and category, plus the
# characters that trip tokenisers (CJK, combining marks, emoji, ZWJ, odd spaces).
TRICKY = "中俄国际月球站。；，“”‘’«»–—‑́̈👩‍🚀🇨🇳\u00a0\u3000\u2028\t\r\n ﬁＩＬＲＳ１２"
unicode_text = st.text(max_size=80) | st.text(alphabet=st.sampled_from(TRICKY), max_size=40)


# ---------------------------------------------------------------- 1. diff round trip
@FAST
@given(unicode_text, unicode_text)
def test_diff_round_trip(a: str, b: str) -> None:
    for options in (DiffOptions(), IGNORING):
        d = diff_text(a, b, options)
        assert d.a_text == a
        assert d.b_text == b
        assert len(d.noise) == len(d.ops)
        assert all(text for _, text in d.ops)  # no empty operations


@FAST
@given(pairs())
def test_diff_round_trip_on_documents(ab: tuple[str, str]) -> None:
    a, b = ab
    for options in (DiffOptions(), IGNORING):
        d = diff_text(a, b, options)
        assert (d.a_text, d.b_text) == (a, b)


@FAST
@given(unicode_text)
def test_diff_of_a_text_with_itself_is_no_change(a: str) -> None:
    for options in (DiffOptions(), IGNORING):
        assert not diff_text(a, a, options).changed


# ---------------------------------------------------------------- 2. idempotent normalisation
@FAST
@given(unicode_text)
def test_normal_form_is_idempotent(text: str) -> None:
    # On NFKC text: keys are NFKC-folded token by token, and a few compatibility characters
    # expand to a space or to punctuation (see the xfail below).
    text = unicodedata.normalize("NFKC", text)
    for options in (DiffOptions(), DiffOptions(ignore_case=True)):
        once = normal_form(text, options)
        assert normal_form(once, options) == once


@pytest.mark.xfail(
    strict=True,
    reason="diff.keys drops ignored tokens and keeps the whitespace on both sides, and "
    "folds NFKC token by token, so a normal form can have two spaces in a row or "
    "punctuation that the next pass drops",
)
@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("0 { 0", IGNORING),
        ("China – and Russia", IGNORING),
        ("¼", IGNORING),
        ("0\r¨", DiffOptions()),
    ],
    ids=["spaced-brace", "spaced-dash", "vulgar-fraction", "spacing-diaeresis"],
)
def test_normal_form_is_idempotent_on_edge_cases(text: str, options: DiffOptions) -> None:
    once = normal_form(text, options)
    assert normal_form(once, options) == once


@FAST
@given(unicode_text)
def test_normalise_body_is_idempotent(text: str) -> None:
    once = normalise_body(text)
    assert normalise_body(once) == once


# ---------------------------------------------------------------- 3. alignment coverage
def _covered_once(relations: tuple, n_a: int, n_b: int) -> None:
    a_seen = [i for rel in relations for i in rel.a]
    b_seen = [j for rel in relations for j in rel.b]
    assert sorted(a_seen) == list(range(n_a))
    assert sorted(b_seen) == list(range(n_b))


@FAST
@given(pairs())
def test_alignment_covers_every_sentence_and_block_once(ab: tuple[str, str]) -> None:
    result = run(*ab)
    sa, sb = result.a_segmented, result.b_segmented
    _covered_once(result.alignment.sentences, len(sa.sentences), len(sb.sentences))
    _covered_once(result.alignment.blocks, len(sa.blocks), len(sb.blocks))
    for rel in (*result.alignment.sentences, *result.alignment.blocks):
        assert (len(rel.a) > 1) <= (rel.op == "merged")
        assert (len(rel.b) > 1) <= (rel.op == "split")
        assert (not rel.a) == (rel.op == "added")
        assert (not rel.b) == (rel.op == "deleted")
    assert len(result.segments) == len(result.alignment.sentences)
    assert sum(result.summary.counts.values()) == len(result.segments)


# ---------------------------------------------------------------- 4. identity
@FAST
@given(documents)
def test_a_document_against_itself_has_no_change(doc: Doc) -> None:
    text = render(doc)
    result = run(text, text)
    assert not result.narrative_change
    assert {s.op for s in result.segments} == {"unchanged"}
    assert all(s.similarity == 1.0 and not s.moved for s in result.segments)
    assert {r.op for r in result.alignment.blocks} == {"unchanged"}


# ---------------------------------------------------------------- 5. symmetry
MIRROR = {
    "unchanged": "unchanged",
    "edited": "edited",
    "moved": "moved",
    "added": "deleted",
    "deleted": "added",
    "split": "merged",
    "merged": "split",
}


@FAST
@given(pairs())
def test_reverse_comparison_mirrors_the_counts(ab: tuple[str, str]) -> None:
    a, b = ab
    forward, backward = run(a, b).summary.counts, run(b, a).summary.counts
    assert {MIRROR[op]: n for op, n in forward.items()} == backward
    assert run(a, b).narrative_change == run(b, a).narrative_change


# ---------------------------------------------------------------- 6. segments rebuild the texts
def _apply(ops: tuple[tuple[int, str], ...], keep: int) -> str:
    return "".join(text for op, text in ops if op != keep)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _side_text(
    segments: tuple[Segment, ...], index: Callable[[Segment], object], text: Callable
) -> str:
    def first(value: object) -> int:
        return value[0] if isinstance(value, tuple) else value  # type: ignore[index,return-value]

    ordered = sorted((s for s in segments if index(s) is not None), key=lambda s: first(index(s)))
    return "".join(text(s) for s in ordered)


def _all_sentences(side: Segmented) -> str:
    return "".join(s.text for s in side.sentences)


@FAST
@given(pairs())
def test_every_segment_rebuilds_its_texts(ab: tuple[str, str]) -> None:
    result = run(*ab)
    for seg in result.segments:
        assert _apply(seg.diff.ops, INSERT) == seg.a_text
        assert _apply(seg.diff.ops, DELETE) == seg.b_text
        if seg.op == "unchanged":
            assert not seg.diff.changed
        elif seg.op in ("edited", "split", "merged"):
            assert seg.diff.changed or seg.moved
    b_text = _side_text(result.segments, lambda s: s.b_index, lambda s: s.b_text)
    a_text = _side_text(result.segments, lambda s: s.a_index, lambda s: s.a_text)
    assert _squeeze(b_text) == _squeeze(_all_sentences(result.b_segmented))
    assert _squeeze(a_text) == _squeeze(_all_sentences(result.a_segmented))


# ---------------------------------------------------------------- 7. noise invariance
@st.composite
def noisy(draw: st.DrawFn, text: str) -> str:
    """``text`` reflowed (some spaces inside paragraphs become line breaks), and maybe with
    its straight quotes made typographic as a word processor does it: an apostrophe
    inside a word becomes ’, other quotes alternate between opening and closing forms."""
    curly = {'"': draw(st.booleans()), "'": draw(st.booleans())}
    forms = {'"': "“”", "'": "‘’"}
    opening = {'"': True, "'": True}
    out = []
    heading = False
    for k, ch in enumerate(text):
        if k == 0 or text[k - 1] == "\n":
            heading = ch == "#"
        if ch == " " and not heading and draw(st.booleans()):
            out.append("\n")
        elif ch in forms and curly[ch]:
            inside = 0 < k < len(text) - 1 and text[k - 1].isalnum() and text[k + 1].isalnum()
            if ch == "'" and inside:
                out.append("’")
            else:
                out.append(forms[ch][0 if opening[ch] else 1])
                opening[ch] = not opening[ch]
        else:
            out.append(ch)
    return "".join(out)


@FAST
@given(st.data(), documents)
def test_reflow_and_curly_quotes_are_not_a_change(data: st.DataObject, doc: Doc) -> None:
    text = render(doc)
    variant = data.draw(noisy(text))
    for a, b in ((text, variant), (variant, text)):
        result = run(a, b)
        assert not result.narrative_change, [
            (s.op, s.a_text, s.b_text) for s in result.segments if s.changed
        ]
        assert {s.op for s in result.segments} == {"unchanged"}


# Typographic dashes and quotes are noise (diff.py: "keys ignore ... typographic quote and
# dash variants"), and between spaces they are. Inside a word or a range they are not:
# segment.TOKEN joins word parts only with ' ’ and -, so "2021-2025" is one token but
# "2021–2025" is three; the keys differ and the diff reports a real change.
@pytest.mark.xfail(
    strict=True,
    reason="segment.TOKEN joins word parts only with ' ’ -, not with the other dash and "
    "quote variants that diff.fold maps to them: op 'edited' with similarity 1.0",
)
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The first phase runs 2021–2025.", "The first phase runs 2021-2025."),
        ("The Sino–Russian roadmap was published.", "The Sino-Russian roadmap was published."),
        ("It is a long‑term project.", "It is a long-term project."),
        ("The Chang‘e missions are listed.", "The Chang'e missions are listed."),
    ],
    ids=["en-dash-range", "en-dash-compound", "non-breaking-hyphen", "left-quote-apostrophe"],
)
def test_typographic_variant_inside_a_word_is_not_a_change(a: str, b: str) -> None:
    assert not diff_text(a, b).changed
    assert not run(a, b).narrative_change


@pytest.mark.xfail(
    strict=True,
    reason="with ignore_punctuation, diff_text drops a spaced dash but keeps the spaces on "
    "both sides, so the extra space key is a real (non-noise) deletion",
)
def test_ignored_punctuation_between_spaces_is_not_a_change() -> None:
    a = "China and Russia – jointly – build the station."
    b = "China and Russia jointly build the station."
    options = CompareOptions(diff=IGNORING)
    assert not diff_text(a, b, IGNORING).changed
    assert not compare(snap(a), snap(b, "b"), options=options).narrative_change
