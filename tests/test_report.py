"""The report on the ILRS series: findings, the PDF, the PNGs, and the report data.

The report is built once per module from ``seeds/`` through the command line, as the
README's first command builds it. The HTML report is checked in a real browser in
``test_report_html.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.fonts import FALLBACK_FONT_ENV, font_set, missing_glyphs

from .helpers import PINNED, make_snapshot

ROOT = Path(__file__).resolve().parents[1]
SEEDS = PINNED


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``narrative-diff report`` run in an empty folder: reports/ilrs.{pdf,html,png}."""
    folder = tmp_path_factory.mktemp("run")
    old = Path.cwd()
    os.chdir(folder)
    try:
        assert main(["report", "--corpus", str(SEEDS)]) == 0
    finally:
        os.chdir(old)
    return folder / "reports"


@pytest.fixture(scope="module")
def ilrs_report():
    corpus = api.open_corpus(SEEDS)
    return api.build_report(corpus, "ilrs")


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in _reader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


# -- findings ------------------------------------------------------------------------------


def test_the_russia_story_leads_the_findings(ilrs_report):
    first = ilrs_report.findings[0]
    assert first.kind == "actor"
    assert first.headline == (
        "Russia: 9 mentions in 2021-06 (v1), 2 in 2022-01 (v2), "
        "absent from 2023-05 (v3) on (DISAPPEARED)"
    )
    # 2 → 0 (v2 → v3) is too few mentions for a test, but the span the headline describes,
    # 9 → 0 from the peak (v1 → v3), is supported
    assert first.label == "supported"
    assert first.detail == (
        "supported: v1 → v3 (9 → 0 mentions) passes the exact test (p = 0.015) and the "
        "sentence bootstrap"
    )
    said = [(q.ref, q.text) for q in first.quotes]
    assert ("v2", "The ILRS was launched together with Russia.") in said
    assert (
        "v3",
        "The ILRS is proposed by China and built in partnership with several countries.",
    ) in said


def test_the_phase_rename_is_a_headline(ilrs_report):
    renames = [f for f in ilrs_report.headlines if f.kind == "rename"]
    assert [f.headline for f in renames] == [
        "“Reconnaissance” renamed “Basic Model” (2021-06 → 2023-05, v1 → v3)"
    ]
    assert [(q.ref, q.text) for q in renames[0].quotes] == [
        ("v1", "The first phase is Reconnaissance."),
        ("v3", "The first phase is Basic Model."),
    ]


def test_replaced_phrases_name_who_was_written_out(ilrs_report):
    phrases = {f.headline.split(" (")[0]: f for f in ilrs_report.findings if f.kind == "phrase"}
    key = "“was launched together with Russia” replaced by “is proposed by China and built in "
    key += "partnership with several countries”"
    assert key in phrases
    assert phrases[key].detail.endswith("the sentence no longer names Russia")
    # titles are other documents' titles, not renames or replaced phrases
    assert not any("CNSA presentation, May 2023" in h for h in phrases)


def test_whole_sentence_changes_are_not_replaced_phrases(ilrs_report):
    phrases = [f.headline for f in ilrs_report.findings if f.kind == "phrase"]
    assert not any(
        h.startswith("“The International Lunar Research Station (ILRS) is jointly") for h in phrases
    )
    framing = [f for f in ilrs_report.findings if f.headline.startswith("“proposed” replaced")]
    assert framing and framing[0].detail.endswith("the same actor, described differently")


def test_findings_rank_by_strength(ilrs_report):
    strengths = [f.strength for f in ilrs_report.findings]
    assert strengths == sorted(strengths, reverse=True)
    newcomers = [f for f in ilrs_report.findings if f.kind == "appeared"]
    assert newcomers[0].headline.startswith("9 actors named for the first time in 2024-04 (v5)")
    assert all(f.label == "directional" for f in newcomers)


def test_report_table_is_the_score_table(ilrs_report):
    corpus = api.open_corpus(SEEDS)
    table = api.score_frame(api.score_series(corpus, "ilrs"))
    mentioned = table[(table["count"] > 0) | (table["event"] != "")]
    assert len(ilrs_report.table) == len(mentioned)
    for row, (_, expected) in zip(ilrs_report.table, mentioned.iterrows(), strict=True):
        assert (row.ref, row.actor_name, row.count) == (
            expected["ref"],
            expected["actor_name"],
            expected["count"],
        )
        assert row.prominence == pytest.approx(expected["prominence"])


def test_pairs_carry_the_redline(ilrs_report):
    assert [(p.a_ref, p.b_ref) for p in ilrs_report.pairs] == [
        (f"v{i}", f"v{i + 1}") for i in range(1, 6)
    ]
    first = ilrs_report.pairs[0]
    deleted = ["".join(t for marked, t in p.a_runs if marked) for p in first.passages]
    assert any("jointly initiated by China and Russia as equal collaborators" in d for d in deleted)
    inserted = ["".join(t for marked, t in p.b_runs if marked) for p in first.passages]
    assert any("launched together with Russia" in i for i in inserted)


# -- PDF -----------------------------------------------------------------------------------


def test_the_first_pdf_page_tells_the_story(reports):
    first = flat(pdf_pages(reports / "ilrs.pdf")[0])
    assert "Key findings" in first
    assert (
        "Russia: 9 mentions in 2021-06 (v1), 2 in 2022-01 (v2), absent from 2023-05 (v3) on "
        "(DISAPPEARED)" in first
    )
    assert "The ILRS was launched together with Russia." in first
    assert "“Reconnaissance” renamed “Basic Model”" in first
    assert "The first phase is Basic Model." in first


def test_pdf_has_page_numbers_actors_redline_and_appendix(reports):
    pages = pdf_pages(reports / "ilrs.pdf")
    total = len(pages)
    assert total > 5
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {total}" in text
    everything = flat(" ".join(pages))
    for actor in ("China", "Russia", "Venezuela", "APSCO", "Unnamed partners"):
        assert actor in everything
    assert "v1 → v2 (2021-06-16 → 2022-01-28)" in everything
    assert "jointly initiated by China and Russia as equal collaborators" in everything
    assert "Appendix: methodology" in everything
    assert "Mentions and prominence by snapshot" in everything  # actors × snapshots
    assert "Appendix: the score table, one row per snapshot and actor" in everything


def test_pdf_text_keeps_chinese_and_embeds_its_fonts(reports):
    reader = _reader(reports / "ilrs.pdf")
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert "国际月球科研站" in text  # v6's title, on the snapshot table
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded TrueType
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    han = (font_set().cjk_name or "").replace(" ", "")  # the system's CJK font, or the bundled
    assert {"DejaVuSansBook", "DejaVuSansBold", han} <= fonts, fonts


def test_pdf_page_rasterises_to_ink(reports, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm (poppler-utils) is missing: .ci/run installs it")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(reports / "ilrs.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark / (image.width * image.height) > 0.02  # text, not a blank page


def test_pdf_is_deterministic(tmp_path, monkeypatch):
    corpus = str(SEEDS)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for name in ("a.pdf", "b.pdf"):
        assert main(["report", "--corpus", corpus, "-o", str(tmp_path / name)]) == 0
    one, two = (tmp_path / "a.pdf").read_bytes(), (tmp_path / "b.pdf").read_bytes()
    assert one == two
    created = _reader(io.BytesIO(one)).metadata.creation_date
    assert created == dt.datetime.fromtimestamp(1700000000, dt.UTC)


# -- PNG -----------------------------------------------------------------------------------


def test_default_outputs_and_pngs(reports):
    from PIL import Image

    names = sorted(p.name for p in reports.iterdir())
    assert names == [
        "ilrs-changes-heatmap.png",
        "ilrs-count.png",
        "ilrs-prominence-heatmap.png",
        "ilrs-prominence.png",
        "ilrs-share.png",
        "ilrs.html",
        "ilrs.pdf",
        "ilrs.png",
    ]
    card = Image.open(reports / "ilrs.png")
    assert card.size == (1920, 1080)  # a 16:9 slide
    colours = card.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # drawn, not blank


# -- errors --------------------------------------------------------------------------------


def test_unknown_extension_is_one_line(tmp_path, capsys):
    code = main(["report", "--corpus", str(SEEDS), "-o", str(tmp_path / "x.docx")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "bad-extension" in err and ".pdf, .html, .png or .md" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_refused_before_work(tmp_path, capsys):
    code = main(["report", "--corpus", str(SEEDS), "-o", str(tmp_path / "nope" / "x.pdf")])
    assert code == 2
    assert "no-such-folder" in capsys.readouterr().err


def test_glyphs_no_font_has_fail_loudly(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    corpus = Corpus(tmp_path / "corpus")
    body = "# ILRS\n\nThe ILRS is proposed by China.\n\n"
    for slug, date, extra in (
        ("one", "2024-01-01", "The station is on the Moon."),
        ("two", "2024-02-01", "नमस्ते दुनिया, the station is on the Moon."),  # in the redline
    ):
        corpus.add(make_snapshot("demo", slug, date, body + extra + "\n", language="en"))
    assert missing_glyphs(["नमस्ते"]), "the test needs a script neither font has"
    code = main(["report", "--corpus", str(tmp_path / "corpus"), "-o", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err
    assert code == 3
    assert "font-missing" in err and "U+0928" in err and FALLBACK_FONT_ENV in err
    assert not (tmp_path / "r.pdf").exists()


def test_a_bad_font_setting_is_refused(tmp_path, monkeypatch, capsys):
    font_set.cache_clear()
    monkeypatch.setenv(FALLBACK_FONT_ENV, str(tmp_path / "missing.ttf"))
    try:
        code = main(["chart", "--corpus", str(SEEDS), "-o", str(tmp_path / "c.png")])
    finally:
        font_set.cache_clear()
    assert code == 3
    assert re.search(
        r"font-missing: NARRATIVE_DIFF_FONT=.*missing\.ttf is not a", capsys.readouterr().err
    )


def _reader(source):
    from pypdf import PdfReader

    return PdfReader(source)


# -- edge cases (from a cold review) -------------------------------------------------------


def series_of(root: Path, series: str, *bodies: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(root)
    for n, body in enumerate(bodies):
        date = f"2024-0{n + 1}-01"
        corpus.add(make_snapshot(series, f"s{n}", date, body, language="en", title=f"Doc {n}"))
    return root


def test_money_is_not_mathematics(tmp_path, capsys):
    root = series_of(
        tmp_path / "c",
        "money",
        "# Budget\n\nRussia will pay $5 million, 50% of $10 million for the lander.\n",
        "# Budget\n\nChina will pay $5 million, 50% of $10^ million for the lander.\n",
    )
    out = tmp_path / "money.png"
    assert main(["report", "money", "--corpus", str(root), "-o", str(out)]) == 0
    assert (tmp_path / "money-share.png").is_file()


def test_a_series_that_names_no_actor(tmp_path):
    root = series_of(tmp_path / "c", "quiet", "# Weather\n\nIt rained.\n", "# Weather\n\nSun.\n")
    assert main(["report", "quiet", "--corpus", str(root), "-o", str(tmp_path / "q.pdf")]) == 0
    first = flat(pdf_pages(tmp_path / "q.pdf")[0])
    assert "No findings: no actor appears" in first
    corpus = api.open_corpus(root)
    report = api.build_report(corpus, "quiet")
    assert all(chart.lines == () for chart in report.charts)
    assert "No actor of the actors file is mentioned" in report.charts[2].note
    assert (
        main(
            [
                "chart",
                "quiet",
                "--corpus",
                str(root),
                "-m",
                "count,share",
                "-o",
                str(tmp_path / "q.svg"),
            ]
        )
        == 0
    )


def test_a_series_of_one_snapshot(tmp_path):
    root = series_of(tmp_path / "c", "solo", "# ILRS\n\nChina and Russia build the ILRS.\n")
    assert main(["report", "solo", "--corpus", str(root), "-o", str(tmp_path / "s.html")]) == 0
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "The &#39;solo&#39; series: one snapshot so far (v1)" in html
    assert "1 snapshot," in html


def test_output_set_is_all_or_nothing(tmp_path, capsys, monkeypatch):
    (tmp_path / "x.pdf").mkdir()  # a folder where the file should go
    code = main(["report", "--corpus", str(SEEDS), "-o", str(tmp_path / "x.pdf")])
    assert code == 7
    assert "cannot-write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]  # no temporary file left
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").write_text("not a folder")
    assert main(["report", "--corpus", str(SEEDS)]) == 2
    assert "no-such-folder: 'reports' is a file" in capsys.readouterr().err


def test_chart_of_an_empty_series(tmp_path, capsys):
    (tmp_path / "c" / "empty").mkdir(parents=True)
    series_of(tmp_path / "c", "other", "# A\n\nChina.\n")
    assert main(["chart", "empty", "--corpus", str(tmp_path / "c"), "-o", "x.png"]) == 4
    assert "empty-series: series 'empty' has no snapshots" in capsys.readouterr().err


def test_a_damaged_font_file_is_refused(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font at all" * 10)
    font_set.cache_clear()
    monkeypatch.setenv(FALLBACK_FONT_ENV, str(bad))
    try:
        code = main(["chart", "--corpus", str(SEEDS), "-o", str(tmp_path / "c.png")])
    finally:
        font_set.cache_clear()
    assert code == 3
    assert "font-missing: cannot use the font" in capsys.readouterr().err


def test_disappearance_has_a_row_in_the_table(ilrs_report):
    rows = [(r.ref, r.actor_name, r.count, r.event) for r in ilrs_report.table]
    assert ("v3", "Russia", 0, "DISAPPEARED") in rows


def test_a_failed_rename_removes_the_files_of_the_set(tmp_path, monkeypatch, capsys):
    import errno

    from narrative_diff import storage

    real = storage.os.replace
    done = []

    def replace(src, dst):
        if done:  # the first file lands, the second fails (e.g. disk full)
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        done.append(dst)
        return real(src, dst)

    monkeypatch.setattr(storage.os, "replace", replace)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--corpus", str(SEEDS)]) == 7
    err = capsys.readouterr().err
    assert err.startswith("narrative-diff: disk-full: could not write ") and done
    assert "No space left on device; free some space" in err and "no file of this set" in err
    assert list((tmp_path / "reports").iterdir()) == []  # not a PDF without its HTML


def test_an_output_the_system_refuses_is_named_by_errno(tmp_path, monkeypatch, capsys):
    """Permission denied writing an output: its own slug and exit code (8), not a generic
    cannot-write, and nothing left behind."""
    import errno

    from narrative_diff import storage

    def refuse(path, data):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(storage, "_stage", refuse)
    out = tmp_path / "shift.json"
    assert main(["compare", "v1", "v3", "--corpus", str(SEEDS), "-f", "json", "-o", str(out)]) == 8
    err = capsys.readouterr().err
    assert err.startswith(f"narrative-diff: permission-denied: could not write {out}: ")
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


# -- what stayed, what went (issue 18) -----------------------------------------------------


def test_what_stayed_what_went_reads_the_ilrs_series(ilrs_report):
    stayed = ilrs_report.stayed
    assert stayed.chain == "v1 to v5"  # v6 is in Chinese: a translation starts no chain
    assert "v6 (another language or source) is not part of that chain" in stayed.note
    groups = dict(stayed.groups())
    assert groups["Unchanged since v1 (2021-06-16)"] == [("", "Partners"), ("", "Cooperation")]
    assert groups["Names no longer used"] == [
        ("Russia, last seen v2 (2022-01-28)", "The ILRS was launched together with Russia.")
    ]
    dropped = groups["Sentences dropped, newest first"]
    assert dropped[0][0] == "last in v4 (2023-10-02), gone in v5"  # newest first
    assert dropped[-1] == ("", "(22 more: each pair's compare lists them)")
    assert ("", "The first phase is the basic model.") in groups["New in v5 (2024-04-24)"]
    assert ("back from v3", "Phases") in groups["New in v5 (2024-04-24)"]  # so not dropped
    assert all(text != "Phases" for _, text in dropped)
    assert [name for name, _ in groups["Named for the first time in v6 (2025-04-23)"]] == [
        "Serbia",
        "Senegal",
    ]
    assert [heat.kind for heat in ilrs_report.heatmaps] == ["changes", "prominence"]


def test_the_section_and_heatmaps_are_in_every_format(reports, ilrs_report):
    from narrative_diff.report.markdown import render

    text = " ".join(" ".join(pdf_pages(reports / "ilrs.pdf")).split())
    assert "What stayed, what went" in text
    assert "Russia, last seen v2 (2022-01-28)" in text
    assert "“The ILRS was launched together with Russia.”" in text
    html = (reports / "ilrs.html").read_text(encoding="utf-8")
    assert '<section id="stayed">' in html
    assert "what changed at each step" in html  # the change map's alt text
    markdown = render(ilrs_report)
    assert "## What stayed, what went" in markdown
    assert "- **Russia, last seen v2 (2022-01-28)**: “The ILRS was launched together" in markdown


def test_a_font_that_cannot_be_cut_leaves_the_whole_one(tmp_path, monkeypatch, capsys):
    """Cutting the Han font to the report's text only saves time: when it fails (a full
    disk, a font fontTools cannot subset) the report uses the whole font; a Markdown
    report, which embeds no font, never cuts one."""
    from narrative_diff import fonts

    calls: list[int] = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fonts, "fitted", broken)
    assert main(["report", "--corpus", str(SEEDS), "-o", str(tmp_path / "r.md")]) == 0
    assert calls == []
    assert main(["report", "--corpus", str(SEEDS), "-o", str(tmp_path / "r.pdf")]) == 0, (
        capsys.readouterr().err
    )
    assert calls == [1]
    assert "国际月球科研站" in " ".join(pdf_pages(tmp_path / "r.pdf"))


def test_the_han_face_is_the_fallback_only_for_text_that_needs_it(tmp_path):
    """fpdf2 sets a string whole unless a fallback face is set: the PDF sets the Han face
    as the fallback for a text with a character DejaVu lacks, and only then; a footer in
    the middle of a table leaves the table's fallback as it was."""
    from pypdf import PdfReader

    from narrative_diff.fonts import fitted
    from narrative_diff.report.pdf_document import Document

    fonts = fitted(font_set(), ["国际月球科研站 Россия"], tmp_path)
    if fonts.han_face is None:
        pytest.skip("no Han font")
    footed = Document(fonts, "月球 series")
    footed.add_page()
    footed.fallback_for("Russia and China", "Россия – “together”")
    assert footed._falling_back == []
    footed.fallback_for("Russia", "国际月球科研站")
    assert footed._falling_back == ["cjk"]
    footed.fallback_for("plain")
    footed.footer()  # its name needs the Han face; what was set before comes back after
    assert footed._falling_back == []
    footed.output()  # (which closes its font files)

    def fonts_used(asked: str) -> int:
        pdf = Document(fonts, "ILRS")
        pdf.add_page()
        pdf.fallback_for(asked)
        pdf.set_font("body", "", 10)
        pdf.multi_cell(0, 5, "国际月球科研站 and Russia")
        page = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]
        return len(page["/Resources"]["/Font"])

    assert fonts_used("国际月球科研站 and Russia") == 2  # the Han face beside DejaVu
    assert fonts_used("plain") == 1  # (what a text not asked for would get)
