"""Page 1's latest change and the findings lists in every format (issue 15), and cases a
cold review found: a translation is not a rewrite, a newest snapshot that starts a new
source line, a sentence that begins with "#", a provenance too long for a table row."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.report.layout import SOFT_HYPHEN, hyphenated
from narrative_diff.report.model import _plain_runs

from .helpers import PINNED, make_snapshot


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(PINNED, root)
    return root


def test_the_other_findings_are_every_finding_not_in_the_headlines():
    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    assert set(report.headlines).isdisjoint(report.others)
    assert len(report.headlines) + len(report.others) == len(report.findings)
    assert any(f.kind == "appeared" for f in report.headlines)


def test_the_html_lists_each_finding_once(tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", "--corpus", str(PINNED), "-o", str(out), "-q"]) == 0
    html = out.read_text(encoding="utf-8")
    headlines = re.findall(r'<p class="headline">(.*?)</p>', html)
    assert len(headlines) == len(set(headlines))
    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    assert len(headlines) == len(report.findings)


def test_a_translation_on_page_one_is_said_to_be_one():
    latest = api.build_report(api.open_corpus(PINNED), "ilrs").latest
    assert latest is not None
    assert latest.verdict.startswith("Languages differ (en → zh)")


def test_a_newest_snapshot_that_starts_a_source_line_is_said_in_every_format(corpus, tmp_path):
    Corpus(corpus).add(
        make_snapshot("ilrs", "2026-01-tass", "2026-01-10", "# TASS\n\nRussia and China.\n",
                      lineage="Roscosmos", language="en")
    )  # fmt: skip
    said = "is the first of its source line: there is nothing earlier to compare it with"
    for suffix in ("md", "html", "pdf"):
        out = tmp_path / f"r.{suffix}"
        assert main(["report", "--corpus", str(corpus), "-o", str(out), "-q"]) == 0
        if suffix == "pdf":
            from pypdf import PdfReader

            text = " ".join(PdfReader(out).pages[0].extract_text().split())
        else:
            text = " ".join(out.read_text(encoding="utf-8").split())
        assert said in text, suffix


def test_a_sentence_that_begins_with_a_hash_keeps_it():
    assert _plain_runs([(1, "# of partners is 17.")]) == ((1, "# of partners is 17."),)
    assert _plain_runs([(0, "## Partners")]) == ((0, "Partners"),)
    assert _plain_runs([(0, "Intro.\n## Missions\nText.")]) == ((0, "Intro.\nMissions\nText."),)


def test_a_provenance_too_long_for_a_table_row_still_makes_a_pdf(corpus, tmp_path):
    long = " ".join(["Excerpt-style text from the documented wording."] * 200)
    Corpus(corpus).add(
        make_snapshot("ilrs", "2026-01-long", "2026-01-10", "# Long\n\nChina builds it.\n",
                      lineage="China official", language="en", provenance=long)
    )  # fmt: skip
    out = tmp_path / "r.pdf"
    assert main(["report", "--corpus", str(corpus), "-o", str(out), "-q"]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_urls_are_never_hyphenated():
    text = "see https://x.org/a?q=internationalization and internationalization"
    assert hyphenated(text).split(" and ")[0] == text.split(" and ")[0]
    assert SOFT_HYPHEN in hyphenated(text).split(" and ")[1]
