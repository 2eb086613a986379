"""The HTML report in a real headless Chromium (Debian's, driven by Playwright), and its
golden file.

Chromium is never downloaded: the tests use ``/usr/bin/chromium`` (``.ci/run`` installs
Debian's package when it is absent). Without it they are skipped on a developer's machine
and fail in CI. The golden file ``fixtures/golden/ilrs-report.html`` is the ILRS report with
the version, the chart images, the embedded Han font and the CSP hashes scrubbed
(test_report_html_fonts.py checks the font); on a mismatch the actual page is written to
``tests/actual/``, and ``NARRATIVE_DIFF_UPDATE_GOLDEN=1`` accepts it.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from narrative_diff.cli import main
from narrative_diff.corpus import Corpus

from .helpers import PINNED, make_snapshot

ROOT = Path(__file__).resolve().parents[1]
SEEDS = PINNED
GOLDEN = ROOT / "fixtures" / "golden" / "ilrs-report.html"
ACTUAL = ROOT / "tests" / "actual"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = (  # each line a sentence of its own (no full stop inside the scripts)
    "# Statement <script>pwned = 'title'</script>\n\n"
    "The ILRS is proposed by China <script>pwned = 'script'</script>\n\n"
    "{extra}\n"
)
INJECTED = (
    "China builds it <script>pwned = 'redline'</script> with "
    "<img src=x onerror=\"pwned = 'img'\"> and [partners](javascript:pwned='link') or "
    "<a href=\"javascript:pwned='anchor'\">here</a>"
)


def render(args: list[str]) -> None:
    assert main(args) == 0


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser, path: Path):
    """The page, with every console message, page error and request recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log: dict[str, list[str]] = {"console": [], "errors": [], "requests": []}
    page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, log


@pytest.fixture(scope="module")
def ilrs_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "ilrs.html"
    render(["report", "--corpus", str(SEEDS), "-o", str(out)])
    return out


def test_ilrs_report_in_chromium(browser, ilrs_html, tmp_path):
    page, log = open_page(browser, ilrs_html)
    assert log["console"] == [] and log["errors"] == []
    assert log["requests"] == [ilrs_html.as_uri()]  # nothing else: no network at all
    headline = page.get_by_text("Russia: 9 mentions in 2021-06 (v1)", exact=False).first
    box = headline.bounding_box()
    assert box is not None and box["y"] < 900  # the Russia story is in the first screen
    rename = page.get_by_text("“Reconnaissance” renamed “Basic Model”", exact=False).first
    assert rename.bounding_box()["y"] < 900
    assert page.get_by_text("The ILRS was launched together with Russia.").first.is_visible()
    images = page.locator("#charts img")
    assert images.count() == 3
    widths = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert all(w > 500 for w in widths)  # the PNG data URIs decoded and drew
    shot = tmp_path / "shot.png"
    page.screenshot(path=str(shot), full_page=False)
    from PIL import Image

    assert len(Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)) > 20


def test_score_table_sorts(browser, ilrs_html):
    page, log = open_page(browser, ilrs_html)
    page.locator("#scores details summary").click()  # the long table, folded by default
    heading = page.locator("table.sortable th", has_text="mentions")
    first_count = "table.sortable tbody tr:first-child td:nth-child(4)"
    heading.click()
    assert heading.get_attribute("aria-sort") == "ascending"
    assert page.locator(first_count).inner_text() == "0"  # Russia's DISAPPEARED row
    heading.click()
    assert heading.get_attribute("aria-sort") == "descending"
    assert page.locator(first_count).inner_text() == "9"
    counts = page.locator("table.sortable tbody td:nth-child(4)").all_inner_texts()
    assert [int(c) for c in counts] == sorted((int(c) for c in counts), reverse=True)
    assert log["errors"] == []


def test_page_one_shows_the_latest_change_and_the_pivoted_scores(browser, ilrs_html):
    page, log = open_page(browser, ilrs_html)
    latest = page.locator("#latest")
    assert latest.locator("h2").inner_text() == (
        "What the latest snapshot changed: v6 (2025-04-23) against v5 (2024-04-24)"
    )
    assert "Serbia (0 → 1)" in latest.inner_text()
    assert page.locator("section").first.get_attribute("id") == "latest"
    grid = page.locator("#scores table").first
    assert grid.locator("thead th").all_inner_texts() == [
        "actor",
        "v1",
        "v2",
        "v3",
        "v4",
        "v5",
        "v6",
    ]
    russia = grid.locator("tbody tr", has_text="Russia").first.locator("td").all_inner_texts()
    assert russia == ["9 · 7.7", "2 · 0.9", "gone", "–", "–", "–"]  # as score -f csv
    assert log["errors"] == []


def test_inline_and_side_by_side_views(browser, ilrs_html):
    page, _ = open_page(browser, ilrs_html)
    pair = page.locator("article.pair").first
    inline, sbs = pair.locator("div.inline"), pair.locator("table.sbs")
    assert inline.is_visible() and not sbs.is_visible()
    deleted = inline.locator("del", has_text="jointly initiated by China and Russia").first
    assert deleted.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    pair.locator("label", has_text="side by side").click()
    assert sbs.is_visible() and not inline.is_visible()
    inserted = sbs.locator("ins").first
    assert inserted.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"


def test_document_text_never_runs(browser, tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    corpus = Corpus(root)
    for slug, date, extra in (
        ("one", "2024-01-01", "Russia and China build it together"),
        ("two", "2024-02-01", INJECTED),
    ):
        body = HOSTILE.format(extra=extra)
        provenance = "<script>pwned = 'provenance'</script>"
        corpus.add(make_snapshot("hostile", slug, date, body, language="en", provenance=provenance))
    out = tmp_path / "hostile.html"
    render(["report", "--corpus", str(root), "-o", str(out)])
    html = out.read_text(encoding="utf-8")
    assert "<script>pwned" not in html and 'onerror="' not in html
    assert 'href="javascript:' not in html
    page, log = open_page(browser, out)
    for link in page.locator("a").all():  # no link may run script
        assert not (link.get_attribute("href") or "").startswith("javascript:")
    assert page.evaluate("typeof pwned") == "undefined"
    text = page.locator("#changes div.inline").inner_text()
    assert "<script>pwned = 'redline'</script>" in text  # shown as text, not run
    assert "<img src=x onerror=\"pwned = 'img'\">" in text
    assert "<a href=\"javascript:pwned='anchor'\">here</a>" in text
    assert "<script>pwned = 'provenance'</script>" in page.locator("#snapshots").text_content()
    assert log["requests"] == [out.as_uri()]  # the <img src=x> was never fetched
    assert log["errors"] == []


def scrub(html: str) -> str:
    html = re.sub(r"narrative-diff \d[^\s<\"]*", "narrative-diff <version>", html)
    html = re.sub(r"data:font/woff2;base64,[A-Za-z0-9+/=]+", "data:<han-font>", html)
    html = re.sub(r"'sha256-[A-Za-z0-9+/=]+'", "'sha256-<hash>'", html)  # the CSS has the font
    # the images are checked where they are drawn (test_charts, test_chart_layout, test_blame)
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:<image>", html)


def test_golden_html(ilrs_html):
    actual = scrub(ilrs_html.read_text(encoding="utf-8"))
    if os.environ.get("NARRATIVE_DIFF_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(actual, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    if actual != expected:
        ACTUAL.mkdir(exist_ok=True)
        (ACTUAL / GOLDEN.name).write_text(actual, encoding="utf-8")
        diff = "".join(
            list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True)))[:40]
        )
        pytest.fail(
            f"the HTML report differs from {GOLDEN.name} (actual page in tests/actual/); "
            f"accept with NARRATIVE_DIFF_UPDATE_GOLDEN=1 if intended:\n{diff}"
        )
    assert "Russia: 9 mentions in 2021-06 (v1)" in expected
