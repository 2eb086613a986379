"""HTML extraction that knows what it kept (ingest/html.py): the captured-page fixtures of
fixtures/captures/ (README.md there), coverage and its fallbacks, tidy bodies, page dates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff.errors import UnreadableDocument
from narrative_diff.ingest import html as html_module
from narrative_diff.ingest.html import html_text, tidy_markdown

from .helpers import raises_slug

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
EXPECTED = json.loads((CAPTURES / "expected.json").read_text(encoding="utf-8"))
NAMES = sorted(EXPECTED)
#: the countries named only in each page's "Related"/"Popular" lists, never in its article
RELATED_ONLY = {
    "related-sidebar": ("Russia", "Belarus", "Pakistan", "Moscow"),
    "chinese": ("俄罗斯", "白俄罗斯", "巴基斯坦", "相关新闻", "阅读排行"),
    "russian": ("Беларусь", "Пакистан", "Читайте также", "Популярное"),
}


def capture(name: str, mode: str = "auto") -> html_module.HtmlText:
    markup = (CAPTURES / f"{name}.html").read_text(encoding="utf-8")
    return html_text(markup, name=f"{name}.html", mode=mode)


def lines_outside_fences(blocks: tuple[str, ...] | list[str]) -> list[str]:
    """The lines outside fenced code. A fence closes only on a line of backticks alone
    (CommonMark: "```a" inside a fence is code, not its end)."""
    lines, fenced = [], False
    for line in "\n".join(blocks).split("\n"):
        if fenced:
            fenced = re.fullmatch(r"`{3,}", line.strip()) is None
        elif line.startswith("```"):
            fenced = True
        else:
            lines.append(line)
    return lines


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


TEN = [  # four paragraphs of exactly ten words each
    "The partners of the lunar station met in Beijing today.",
    "Engineers presented the design of the power station for review.",
    "The board approved the schedule of the first robotic missions.",
    "Scientists will share the data within six months of collection.",
]
PAGE = f"<html><head><title>Board meeting</title></head><body>{paragraphs(*TEN)}</body></html>"


def test_every_fixture_has_its_page_and_expected_body() -> None:
    pages = {path.stem for path in CAPTURES.glob("*.html")}
    bodies = {path.name.removesuffix(".expected.md") for path in CAPTURES.glob("*.expected.md")}
    assert pages == bodies == set(NAMES)
    assert len(NAMES) >= 15


@pytest.mark.parametrize("name", NAMES)
def test_capture_body_title_method_and_date(name: str) -> None:
    got = capture(name)
    expected = (CAPTURES / f"{name}.expected.md").read_text(encoding="utf-8")
    assert "\n\n".join(got.blocks) + "\n" == expected
    date = got.date.isoformat() if got.date else None
    assert {"title": got.title, "method": got.method, "date": date} == EXPECTED[name]


@pytest.mark.parametrize("mode", ["auto", "main", "full"])
@pytest.mark.parametrize("name", NAMES)
def test_no_body_line_starts_with_a_space_and_no_stray_escape(name: str, mode: str) -> None:
    lines = lines_outside_fences(capture(name, mode).blocks)
    assert lines
    assert [line for line in lines if line[:1].isspace()] == []
    assert [line for line in lines if re.search(r"(?<!^)\\[\[\]_*()]", line)] == []


def test_the_mirror_page_keeps_the_whole_article_not_just_its_spam_line() -> None:
    got = capture("mirror-spam")
    body = "\n".join(got.blocks)
    assert (got.method, got.coverage) == ("full", 1.0)
    assert got.main_coverage < 0.5  # the warning the caller prints: main kept the spam only
    for start in ("Beijing, March 3", "The statement said", "A spokesperson", "The meeting also"):
        assert start in body


def test_mode_main_keeps_the_precision_result_with_its_low_coverage() -> None:
    got = capture("mirror-spam", "main")
    assert got.method == "main"
    assert got.coverage == got.main_coverage < 0.5
    assert got.blocks[0].startswith("CHEAP FLIGHTS")
    assert "landing zones" not in "\n".join(got.blocks)


@pytest.mark.parametrize("name", NAMES)
def test_mode_full_is_always_full(name: str) -> None:
    got = capture(name, "full")
    assert (got.method, got.coverage, got.main_coverage) == ("full", 1.0, 1.0)
    assert got.title == EXPECTED[name]["title"]


@pytest.mark.parametrize("mode", ["auto", "full"])
@pytest.mark.parametrize("name", sorted(RELATED_ONLY))
def test_related_and_popular_lists_are_not_in_the_body(name: str, mode: str) -> None:
    body = "\n".join(capture(name, mode).blocks)
    assert [word for word in RELATED_ONLY[name] if word in body] == []
    assert len(body) > 150


def test_share_buttons_and_cookie_banners_go_but_a_social_article_stays() -> None:
    body = "\n".join(capture("share-cookie").blocks)
    for junk in ("Share", "Tweet", "Facebook", "LinkedIn", "WeChat", "cookie", "Accept"):
        assert junk not in body
    assert "first joint drill" in body  # its container's class is "social-article"
    chinese = "\n".join(capture("chinese").blocks)
    assert [word for word in ("分享", "微信", "微博", "收藏", "打印") if word in chinese] == []


def test_photo_captions_lose_their_escapes() -> None:
    body = "\n".join(capture("photo-captions").blocks)
    assert "space exploration. [Photo/VCG]" in body
    assert "English_and_Chinese" in body and "*Booking*" in body
    assert "\n2024\\. The organisers" in body  # the escape stops an ordered-list marker


def fake_extract(main: list[str], recall: list[str]):  # type: ignore[no-untyped-def]
    def extract(tree, *, favor_recall: bool = False, **options):  # type: ignore[no-untyped-def]
        return "\n\n".join(recall if favor_recall else main)

    return extract


def test_coverage_when_main_misses_half_the_prose(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", fake_extract(TEN[:2], TEN[:3]))
    got = html_text(PAGE, name="page.html")
    assert (got.main_coverage, got.method, got.coverage) == (0.5, "full", 1.0)
    assert got.blocks == tuple(TEN)
    main = html_text(PAGE, name="page.html", mode="main")
    assert (main.method, main.coverage, main.blocks) == ("main", 0.5, tuple(TEN[:2]))


def test_the_threshold_and_empty_extractions(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    extra = "A fifth paragraph says that more news is to come."
    page = PAGE.replace("</body>", f"<p>{extra}</p></body>")
    monkeypatch.setattr(trafilatura, "extract", fake_extract(TEN[:1], [*TEN, "Noise."]))
    got = html_text(page, name="page.html")  # recall: 40 of 50 words, exactly 0.8
    assert (got.main_coverage, got.method, got.coverage) == (0.2, "recall", 0.8)
    assert got.blocks[-1] == "Noise."
    monkeypatch.setattr(trafilatura, "extract", fake_extract([], []))
    empty = html_text(page, name="page.html")  # empty extractions count as 0.0
    assert (empty.main_coverage, empty.method, empty.blocks[-1]) == (0.0, "full", extra)


def test_a_word_sequence_matches_across_markup_case_and_spacing() -> None:
    page = (
        "<html><body><article><p>The <b>Lunar</b>   Research\n Station is open to"
        " <a href='/x'>all partners</a> alike.</p></article></body></html>"
    )
    got = html_text(page, name="page.html")
    assert (got.method, got.coverage, got.blocks) == (
        "main",
        1.0,
        ("The **Lunar** Research Station is open to all partners alike.",),
    )


def test_prose_thresholds_for_alphabetic_and_han_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    seven = "Seven words are not yet a paragraph."  # not prose: coverage has nothing to miss
    han18 = "国际月球科研站由中俄两国共同发起建设"  # 18 Han characters: not prose either
    han20 = "国际月球科研站由中国与俄罗斯两国共同发起"  # 20: prose
    monkeypatch.setattr(trafilatura, "extract", fake_extract(["Other text."], []))
    short = html_text(f"<html><body>{paragraphs(seven, han18)}</body></html>", name="a.html")
    assert (short.method, short.coverage) == ("main", 1.0)
    long = html_text(f"<html><body>{paragraphs(seven, han20)}</body></html>", name="b.html")
    assert (long.main_coverage, long.method, long.blocks) == (0.0, "full", (seven, han20))


def test_tidy_removes_indentation_and_escapes_but_keeps_line_start_markers() -> None:
    markdown = (
        "                        Visitors at the show. \\[Photo/VCG\\] snake\\_case \\(a\\)\n\n"
        "\\# not a heading\n\n1\\. not a list\n\n\\- not an item\n\n\\> not a quote\n\n"
        "- item\n                        continued\n-\n  second item\n\n"
        "| layout cell \\| with a pipe |\n\n| a | b \\| c |\n|---|---|\n\n"
        "```\n    code keeps its indentation \\[x\\]\n\n```"
    )
    assert tidy_markdown(markdown) == [
        "Visitors at the show. [Photo/VCG] snake_case (a)",
        "\\# not a heading",
        "1\\. not a list",
        "\\- not an item",
        "\\> not a quote",
        "- item continued\n- second item",
        "layout cell | with a pipe",
        "| a | b \\| c |\n|---|---|",
        "```\n    code keeps its indentation \\[x\\]\n\n```",
    ]


def test_a_line_start_hash_escape_survives_extraction() -> None:
    page = (
        "<html><body><article><p># of partners: twelve agencies have now signed the"
        " lunar station agreement.</p><p>The list [in the annex] names every one of them"
        " and the date of signature.</p></article></body></html>"
    )
    assert html_text(page, name="page.html").blocks == (
        "\\# of partners: twelve agencies have now signed the lunar station agreement.",
        "The list [in the annex] names every one of them and the date of signature.",
    )


MARKDOWNISH = st.lists(
    st.sampled_from([*"ab 中。\t\n#>-*+_`|\\[]().1:\u3000\xa0", "\n\n", "```", "    ", "|---|"]),
    max_size=80,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(MARKDOWNISH)
def test_tidy_is_idempotent(text: str) -> None:
    once = tidy_markdown(text)
    assert tidy_markdown("\n\n".join(once)) == once
    assert [line for line in lines_outside_fences(once) if line[:1].isspace()] == []


def test_date_is_none_without_metadata_even_if_the_text_has_dates() -> None:
    got = capture("date-none")
    assert got.date is None
    assert "2021-06-16" in "\n".join(got.blocks) and "Updated: 2025-02-24" in got.blocks


def test_a_future_date_is_returned_as_found_and_the_url_counts() -> None:
    meta = '<meta property="article:published_time" content="2031-07-01T00:00:00Z">'
    page = f"<html><head>{meta}</head><body>{paragraphs(*TEN)}</body></html>"
    assert str(html_text(page, name="p.html").date) == "2031-07-01"
    bare = f"<html><body>{paragraphs(*TEN)}</body></html>"
    url = "https://news.example.org/2024/04/24/lunar-partners.html"
    assert str(html_text(bare, name="p.html", url=url).date) == "2024-04-24"


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a library broke")


def test_htmldate_failures_give_no_date_and_keep_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import htmldate.extractors

    assert capture("date-jsonld").date is not None
    monkeypatch.setattr(htmldate.extractors, "json_search", broken)  # the JSON-LD step
    got = capture("date-jsonld")
    assert got.date is None
    assert got.blocks[0] == "# Energy station design passes its first review"


def test_pages_beyond_libxml2_limits() -> None:
    text = "The station is proposed by China and built with partners on the Moon."
    deep = "<html><body>" + "<div>" * 400 + text + "</div>" * 400 + "</body></html>"
    assert text in html_text(deep, name="deep.html").blocks
    deeper = "<html><body>" + "<div>" * 2100 + text + "</div>" * 2100 + "</body></html>"
    with raises_slug(UnreadableDocument, "corrupt-html", "deeper.html"):
        html_text(deeper, name="deeper.html")


def test_errors_and_empty_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    with monkeypatch.context() as patch:
        patch.setattr(trafilatura, "extract", broken)
        with raises_slug(UnreadableDocument, "corrupt-html", "broken.html", "a library broke"):
            html_text(PAGE, name="broken.html")
    empty = html_text("<!-- nothing -->", name="empty.html")
    assert (empty.blocks, empty.title, empty.date) == ((), None, None)
    nav = html_text(
        "<html><head><title>Menu</title></head><body><nav></nav></body></html>", name="n"
    )
    assert (nav.blocks, nav.title, nav.method) == ((), "Menu", "main")  # all 0.0: the first
    with pytest.raises(ValueError, match="mode must be one of"):
        html_text(PAGE, name="page.html", mode="best")


def test_a_class_name_alone_never_cuts_a_heading_or_paragraph() -> None:
    page = (
        "<html><head><title>T</title></head><body><article><h1>Lunar news</h1>"
        '<h2 class="social-article__subtitle">Russia leaves the lunar project</h2>'
        '<p class="printable">Russia left.</p>'
        "<p>The agency said on Monday that the lunar station would be open to every "
        "interested country and partner agency in the world.</p>"
        '<div class="share-buttons"><a href="#">Share</a> <a href="#">Tweet</a></div>'
        "</article></body></html>"
    )
    for mode in ("auto", "full"):
        text = "\n\n".join(html_text(page, name="p.html", mode=mode).blocks)
        assert "Russia leaves the lunar project" in text and "Russia left." in text
        assert "Tweet" not in text
