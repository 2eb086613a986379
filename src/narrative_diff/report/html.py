"""The report as one self-contained HTML file.

Everything is inline: the CSS, a small script that sorts the score table, the charts as
PNG data URIs (the same images as the PDF's), and, when the page shows Han
(or other CJK) text, the Han font (fonts.py) subset to exactly those characters as a WOFF2
``data:`` URL, so a reader with no CJK font sees the characters rather than empty boxes;
its family comes after the Latin ones, which keep their fonts. Each chart's source note is
drawn in its image and repeated in its ``alt`` text, not again in a caption. Dates are
``<time>`` elements that never wrap. Jinja2 autoescapes every piece
of document text (URLs are shown as text, never as links); the methodology is Markdown
rendered with raw HTML disabled. The Content-Security-Policy is a second line: it allows no
source but ``data:`` images and fonts and admits only this file's own style and script by their
SHA-256 hashes, so a ``<script>`` or an ``onerror`` that slipped past the escaping could not
run or fetch anything (it would not stop a navigation such as a ``<meta>`` refresh: that is
the escaping's job). The inline and side-by-side views switch with
radio buttons and CSS alone.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from narrative_diff.render.compare_text import shown_in_html

from .layout import pivot
from .model import EDITED, TABLE_COLUMNS, Report, cell, table_header, value_of

if TYPE_CHECKING:
    from narrative_diff.fonts import FontSet

#: PNG images, in the order of their places.
Images = Sequence[bytes]
#: The CSS family of the embedded Han subset.
HAN_FAMILY = "narrative-diff Han"

CSS = """
body { font: 15px/1.5 system-ui, "Noto Sans", "DejaVu Sans", "Noto Sans CJK SC",
  "WenQuanYi Micro Hei", sans-serif; max-width: 76rem; margin: 2rem auto; padding: 0 1rem;
  color: #1a1a1a; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; } h4 { font-size: .95rem; margin: .8rem 0 .2rem; }
.meta, .hint, .dates { color: #555; font-size: .9rem; }
time { white-space: nowrap; }
nav a { color: #0b5394; }
ol.findings > li { margin-bottom: .9rem; }
.headline { font-weight: 650; margin: 0; }
.detail { margin: .1rem 0; font-size: .9rem; }
.label-supported { color: #0a6428; } .label-directional { color: #8a5a00; }
.label-candidate { color: #005a9e; } .label-lexical, .label-cross-language { color: #555; }
ul.quotes { margin: .2rem 0; font-size: .92rem; color: #333; }
.ref { font-family: ui-monospace, monospace; font-size: .85rem; color: #555; }
table.grid { border-collapse: collapse; width: 100%; font-size: .9rem; }
table.grid th, table.grid td { border: 1px solid #ddd; padding: .25rem .45rem;
  vertical-align: top; text-align: left; }
table.grid td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; background: #f4f4f4; }
table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; }
table.sortable th[aria-sort=descending]::after { content: " \\25BC"; }
.url { font-size: .8rem; color: #555; word-break: break-all; }
figure { margin: 1rem 0; } figure img { width: 100%; height: auto; border: 1px solid #eee; }
.verdict { font-weight: 600; padding: .4rem .6rem; background: #f4f1e8;
  border-left: 4px solid #b58900; }
del { background: #fde2e1; color: #8b1a1a; text-decoration: line-through; }
ins { background: #dff3e3; color: #14532d; text-decoration: underline; }
del + ins { margin-left: .2em; }
.tag { font-size: .78rem; color: #555; font-family: ui-monospace, monospace; }
.moved { border-left: 3px solid #5b4fc9; padding-left: .4rem; }
.views > input { margin-left: .8rem; } .views label { font-size: .9rem; }
.views .sbs { display: none; }
.views .to-sbs:checked ~ .inline { display: none; }
.views .to-sbs:checked ~ .sbs { display: table; }
table.sbs { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.sbs td { vertical-align: top; border-top: 1px solid #eee; padding: .3rem .5rem; }
p.passage { margin: .5rem 0; }
dd { margin: 0 0 .6rem 1rem; font-size: .9rem; color: #333; }
"""

SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, column) {
    function sort() {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var c = row.cells[column];
        return c.hasAttribute("data-value") ? parseFloat(c.getAttribute("data-value"))
                                            : c.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        return (x > y ? 1 : x < y ? -1 : 0) * (ascending ? 1 : -1);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
});
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def csp(css: str) -> str:
    """No network, no plugins, no frames; only this file's own style (``css``), script,
    and ``data:`` images and fonts."""
    return (
        f"default-src 'none'; img-src data:; font-src data:; style-src {_hash(css)}; "
        f"script-src {_hash(SCRIPT)}; base-uri 'none'; form-action 'none'"
    )


#: Where the policy and the style go in a page rendered before its font is known: each
#: appears once, where the template puts it (the page's own text cannot hold them: it is
#: escaped, and they begin with "<").
_POLICY_HERE, _STYLE_HERE = "<narrative-diff-policy/>", "<narrative-diff-style/>"
#: Where each image goes (an ``src`` attribute), in a page set before the images are drawn.
_IMAGE_HERE = "<narrative-diff-image {}/>"
_IMAGE_SPLIT = re.compile("<narrative-diff-image ([a-z]+-[0-9]+)/>")


def _ranges(points: Sequence[int]) -> str:
    """``unicode-range`` of sorted code points: runs as ``U+4E00-4E02``."""
    runs: list[list[int]] = []
    for point in points:
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def han_css(page: str, fonts: FontSet | None = None) -> str:
    """The CSS for a page whose text is ``page``: :data:`CSS`, and when the page has CJK
    characters the Han font has, an ``@font-face`` with the subset, its family placed after
    the Latin ones. The same page text gives the same CSS."""
    from narrative_diff.fonts import web_font

    subset = web_font(page, fonts)
    if subset is None:
        return CSS
    woff2, points = subset
    face = (
        f'@font-face {{ font-family: "{HAN_FAMILY}"; font-display: block;\n'
        f"  src: url(data:font/woff2;base64,{base64.b64encode(woff2).decode('ascii')}) "
        'format("woff2");\n'
        f"  unicode-range: {_ranges(points)}; }}\n"
    )
    family = f'"{HAN_FAMILY}", '
    css = CSS.replace('"Noto Sans CJK SC"', family + '"Noto Sans CJK SC"', 1)
    css = css.replace("ui-monospace, monospace;", f"ui-monospace, monospace, {family[:-2]};")
    return face + css


def render(
    report: Report,
    charts_png: Images,
    heatmaps_png: Images = (),
    fonts: FontSet | None = None,
) -> str:
    """The HTML page; ``charts_png`` are the report's line charts, in order, and
    ``heatmaps_png`` its heat-maps (the same images as the PDF's and the files beside it:
    each chart is drawn once); ``fonts`` (default
    :func:`~narrative_diff.fonts.font_set`) gives the Han font to embed."""
    return set_text(report, fonts)(charts_png, heatmaps_png)


def set_text(report: Report, fonts: FontSet | None = None) -> Callable[[Images, Images], str]:
    """The page with everything but its images (:func:`render`); the function returned
    puts them in. The images may still be being drawn while the text is set."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markdown_it import MarkdownIt
    from markupsafe import Markup, escape

    env = Environment(
        loader=PackageLoader("narrative_diff", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=shown_in_html,  # control characters shown escaped, as on the terminal
    )
    charts = [_IMAGE_HERE.format(f"chart-{k}") for k in range(len(report.figures))]
    heatmaps = [_IMAGE_HERE.format(f"heat-{k}") for k in range(len(report.heatmaps))]
    methodology = MarkdownIt("commonmark", {"html": False}).enable("table")
    template = env.get_template("report.html.j2")
    values = dict(
        report=report,
        script=Markup(SCRIPT),
        charts=[
            (panels[0], " ".join(p.note for p in panels), Markup(here))
            for panels, here in zip(report.figures, charts, strict=True)
        ],
        heatmaps=[
            (heat, Markup(here)) for heat, here in zip(report.heatmaps, heatmaps, strict=True)
        ],
        columns=TABLE_COLUMNS,
        header=table_header,
        cell=cell,
        value=value_of,
        methodology=Markup(methodology.render(report.methodology)),
        no_findings=report.no_findings,
        edited=EDITED,
        grid=pivot(report),
    )
    # the page's text does not depend on its CSS: render it with stand-ins, learn which
    # characters it shows, then put in the style with the font that draws them
    page = template.render(csp=Markup(_POLICY_HERE), css=Markup(_STYLE_HERE), **values)
    stand_ins = [_POLICY_HERE, _STYLE_HERE, *charts, *heatmaps]
    assert all(page.count(here) == 1 for here in stand_ins), "a stand-in is lost"
    css = han_css(page, fonts)
    page = page.replace(_POLICY_HERE, str(escape(csp(css)))).replace(_STYLE_HERE, css)

    def with_images(charts_png: Images, heatmaps_png: Images) -> str:
        for kind, kept, pngs in (
            ("chart", charts, charts_png),
            ("heat-map", heatmaps, heatmaps_png),
        ):
            if len(pngs) != len(kept):
                raise ValueError(f"{len(pngs)} {kind} images for {len(kept)} places")
        pieces = _IMAGE_SPLIT.split(page)  # text, a stand-in's name, text, …
        places = dict(zip([*charts, *heatmaps], [*charts_png, *heatmaps_png], strict=True))
        for k in range(1, len(pieces), 2):
            png = places[_IMAGE_HERE.format(pieces[k])]
            pieces[k] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        return "".join(pieces)

    return with_images
