"""Property and fuzz tests over hostile text: arbitrary Unicode through the whole pipeline,
and random or mutated bytes through the front-matter parser and every ingestion format.

Each property runs a bounded number of examples (a few seconds in all), so CI fuzzes on every
run; ``HYPOTHESIS_PROFILE=fuzz`` (registered below) runs 50 times more for a longer session.
"""

from __future__ import annotations

import contextlib
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrative_diff.actors import load_actors, matcher_for
from narrative_diff.compare import compare
from narrative_diff.corpus import Corpus
from narrative_diff.errors import NarrativeDiffError, UsageProblem
from narrative_diff.ingest import IngestLimits, extract_bytes
from narrative_diff.scoring import Weights, score_snapshot
from narrative_diff.snapshot import Snapshot
from narrative_diff.text import normalise_body

from .helpers import make_snapshot

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "fuzz", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
BOUNDED = settings(settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")))

#: Right-to-left text, emoji, combining marks, zero-width and direction characters, Han,
#: Cyrillic and ordinary words, mixed.
HOSTILE_CHARS = st.one_of(
    st.sampled_from(list("אבגדשלוםمرحبا")),
    st.sampled_from(["😀", "👩‍🚀", "🇨🇳", "🏳️‍🌈"]),
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
    st.sampled_from(list("\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u00ad")),
    st.sampled_from(list("中俄国际月球科研站合作")),
    st.sampled_from(list("РоссияКитай")),
    st.sampled_from([" ", "\n", "\n\n", "\t", "\u00a0", "\u3000", ". ", "。", "# "]),
    st.characters(blacklist_categories=("Cs",)),
)
WORDS = st.sampled_from(["China", "Russia", "ILRS", "station", "partners", "Россия", "中国"])
hostile_text = st.lists(st.one_of(HOSTILE_CHARS, WORDS), max_size=120).map("".join)

ACTORS = load_actors()
MATCHER = matcher_for(ACTORS)


def snapshot_of(body: str, slug: str) -> Snapshot | None:
    if not normalise_body(body).strip():
        return None
    return make_snapshot("fuzz", slug, "2024-01-01", body, language="en")


@BOUNDED
@given(hostile_text, hostile_text)
def test_hostile_unicode_goes_through_the_whole_pipeline(a: str, b: str) -> None:
    one, two = snapshot_of(a, "a"), snapshot_of(b, "b")
    if one is None or two is None:
        return
    result = compare(one, two, a_ref="a", b_ref="b")
    # every sentence of each side is covered by exactly one segment
    for side, segmented in (("a", result.a_segmented), ("b", result.b_segmented)):
        covered = []
        for seg in result.segments:
            index = getattr(seg, f"{side}_index")
            if index is not None:
                covered += list(index) if isinstance(index, tuple) else [index]
        assert sorted(covered) == list(range(len(segmented.sentences)))
    # the word diff of each segment rebuilds both of its texts
    for seg in result.segments:
        assert "".join(t for op, t in seg.diff.ops if op != 1) == seg.a_text
        assert "".join(t for op, t in seg.diff.ops if op != -1) == seg.b_text
    for snap in (one, two):
        score = score_snapshot(snap, MATCHER, Weights())
        for m in score.mentions:
            assert m.weight > 0


@BOUNDED
@given(hostile_text)
def test_mention_counts_do_not_depend_on_whitespace(text: str) -> None:
    one = snapshot_of(text, "a")
    if one is None:
        return
    spaced = re.sub(r"[ \t]+", "  ", text)  # wider spaces within lines
    two = snapshot_of(spaced, "b")
    assert two is not None
    count = [
        sorted((m.actor, m.text) for m in score_snapshot(s, MATCHER, Weights()).mentions)
        for s in (one, two)
    ]
    assert count[0] == count[1]


@BOUNDED
@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=40))
def test_lone_surrogates_are_refused_cleanly(text: str, at: int) -> None:
    at = min(at, len(text))
    poisoned = text[:at] + "\ud800" + text[at:]
    with pytest.raises(UsageProblem) as info:
        make_snapshot("fuzz", "a", "2024-01-01", poisoned, language="en")
    assert info.value.slug == "invalid-text"


FRONT = st.sampled_from(
    ["id", "series", "date", "title", "language", "sha256", "raw_file", "kind", "x", "provenance"]
)
YAML_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "[1, 2]",
            "{a: b}",
            "2024-13-45",
            "null",
            "!!python/object:os.system",
            "&a [*a]",
            "'unterminated",
            "ilrs/../../etc",
            "raw/../x",
            "- a\n- b",
        ]
    ),
    st.integers().map(str),
)


@BOUNDED
@given(st.lists(st.tuples(FRONT, YAML_VALUES), max_size=8), st.text(max_size=200))
def test_front_matter_parser_never_crashes(pairs: list[tuple[str, str]], body: str) -> None:
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\n\n" + body
    try:
        Snapshot.from_markdown(text)
    except NarrativeDiffError as exc:
        assert "\n" not in exc.one_line()


@BOUNDED
@given(st.binary(max_size=600))
def test_front_matter_parser_on_raw_bytes(raw: bytes) -> None:
    text = raw.decode("utf-8", errors="replace")
    for candidate in (text, "---\n" + text, "---\nid: a/b\n---\n" + text):
        with contextlib.suppress(NarrativeDiffError):
            Snapshot.from_markdown(candidate)


SUFFIXES = [".txt", ".md", ".html", ".pdf", ".docx", ".srt", ".vtt", ".bin", ""]
LIMITS = IngestLimits(max_bytes=1 << 20)


@BOUNDED
@given(st.binary(max_size=2000), st.sampled_from(SUFFIXES))
def test_ingestion_of_random_bytes(raw: bytes, suffix: str) -> None:
    try:
        got = extract_bytes(raw, name=f"fuzz{suffix}", limits=LIMITS)
    except NarrativeDiffError as exc:
        assert "\n" not in exc.one_line()
    else:
        assert got.body.strip()


def _seeds() -> dict[str, bytes]:
    """Valid documents of each format, to mutate."""
    import io
    import zipfile

    from .battery import _pdf

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return {
        ".pdf": _pdf(),
        ".html": b"<html><head><title>T</title></head><body><h1>ILRS</h1><p>The ILRS is "
        b"proposed by China and built with partners.</p></body></html>",
        ".docx": docx.getvalue(),
        ".vtt": b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nThe ILRS is proposed by China.\n",
        ".srt": b"1\n00:00:01,000 --> 00:00:02,000\nThe ILRS is proposed by China.\n",
        ".md": "# ILRS\n\nThe ILRS is proposed by China. Россия. 中国。\n".encode(),
    }


SEEDS = _seeds()


@BOUNDED
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=12),
    st.integers(min_value=0),
)
def test_ingestion_of_mutated_documents(suffix: str, flips: list, cut: int) -> None:
    raw = bytearray(SEEDS[suffix])
    for position, value in flips:
        raw[position % len(raw)] = value
    raw = raw[: max(1, len(raw) - cut % (len(raw) // 2 + 1))]
    try:
        extract_bytes(bytes(raw), name=f"mutated{suffix}", limits=LIMITS)
    except NarrativeDiffError as exc:
        assert "\n" not in exc.one_line()


def test_a_snapshot_with_hostile_unicode_round_trips_through_the_store(tmp_path) -> None:
    corpus = Corpus(tmp_path)
    body = "# ‮ILRS‬\n\nChina 🇨🇳 and Россия\u0301 build it\u200b together. مرحبا\n"
    snap = make_snapshot("fuzz", "rtl", "2024-01-01", body, language="en")
    corpus.add(snap)
    again = Corpus(tmp_path).snapshots("fuzz")[0]
    assert (again.body, again.title, again.hash_ok) == (snap.body, snap.title, True)


CONTROLS = st.sampled_from(list("\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x80\x85\x9f\xa0\t\n\r"))


@BOUNDED
@given(st.lists(st.one_of(HOSTILE_CHARS, CONTROLS, WORDS), max_size=300).map("".join))
def test_controls_counted_in_utf8_bytes_as_in_the_text(text: str) -> None:
    """``is_mostly_text`` given the UTF-8 bytes (the decoder's fast way) says what it says
    from the text alone, on either side of its 1% line."""
    from narrative_diff.text import is_mostly_text

    assert is_mostly_text(text, text.encode("utf-8")) == is_mostly_text(text)
    padded = text + "x" * (100 * len(text) // 3)  # nearer the line
    assert is_mostly_text(padded, padded.encode("utf-8")) == is_mostly_text(padded)
