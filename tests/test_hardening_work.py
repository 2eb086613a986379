"""Issue 13, class 2 (unbounded memory and work) and class 11 in part: the bootstrap in
blocks, the whole-command pattern budget, many actors, the .docx element count, the PDF page
cap and decompression limit, CR-only line endings. Memory is measured in bench/memory.py,
never here."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from narrative_diff import changes, cli
from narrative_diff.actors import ActorSet, load_actors, matcher_for
from narrative_diff.changes import bootstrap_totals, changes_table
from narrative_diff.errors import ActorsFileError, UnreadableDocument, UsageProblem
from narrative_diff.ingest import formats, pdf
from narrative_diff.ingest.formats import docx_blocks, markdown_blocks, text_blocks
from narrative_diff.kwic import keyword_rows
from narrative_diff.scoring import Weights, score_all
from narrative_diff.snapshot import Snapshot

from . import battery_work
from .helpers import make_snapshot, tree_digest

POLY_ACTORS = "".join(
    f"[actors.p{i}]\nname = 'P{i}'\naliases = ['Pee{i}']\n"
    f"patterns = ['[a-z]+[a-z]+[a-z]+[0-{i + 1}]']\n"
    for i in range(8)
)


def _long_snapshot(
    lines: int,
    date: str = "2030-01-01",
    shift: int = 0,
    names: tuple[str, ...] = ("China", "Russia", "Roscosmos", "CNSA", "the United States"),
) -> Snapshot:
    body = "\n".join(
        f"Sentence {i}: {names[(i + shift) % len(names)]} builds it." for i in range(lines)
    )
    return make_snapshot("long", f"{date[:7]}-long", date, body)


# -- the bootstrap -------------------------------------------------------------------------


def test_the_bootstrap_in_blocks_draws_what_the_whole_draw_did(monkeypatch):
    """Same seed, same multinomial rows, so the same totals up to the last bit of a matrix
    product; and the blocked path is really taken."""
    actors = load_actors()
    keys = [a.key for a in actors.actors]
    (score,) = score_all([_long_snapshot(600)], actors)
    weights = Weights(bootstrap=300)
    whole = bootstrap_totals(score, keys, weights)
    calls: list[int] = []
    real = changes._bootstrap_in_blocks

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(changes, "BOOTSTRAP_CELLS", 0)
    monkeypatch.setattr(changes, "BLOCK_CELLS", 601 * 7)  # blocks of 7 replicates
    monkeypatch.setattr(changes, "_bootstrap_in_blocks", spy)
    blocked = bootstrap_totals(score, keys, weights)
    assert calls == [1]
    assert blocked.shape == whole.shape == (300, len(keys))
    assert abs(blocked - whole).max() < 1e-9
    assert (blocked.sum(axis=0) > 0).sum() == (whole.sum(axis=0) > 0).sum() >= 3


def test_many_actors_bootstrap_only_the_named_ones_with_the_same_statistics(monkeypatch):
    actors = load_actors()
    scores = score_all(
        [_long_snapshot(60), _long_snapshot(60, "2031-01-01", names=("China", "Europe"))], actors
    )
    full = changes_table(scores, actors, weights=Weights(bootstrap=200))
    monkeypatch.setattr(changes, "MANY_ACTORS", 1)
    compact = changes_table(scores, actors, weights=Weights(bootstrap=200))
    assert [r.actor for r in full] == [r.actor for r in compact]
    for a, b in zip(full, compact, strict=True):
        assert (a.p_value, a.label, a.event, a.count_from, a.count_to) == (
            b.p_value,
            b.label,
            b.event,
            b.count_from,
            b.count_to,
        )
        if a.prominence_ci is not None:
            assert b.prominence_ci is not None
            assert (
                max(abs(x - y) for x, y in zip(a.prominence_ci, b.prominence_ci, strict=True))
                < 1e-3
            )
    assert sum(r.label == "supported" for r in full) >= 1


# -- the pattern budget --------------------------------------------------------------------


def _poly(tmp_path: Path) -> ActorSet:
    path = tmp_path / "poly-actors.toml"
    path.write_text(POLY_ACTORS)
    return load_actors(path)


def test_patterns_share_one_budget_and_the_refusal_names_the_pattern(tmp_path):
    actors = _poly(tmp_path)
    matcher = matcher_for(actors)
    matcher.reset_budget(0.3)
    text = "China, " + "a" * 300 + "."
    with pytest.raises(ActorsFileError) as caught:
        for _ in range(50):  # each search is well under the 2 s limit of one search
            matcher.find(text)
    error = caught.value
    assert error.slug == "pattern-budget"
    assert error.exit_code == 3
    line = error.one_line()
    assert "poly-actors.toml" in str(error)
    assert (
        "the patterns took more than their budget on this command's texts (0.3 s, besides "
        "0.25 s for each million characters a pattern searches)" in str(error)
    )
    assert "'[a-z]+[a-z]+[a-z]+[0-" in str(error) and "of actor 'p" in str(error)
    assert "NARRATIVE_DIFF_PATTERN_SECONDS" in (error.hint or "")
    assert "\n" not in line


def test_loading_the_actors_file_starts_a_new_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", "0.2")
    actors = _poly(tmp_path)
    with pytest.raises(ActorsFileError):
        for _ in range(50):
            matcher_for(actors).find("a" * 300 + ".")
    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", "60")
    _poly(tmp_path)  # the same set: the cached matcher, its budget started again
    assert matcher_for(actors).find("Pee1 and China") != []


@pytest.mark.parametrize("raw", ["nan", "-1", "0", "soon", "inf"])
def test_a_budget_that_is_not_a_positive_number_is_the_default(monkeypatch, raw):
    from narrative_diff.budget import PATTERN_BUDGET, pattern_budget

    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", raw)
    assert pattern_budget() == PATTERN_BUDGET


def test_kwic_regex_has_one_budget_over_the_series(monkeypatch):
    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", "0.2")
    snaps = [
        make_snapshot("s", f"2030-0{n}-w", f"2030-0{n}-01", "China, " + "a" * 380 + ".")
        for n in range(1, 4)
    ]
    refs = {s.id: f"v{n}" for n, s in enumerate(snaps, 1)}
    with pytest.raises(UsageProblem) as caught:
        keyword_rows(snaps, refs, r"[a-z]+[a-z]+[a-z]+\d", load_actors(), regex_search=True)
    assert caught.value.slug == "pattern-budget"
    assert (
        "took more than its budget over the series (0.2 s, besides 0.25 s for each million "
        "characters searched: the budget of one command)" in str(caught.value)
    )


def test_the_budget_grows_with_the_text_searched(monkeypatch):
    """A pattern that reads its text once is never refused for the length of the series:
    each million characters a pattern searches gives it 0.25 s of its own. 400 snapshots
    of 10,000 characters, with a budget of 1 ms: the bundled patterns (eight of them)
    spend more than that in all, yet each well under its own allowance."""
    from narrative_diff.budget import PATTERN_SECONDS_PER_MB

    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", "0.001")
    text = ("China and Russia signed it with 17 partner countries. " * 185)[:10_000]
    matcher = matcher_for(load_actors())
    matcher.reset_budget()
    for _ in range(400):
        found = matcher.find(text)
    assert {m.actor for m in found} == {"china", "russia", "several"}
    budget = matcher.budget
    assert sum(budget.spent) > 0.001  # over the budget alone: their allowances kept them going
    for spent, searched in zip(budget.spent, budget.searched, strict=True):
        assert searched >= 400 * 9_900  # (the text as searched: trimmed)
        assert spent < searched * PATTERN_SECONDS_PER_MB / 1e6


def test_a_costly_pattern_cannot_live_on_the_allowance_of_cheap_ones(tmp_path):
    """Each pattern has its own allowance: one that costs several times the bundled ones
    spends the shared budget as it goes, however many cheap patterns search beside it."""
    cheap = "".join(
        f"[actors.c{i}]\nname = 'C{i}'\naliases = ['Cee{i}']\npatterns = ['Zork{i}(?=-)']\n"
        for i in range(7)
    )
    # about 0.8 s a million characters here, steadily: over its own 0.25 s, under the
    # 8 s that eight patterns' searches of the same text would give if pooled
    costly = "[actors.x]\nname = 'X'\naliases = ['Ex']\npatterns = ['\\w+\\w+\\w+\\w+\\w+\\d']\n"
    path = tmp_path / "mixed-actors.toml"
    path.write_text(cheap + costly)
    matcher = matcher_for(load_actors(path))
    matcher.reset_budget(0.2)
    text = "the international station and its partners " * 300  # 12,900 characters, no digit
    with pytest.raises(ActorsFileError) as caught:
        for _ in range(2_000):
            matcher.find(text)
    assert caught.value.slug == "pattern-budget"
    assert "'\\w+\\w+\\w+\\w+\\w+\\d' of actor 'x'" in str(caught.value)


def test_a_spent_budget_refuses_before_searching_again(tmp_path):
    """Once the budget is spent, the next search is refused: no search gets a last
    millisecond of its own (3,000 small texts each had one before)."""
    actors = _poly(tmp_path)
    matcher = matcher_for(actors)
    matcher.reset_budget(0.05)
    text = "a" * 40 + "."
    searches = 0
    with pytest.raises(ActorsFileError):
        for _ in range(3_000):
            matcher.find(text)
            searches += 1
    assert sum(matcher.budget.spent) < 0.05 + 2 * max(matcher.budget.spent)


def test_kwic_regex_budget_counts_only_the_search(monkeypatch):
    """kwic --regex over a series with a small budget: the segmentation of each snapshot
    (50 ms here) does not count against it."""
    import time

    from narrative_diff import kwic

    real_segment = kwic.segment

    def slow_segment(text, language):
        time.sleep(0.05)
        return real_segment(text, language)

    monkeypatch.setattr(kwic, "segment", slow_segment)
    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", "0.02")
    body = "China and Russia built the station together. " * 20
    snaps = [make_snapshot("s", f"2030-01-w{n}", "2030-01-01", body) for n in range(8)]
    refs = {s.id: f"v{n}" for n, s in enumerate(snaps, 1)}
    rows = keyword_rows(snaps, refs, r"(?:\w+ ){2}Russia", load_actors(), regex_search=True)
    assert len(rows) == 8 * 20


def test_the_budget_refusal_leaves_the_corpus_as_it_was(tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "corpus"
    cli.main(["init", str(corpus)])
    battery_work._long_word(corpus)
    actors = tmp_path / "poly-actors.toml"
    actors.write_text(POLY_ACTORS)
    before = tree_digest(corpus)
    capsys.readouterr()
    monkeypatch.setenv("NARRATIVE_DIFF_PATTERN_SECONDS", "0.5")
    code = cli.main(["score", "--actors", str(actors), "--corpus", str(corpus)])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("narrative-diff")]
    assert code == 3
    assert len(err) == 1 and err[0].startswith("narrative-diff: pattern-budget: ")
    assert tree_digest(corpus) == before


# -- documents -----------------------------------------------------------------------------


def _docx(body: bytes) -> bytes:
    return battery_work._docx(body)


def test_a_docx_of_too_many_paragraphs_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(formats, "DOCX_MAX_PARAGRAPHS", 1_000)
    raw = _docx(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 1_001)
    with pytest.raises(UnreadableDocument) as caught:
        docx_blocks(raw, "big.docx", max_bytes=50_000_000)
    assert caught.value.slug == "too-many-elements"
    assert str(caught.value).startswith(
        "big.docx has more than 1,000 paragraphs in word/document.xml (the limit); split"
    )


def test_paragraphs_split_between_chunks_count_once(monkeypatch):
    """Tags that straddle the 1 MiB read boundary are counted once, never twice."""
    para = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"  # 34 bytes
    count = (3 << 20) // len(para) + 1
    monkeypatch.setattr(formats, "DOCX_MAX_PARAGRAPHS", count)
    raw = _docx(para * count)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        formats._count_docx_elements(archive, "x.docx")  # exactly at the limit: accepted
    monkeypatch.setattr(formats, "DOCX_MAX_PARAGRAPHS", count - 1)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, pytest.raises(UnreadableDocument):
        formats._count_docx_elements(archive, "x.docx")


def test_a_docx_of_too_many_elements_is_refused(monkeypatch):
    monkeypatch.setattr(formats, "DOCX_MAX_ELEMENTS", 10_000)
    with pytest.raises(UnreadableDocument) as caught:
        docx_blocks(_docx(b"<w:p>" + b"<w:r/>" * 10_000 + b"</w:p>"), "r.docx", max_bytes=10**8)
    assert "more than 10,000 XML elements" in str(caught.value)


def test_an_ordinary_docx_reads_as_before():
    blocks, title = docx_blocks(battery_work._real_docx(3), "ok.docx", max_bytes=10**7)
    assert title == "Partners"
    assert blocks[0] == "# Partners"
    assert blocks[1:] == [
        f"Paragraph {n}: the ILRS is proposed by China and Russia." for n in range(3)
    ]


def test_a_pdf_over_the_page_cap_is_refused(monkeypatch):
    with pytest.raises(UnreadableDocument) as caught:
        pdf.pdf_blocks(battery_work._pdf_pages(pdf.MAX_PAGES + 1), "many.pdf")
    assert caught.value.slug == "too-many-pages"
    assert "many.pdf has 10,001 pages, more than the 10,000 pages" in str(caught.value)
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    blocks, _ = pdf.pdf_blocks(battery_work._pdf_pages(2), "two.pdf")
    assert any("China" in block for block in blocks)


def test_a_pdf_decompression_bomb_names_the_limit():
    with pytest.raises(UnreadableDocument) as caught:
        pdf.pdf_blocks(battery_work._pdf_pages(1, padding=80_000_000), "bomb.pdf")
    assert caught.value.slug == "pdf-limit"
    assert str(caught.value).startswith(
        "a compressed stream in bomb.pdf inflates past 75,000,000 bytes (pypdf's "
        "decompression limit, a guard against decompression bombs); extract the text"
    )


def test_cr_only_line_endings_are_line_breaks():
    cr = "---\rtitle: Partners\rdate: 2030-01-01\r---\r\r# Partners\r\rChina.\rRussia.\r"
    body, title, date = markdown_blocks(cr)
    assert (title, str(date)) == ("Partners", "2030-01-01")
    assert body == ["# Partners\n\nChina.\nRussia."]
    assert markdown_blocks(cr) == markdown_blocks(cr.replace("\r", "\n"))
    assert text_blocks("Title\r\rOne line\rwrapped.\r") == (
        ["# Title", "One line wrapped."],
        "Title",
    )
