"""Han text in the HTML report on a machine with no CJK font (issue 15, points 4 and 5).

The report embeds the Han font, subset to the characters it shows, as a WOFF2 ``data:``
URL. These tests look at the page in Debian's headless Chromium (as test_report_html.py
does) on this machine, which has no CJK font (``fc-list :lang=zh`` is empty): the embedded
face must load, and the characters must be drawn as distinct glyphs, not identical empty
boxes. They also check that the font is found the documented way (the system's first,
through fontconfig), that the subset is deterministic, and that a page without Han text
embeds no font.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from narrative_diff import fonts as fonts_module
from narrative_diff.fonts import font_set, web_font
from narrative_diff.report.html import CSS, HAN_FAMILY, han_css

from .test_report_html import CHROMIUM, FLAGS, SEEDS, open_page, render

HAN = "国际月球科研站"  # from v6's title, shown in the snapshot table


def system_has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True).stdout
    return bool(out.strip())


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def ilrs_page_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html-fonts") / "ilrs.html"
    render(["report", "--corpus", str(SEEDS), "-o", str(out)])
    return out


def probe_images(page, texts: list[str], family: str | None = None) -> list[bytes]:
    """Screenshots of ``texts``, each alone in a large span in the page's own body font
    (or in ``family``), added through the CSSOM (the page's CSP forbids style attributes)."""
    page.evaluate(
        """([texts, family]) => {
            texts.forEach((t, i) => {
                const span = document.createElement("span");
                span.id = "probe-" + i;
                span.textContent = t;
                span.style.fontSize = "48px";
                span.style.display = "inline-block";
                span.style.padding = "4px";
                span.style.background = "#ffffff";
                span.style.color = "#000000";
                if (family) { span.style.fontFamily = family; }
                document.body.prepend(span);
            });
        }""",
        [texts, family],
    )
    page.evaluate("document.fonts.ready.then(() => true)")
    shots = [page.locator(f"#probe-{i}").screenshot() for i in range(len(texts))]
    page.evaluate("document.querySelectorAll('[id^=probe-]').forEach(e => e.remove())")
    return shots


def inner_ink(png: bytes) -> int:
    """Dark pixels in the middle half of the drawn shape. An empty box (tofu: what a
    browser draws for a character no font has) is a frame with nothing inside; 国, 际, 月
    and 球 all have strokes there."""
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(png)).convert("L")
    box = ImageOps.invert(image).point(lambda v: 255 if v > 127 else 0).getbbox()
    if box is None:
        return 0  # nothing drawn at all
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    middle = image.crop((left + w // 4, top + h // 4, right - w // 4, bottom - h // 4))
    return sum(middle.histogram()[:128])


def test_han_glyphs_render_in_a_chromium_without_cjk_fonts(chromium, ilrs_page_file):
    page, log = open_page(chromium, ilrs_page_file)
    assert log["errors"] == [] and log["console"] == []  # the CSP admits the font
    assert HAN in page.locator("#snapshots").inner_text()
    loaded = page.evaluate(
        """async ([family, text]) => {
            const faces = await document.fonts.load(`16px "${family}"`, text);
            await document.fonts.ready;
            return {
                faces: faces.map(f => [f.family, f.status]),
                check: document.fonts.check(`16px "${family}"`, text),
            };
        }""",
        [HAN_FAMILY, HAN],
    )
    assert loaded["faces"] == [[f'"{HAN_FAMILY}"', "loaded"]] or loaded["faces"] == [
        [HAN_FAMILY, "loaded"]
    ], loaded
    assert loaded["check"] is True
    # the pixels: each character drawn as a glyph with strokes inside, not an empty box
    chars = list("国际月球")
    drawn = [inner_ink(png) for png in probe_images(page, chars)]
    assert all(n > 20 for n in drawn), f"Han drawn as empty boxes: {drawn}"
    if not system_has_cjk_font():  # the situation the embedded font is for: prove it
        tofu = probe_images(page, chars, family='"DejaVu Sans", sans-serif')
        assert all(inner_ink(png) == 0 for png in tofu), "this machine draws Han by itself"


def test_dates_never_wrap_and_the_source_note_is_shown_once(chromium, ilrs_page_file):
    page, _ = open_page(chromium, ilrs_page_file)
    page.set_viewport_size({"width": 360, "height": 800})  # narrow: cells wrap if they can
    times = page.locator("time")
    assert times.count() > 10
    lines = times.evaluate_all("ts => ts.map(t => [t.textContent, t.getClientRects().length])")
    assert all(n <= 1 for _, n in lines), [t for t, n in lines if n > 1]  # 0: hidden view
    assert ["2021-06-16", 1] in lines
    figures = page.locator("#charts figure")
    assert figures.count() == 3
    assert page.locator("#charts figcaption").count() == 0  # the note is in the image
    alts = page.locator("#charts img").evaluate_all("imgs => imgs.map(i => i.alt)")
    assert all("Source" in alt or "source" in alt for alt in alts), alts


def test_a_page_without_han_text_embeds_no_font():
    # (every report shows some Han text: the methodology's examples of Chinese aliases)
    assert han_css("<p>Russia and China build the station – “together”.</p>") == CSS
    css = han_css("<p>中国 and Russia</p>")
    assert css.startswith("@font-face") and "unicode-range: U+4E2D, U+56FD;" in css
    assert f'"DejaVu Sans", "{HAN_FAMILY}", "Noto Sans CJK SC"' in css  # after the Latin


def test_the_subset_is_deterministic_woff2_of_exactly_those_characters():
    if font_set().cjk is None:
        pytest.skip("no Han font")
    from fontTools.ttLib import TTFont

    one, two = web_font(HAN + " Latin text 123"), web_font(HAN)
    assert one is not None and two is not None
    assert one == two  # same characters, same bytes; Latin ignored
    woff2, points = one
    assert woff2[:4] == b"wOF2"
    assert points == sorted(ord(c) for c in set(HAN))
    font = TTFont(io.BytesIO(woff2))
    assert set(font.getBestCmap()) == set(points)
    assert len(woff2) < 10_000  # seven glyphs
    assert web_font("no Han here") is None


def test_a_system_cjk_font_found_by_fontconfig_comes_first(tmp_path, monkeypatch):
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    bundled = font_set().cjk
    if bundled is None:
        pytest.skip("no Han font to stand in for a system one")
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(bundled, folder / "system-han.ttc")
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{folder}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    monkeypatch.delenv(fonts_module.FALLBACK_FONT_ENV, raising=False)
    font_set.cache_clear()
    try:
        chosen = font_set()
    finally:
        font_set.cache_clear()
    assert chosen.cjk == folder / "system-han.ttc"
    assert chosen.cjk_name == "WenQuanYi Micro Hei"


def test_system_fonts_are_ranked_noto_and_source_han_first():
    entries = [
        (Path("/f/wqy-zenhei.ttc"), 0, "WenQuanYi Zen Hei", "Regular"),
        (Path("/f/NotoSerifCJK.ttc"), 2, "Noto Serif CJK SC", "Regular"),
        (Path("/f/NotoSansCJK-Bold.ttc"), 2, "Noto Sans CJK SC", "Bold"),
        (Path("/f/NotoSansCJK-Regular.ttc"), 2, "Noto Sans CJK SC", "Regular"),
        (Path("/f/NotoSansCJK-Regular.ttc"), 0, "Noto Sans CJK JP", "Regular"),
    ]
    ranked = sorted(entries, key=fonts_module._preference)
    assert ranked[0] == (Path("/f/NotoSansCJK-Regular.ttc"), 2, "Noto Sans CJK SC", "Regular")
    assert ranked[1][3] == "Bold" and ranked[2][2] == "Noto Sans CJK JP"
    assert ranked[-1][2] == "Noto Serif CJK SC"
    line = "/f/NotoSansCJK-Regular.ttc\t2\tNoto Sans CJK SC\tRegular"
    assert fonts_module._fc_entry(line) == entries[3]
    assert fonts_module._fc_entry("/f/font.pcf.gz\t0\tFixed\tRegular") is None


def test_fitted_cuts_the_han_font_to_the_report_s_characters(tmp_path):
    from fontTools.ttLib import TTFont

    from narrative_diff.fonts import fitted

    whole = font_set()
    if whole.cjk is None:
        pytest.skip("no Han font")
    fonts = fitted(whole, [HAN, "Russia – “together”"], tmp_path)
    assert fonts.cjk == whole.cjk and fonts.cjk_cut is not None  # charts keep the whole font
    assert fonts.cjk_cut.parent == tmp_path and fonts.han_face == (fonts.cjk_cut, 0)
    with TTFont(whole.cjk, fontNumber=whole.cjk_index, lazy=True) as font:
        have = set(font.getBestCmap())
    with TTFont(fonts.cjk_cut) as cut:  # the Han only: DejaVu draws the rest
        assert (
            set(cut.getBestCmap())
            == {ord(c) for c in set(HAN)} & have
            == {ord(c) for c in set(HAN)}
        )
    assert fonts.cjk_cut.stat().st_size < 50_000 < whole.cjk.stat().st_size
    # the web font made from the cut covers the same characters as one made from the whole
    from_cut, from_whole = web_font(HAN, fonts), web_font(HAN, whole)
    assert from_cut is not None and from_whole is not None
    assert from_cut[1] == from_whole[1] == sorted({ord(c) for c in HAN})
    # a page with a Han character the cut was not made for: the whole font gives it
    other = web_font(HAN + "俄", fonts)
    assert other is not None and ord("俄") in other[1]


def test_fitted_drops_the_han_font_when_the_latin_face_draws_everything(tmp_path):
    from narrative_diff.fonts import fitted

    fonts = fitted(font_set(), ["Россия and China – “together” № 5"], tmp_path)
    assert (fonts.cjk, fonts.han_face, list(tmp_path.iterdir())) == (None, None, [])


def test_an_ideographic_space_is_in_the_cut(tmp_path):
    """U+3000 is a space (Zs) that DejaVu has no glyph for: the Han font draws it, so the
    cut keeps it (a PDF without it printed 第一章总则 for 第一章　总则)."""
    from fontTools.ttLib import TTFont

    from narrative_diff.fonts import fitted

    whole = font_set()
    if whole.cjk is None:
        pytest.skip("no Han font")
    fonts = fitted(whole, ["第一章\u3000总则\n"], tmp_path)
    assert fonts.cjk_cut is not None
    with TTFont(fonts.cjk_cut) as cut:
        assert 0x3000 in cut.getBestCmap()


def test_a_page_whose_title_holds_a_stand_in_keeps_its_style():
    """The page is rendered once with stand-ins for its policy, style and images: text that
    looks like one is escaped and stays text, and each image goes to its own place."""
    import base64
    from dataclasses import replace

    from narrative_diff import api
    from narrative_diff.report import html

    from .helpers import PINNED

    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    image_here = html._IMAGE_HERE.format("chart-0")
    tricky = replace(report, title=f"Moon {html._STYLE_HERE} {image_here} narrativediffstyle")
    charts = [f"chart {k}".encode() for k in range(len(report.figures))]
    heats = [f"heat {k}".encode() for k in range(len(report.heatmaps))]
    page = html.render(tricky, charts, heats)
    assert "<style>" in page and "@font-face" in page.split("<style>", 1)[1]
    assert (
        "Moon &lt;narrative-diff-style/&gt; &lt;narrative-diff-image chart-0/&gt; "
        "narrativediffstyle" in page
    )
    assert html._STYLE_HERE not in page and "<narrative-diff-image" not in page
    sources = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert [base64.b64decode(s) for s in sources] == charts + heats


def test_the_page_refuses_images_that_do_not_fit_its_places():
    """One image too few, or one chart given as a heat-map, is an error: never a page with
    a stand-in left in it or an image in another's place."""
    from narrative_diff import api
    from narrative_diff.report import html

    from .helpers import PINNED

    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    charts, heats = len(report.figures), len(report.heatmaps)
    with_images = html.set_text(report)
    with pytest.raises(ValueError, match=f"{charts - 1} chart images for {charts} places"):
        with_images([b"png"] * (charts - 1), [b"png"] * heats)
    with pytest.raises(ValueError, match=f"{charts - 1} chart images for {charts} places"):
        with_images([b"png"] * (charts - 1), [b"png"] * (heats + 1))  # as many in all
    with pytest.raises(ValueError, match=f"{heats + 1} heat-map images for {heats} places"):
        with_images([b"png"] * charts, [b"png"] * (heats + 1))
