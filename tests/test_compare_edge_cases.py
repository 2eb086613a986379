"""Edge cases that once misled: headings, boilerplate, whitespace, markup in text, languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrative_diff.compare import compare

from .helpers import make_snapshot
from .test_cli import run

ROOT = Path(__file__).resolve().parents[1]


def _compare(before: str, after: str, *, lang_a: str = "en", lang_b: str = "en"):
    return compare(
        make_snapshot("s", "a", "2024-01-01", before, language=lang_a),
        make_snapshot("s", "b", "2024-02-01", after, language=lang_b),
    )


def test_unrelated_headings_do_not_pair_or_make_renames():
    result = _compare(
        "# Report\n\n## Budget\n\nThe budget grew.\n\n## Staff\n\nStaff left.\n",
        "# Report\n\n## Weather\n\nIt rained all week.\n\n## Sports\n\nWe won.\n",
    )
    assert result.summary.renames == ()
    ops = {(s.a_text, s.b_text): s.op for s in result.segments}
    assert ops[("## Budget", "")] == "deleted" and ops[("", "## Weather")] == "added"


def test_frequent_boilerplate_stays_in_place_when_a_section_goes():
    section = "## Item {n}\n\nStory number {n} about the lunar station.\n\nRead more.\n\n"
    before = "# News\n\n" + "".join(section.format(n=n) for n in range(60))
    after = "# News\n\n" + "".join(section.format(n=n) for n in range(60) if n != 30)
    counts = _compare(before, after).summary.counts
    assert counts["moved"] == 0
    assert counts["deleted"] == 3 and counts["added"] == 0


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("国际月球科研站由中国发起。\n", "国际月球 科研站由中国发起。\n"),
        ("The station is open.\n", "The station is open .\n"),
    ],
)
def test_an_inserted_space_is_noise(before, after):
    result = _compare(
        before,
        after,
        lang_a="zh" if "国" in before else "en",
        lang_b="zh" if "国" in before else "en",
    )
    assert not result.narrative_change
    assert all(s.op == "unchanged" for s in result.segments)


def test_reordered_words_are_an_edit_not_unchanged():
    result = _compare(
        "# T\n\nRussia and China agree on the station.\n",
        "# T\n\nChina and Russia agree on the station.\n",
    )
    body = [s for s in result.segments if "agree" in s.a_text]
    assert [(s.op, s.similarity < 1) for s in body] == [("edited", True)]
    assert [r.op for r in result.alignment.blocks] == ["unchanged", "edited"]


def test_across_languages_no_word_findings_are_made_up(capsys, monkeypatch, shipped_folder):
    monkeypatch.chdir(shipped_folder)
    code, out, err = run(capsys, "compare", "v5", "v6", "--plain")
    assert code == 0 and err == ""
    assert out.count("warning: comparing en with zh") == 1
    assert "Renamed terms" not in out and "Replaced phrases" not in out
    assert "words → " in out and " characters; sentences" in out  # each side's own unit


def test_names_still_present_are_not_written_out(capsys, monkeypatch, shipped_folder):
    monkeypatch.chdir(shipped_folder)
    code, out, _ = run(capsys, "compare", "v2", "v3", "-f", "json")
    assert code == 0
    named = json.loads(out)["summary"]["named"]
    removed = [t["term"] for t in named["removed"]]
    assert "Russia" in removed
    assert "China's" not in removed and "China" not in removed
    numbers = json.loads(out)["summary"]["numbers"]
    # 2023 only from added sentences (the titles are not paired: below the pairing floor)
    assert all(n["evidence"]["a_index"] is None for n in numbers if "2023" in n["after"])


def test_plain_side_by_side_prints_brackets_as_text(capsys, tmp_path):
    before, after = tmp_path / "a.md", tmp_path / "b.md"
    before.write_text("# T\n\nSee [the annex](url) and [b]bold[/b] here.\n")
    after.write_text("# T\n\nSee [the annex](url) and [/i] here now.\n")
    code, out, err = run(capsys, "compare", before, after, "--side-by-side", "--plain")
    assert (code, err) == (0, "")
    row = next(line for line in out.splitlines() if "annex" in line)
    assert "See [the annex](url) and [[-b]bold[/b-]] here." in row
    assert "See [the annex](url) and [{+/i+}] here{+ now+}." in row


def test_markdown_escapes_titles_and_keeps_strikethrough_renderable(capsys, tmp_path):
    before, after = tmp_path / "a.md", tmp_path / "b.md"
    before.write_text("# <script>alert(1)</script>\n\nThe station is open to all partners.\n")
    after.write_text("# <script>alert(1)</script>\n\nThe station is open.\n")
    code, out, _ = run(capsys, "compare", before, after, "-f", "md")
    assert code == 0
    assert "<script>" not in out and "\\<script\\>alert(1)\\</script\\>" in out
    assert "open ~~to all partners~~." in out


def test_terminal_format_to_a_file_is_the_plain_terminal_text(
    capsys, tmp_path, monkeypatch, shipped_folder
):
    monkeypatch.chdir(shipped_folder)
    target = tmp_path / "out.txt"
    code, _, err = run(capsys, "compare", "v1", "v3", "-o", target)
    assert (code, err) == (0, f"wrote {target}\n")
    text = target.read_text()
    assert text.startswith("v1 -> v3\n")
    assert "[-Reconnaissance-]{+Basic Model+}" in text and "\x1b[" not in text


def test_a_paragraph_opening_with_an_enumerator_is_still_split_into_sentences():
    result = _compare(
        "# T\n\n(a) The parties agree. Russia will build it. China will fund it.\n",
        "# T\n\n(a) The parties agree. China will build it. China will fund it.\n",
    )
    changed = [s for s in result.segments if s.changed]
    assert [(s.a_text, s.b_text) for s in changed] == [
        ("Russia will build it.", "China will build it.")
    ]


def test_a_line_that_starts_with_a_year_continues_its_paragraph():
    """Found by hypothesis (reflow is not a change): "the\\n2021. The" is one paragraph in
    Markdown (only "1." may start a list inside one), so the line break is a space; a
    numbered list keeps its items."""
    from narrative_diff.segment import segment

    flat = "They build it. The plan dates from 2021. The 2021. Data will be shared."
    reflowed = "They build it. The plan dates from\n2021. The\n2021. Data will be shared."
    assert [" ".join(s.text.split()) for s in segment(reflowed, "en").sentences] == [
        s.text for s in segment(flat, "en").sentences
    ]
    assert [s.text for s in segment("1. First item\n2. Second item", "en").sentences] == [
        "1. First item",
        "2. Second item",
    ]


def test_a_word_longer_than_any_dictionary_word_is_measured(capsys, tmp_path):
    """An inline image's base64 (one word of 1,200 characters to textstat) in a short
    English text, which is measured whole: its syllables are counted as before, not a
    crash (a reviewer's find: the pronouncing dictionary's search nested a group per
    character)."""
    paras = [
        f"The committee reviewed report number {n} and agreed on the budget for the year. "
        "Members asked how the money would be spent and when the results would be "
        "published, and the chair said that the office would answer them in writing."
        for n in range(12)
    ]
    image = "![logo](data:image/png;base64,iVBORw0KGgo" + "QUJD" * 300 + ")"
    body = "# Annual report\n\n" + "\n\n".join([*paras[:3], image, *paras[3:]]) + "\n"
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text(body, encoding="utf-8")
    second.write_text(body.replace("number 7", "number 8"), encoding="utf-8")
    code, out, err = run(capsys, "compare", str(first), str(second), "-f", "json")
    assert (code, err) == (0, "")
    readability = json.loads(out)["summary"]["readability"]
    assert readability["a"]["language"] == "en" and readability["a"]["measures"]


def test_a_file_name_that_is_not_utf8_is_written_to_json(capsys, tmp_path, monkeypatch):
    """A file name with a byte UTF-8 cannot decode (Latin-1 é) reaches Python as a lone
    surrogate: the JSON writes it as a ``\\u`` escape and reads back as the name given (it
    was an internal error)."""
    import os

    monkeypatch.chdir(tmp_path)
    names = [os.fsdecode(b"caf\xe9-" + side + b".md") for side in (b"a", b"b")]
    for name, text in zip(names, ("China and Russia built it.", "China built it."), strict=True):
        Path(name).write_bytes(f"# T\n\n{text}\n".encode())
    code, out, err = run(capsys, "compare", *names, "-f", "json")
    assert (code, err) == (0, "")
    assert "\\udce9" in out and json.loads(out)["a"]["ref"] == names[0]
