"""Chart layout, measured on the drawn figure: stable colours, no bars around levels, refs
on the axis, equal lines both visible, and no text touching other text at 30 snapshots."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.charts import figure, lineage_charts
from narrative_diff.charts.data import PALETTE, style_at, style_of, styles
from narrative_diff.charts.labels import box_of
from narrative_diff.corpus import Corpus
from narrative_diff.fonts import font_set
from tests.helpers import PINNED, make_snapshot

PARTNERS = ("Russia", "Venezuela", "Pakistan", "Egypt", "APSCO", "AUASS", "Belarus", "Serbia")


def _charts(root: Path, *metrics: str):
    result = api.score_series(api.open_corpus(root), "ilrs")
    return [
        panel
        for metric in metrics
        for panel in lineage_charts(result.rows, metric, series="ilrs", actors_source="test")
    ]


def _grown(tmp_path: Path, extra: int) -> Path:
    """The pinned corpus plus ``extra`` generated snapshots (one lineage, events at most)."""
    root = tmp_path / f"c{extra}"
    shutil.copytree(PINNED, root)
    corpus = Corpus(root)
    for k in range(extra):
        who = [n for j, n in enumerate(PARTNERS) if (k + j) % 3]
        body = f"# Update {k}\n\nThe ILRS is led by China. " + " ".join(f"{n} joined." for n in who)
        date = dt.date(2025, 6, 1) + dt.timedelta(days=30 * k)
        corpus.add(
            make_snapshot(
                "ilrs",
                f"gen-{k:02d}",
                date.isoformat(),
                body + "\n",
                language="en",
                kind="statement",
                lineage="China official",
            )
        )
    return root


def _colours(charts) -> dict[str, str]:
    return {line.actor: line.style.colour for c in charts for line in c.lines}


def test_an_actor_keeps_its_colour_when_the_series_changes(tmp_path):
    before = _colours(_charts(PINNED, "count"))
    after = _colours(_charts(_grown(tmp_path, 3), "count"))
    assert set(before) != set(after)  # the drawn actors changed (APSCO, AUASS come in)
    for actor in set(before) & set(after):
        assert before[actor] == after[actor], actor
    assert before["pakistan"] == PALETTE[4]  # declared 5th in the actors file
    # and the figure draws it so
    fig = figure(_charts(PINNED, "count"), font_set())
    lines = {line.get_gid(): line for line in fig.axes[0].get_lines()}
    assert lines["line-pakistan"].get_color() == PALETTE[4]


def test_style_is_by_declared_order_else_a_stable_hash():
    declared = ["a", "b", "c"]
    assert styles(declared)["b"] == style_at(1) == style_of("b", declared)
    assert style_of("b", ["b"]) != style_of("b", declared)  # the place, not the key
    assert style_of("zz", declared) == style_of("zz", []) == style_of("zz", ["x"])
    seen = {(s.colour, s.marker, s.line) for s in map(style_at, range(28))}
    assert len(seen) == 28


def test_no_interval_is_drawn_beyond_the_axis(tmp_path):
    fig = figure(_charts(PINNED, "prominence", "count"), font_set())
    for ax in fig.axes:
        low, high = ax.get_ylim()
        assert not ax.containers  # no error bars around the levels
        for line in ax.get_lines():
            ys = [y for y in line.get_ydata() if isinstance(y, (int, float))]
            assert all(low <= y <= high for y in ys)
        highest = max(max(line.get_ydata()) for line in ax.get_lines() if line.get_gid())
        assert high < 1.6 * highest  # the scale is the data's, with room for labels only


def test_ticks_name_every_ref_with_its_date():
    fig = figure(_charts(PINNED, "count"), font_set())
    fig.draw_without_rendering()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    refs = [label.split("\n")[-1] for label in labels]
    assert refs == ["v1", "v2", "v3", "v4", "v5", "v6"]
    assert labels[0] == "2021-06-16\nv1" and labels[-1].startswith("2025-04-23")


def _visible_texts(fig):
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        out += [(t.get_gid() or "", box_of(t, renderer)) for t in ax.texts if t.get_text()]
        out += [
            (f"tick{i}", t.get_window_extent(renderer))
            for i, t in enumerate(ax.get_xticklabels())
            if t.get_text() and t.get_visible()
        ]
    out.append(("note", fig._supxlabel.get_window_extent(renderer)))
    out.append(("title", fig._suptitle.get_window_extent(renderer)))
    return out


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0.5 and h > 0.5 else 0.0


@pytest.mark.parametrize("metrics", [("count",), ("prominence", "share")])
def test_no_text_touches_other_text_at_30_snapshots(tmp_path, metrics):
    charts = _charts(_grown(tmp_path, 24), *metrics)
    assert len(charts[0].dates) == 30 and len(charts[0].events) > 10
    fig = figure(charts, font_set())
    fig.draw_without_rendering()  # as when saved: laid out again
    texts = _visible_texts(fig)
    gids = [gid for gid, _ in texts]
    assert any(g.startswith("tag-") for g in gids) and any(g.startswith("end-") for g in gids)
    assert "Events. 1: v5" in fig._supxlabel.get_text()  # the numbered list
    whole = fig.bbox
    for gid, box in texts:
        assert whole.x0 <= box.x0 and box.x1 <= whole.x1 + 1, gid
        assert whole.y0 <= box.y0 and box.y1 <= whole.y1 + 1, gid
    for (g1, b1), (g2, b2) in itertools.combinations(texts, 2):
        assert not _overlap(b1, b2), (g1, g2)
    ticks = [g for g in gids if g.startswith("tick")]
    assert "tick0" in ticks and "tick29" in ticks  # first and last always named


def test_equal_lines_are_both_visible():
    charts = _charts(PINNED, "count")
    values = {line.actor: line.values for line in charts[0].lines}
    assert values["venezuela"] == values["pakistan"]  # the same counts in every snapshot
    fig = figure(charts, font_set())
    fig.draw_without_rendering()
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.get_lines()}
    a, b = lines["line-venezuela"], lines["line-pakistan"]
    assert list(a.get_ydata()) == list(b.get_ydata())
    assert list(a.get_xdata()) != list(b.get_xdata())  # moved apart where non-zero
    renderer = fig.canvas.get_renderer()
    ends = {t.get_gid(): box_of(t, renderer) for t in ax.texts}
    assert not _overlap(ends["end-venezuela"], ends["end-pakistan"])
    assert {"end-venezuela", "end-pakistan"} <= set(ends)


def test_svg_names_the_refs_and_is_deterministic(tmp_path):
    from narrative_diff.publish import figure_bytes

    svgs = [figure_bytes(figure(_charts(PINNED, "count"), font_set()), "svg") for _ in "ab"]
    assert svgs[0] == svgs[1]


def _clear(texts) -> None:
    for (g1, b1), (g2, b2) in itertools.combinations(texts, 2):
        assert not _overlap(b1, b2), (g1, g2)


def test_a_long_title_is_wrapped_clear_of_the_legend():
    """The ILRS title and the prominence label are longer than the room left of the legend:
    the title takes two lines instead of running under the legend's first name."""
    result = api.score_series(api.open_corpus(PINNED), "ilrs")
    title = "International Lunar Research Station (ILRS)"  # series.yaml's, as in the report
    charts = lineage_charts(
        result.rows, "prominence", series="ilrs", actors_source="t", title=title
    )
    fig = figure(charts, font_set())
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle
    assert title.get_text().count("\n") == 1
    assert " ".join(title.get_text().split()) == (
        "International Lunar Research Station (ILRS): prominence (weighted mentions) by actor"
    )
    legend = fig.legends[0].get_window_extent(renderer)
    assert title.get_window_extent(renderer).x1 < legend.x0
    _clear([*_visible_texts(fig), ("legend", legend)])


def _card_boxes(fig):
    renderer = fig.canvas.get_renderer()
    return [(t.get_text()[:30], t.get_window_extent(renderer)) for t in fig.texts if t.get_text()]


def test_the_card_stacks_its_text_as_measured():
    from narrative_diff.charts import card
    from narrative_diff.report.renderers import card_text

    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    title, subtitle, points = card_text(report)
    fig = card(title, subtitle, points, report.lead_chart, font_set())
    fig.draw_without_rendering()
    texts = _card_boxes(fig)
    assert texts[1][0].startswith("International Lunar Research")  # after the note
    assert "\n" in fig.texts[1].get_text()  # the title takes two lines here
    assert sum(t.startswith("■") for t, _ in texts) == 3
    _clear(texts)
    whole = fig.bbox
    for what, box in texts:
        assert whole.y0 <= box.y0 and box.y1 <= whole.y1, what


def test_a_finding_that_would_run_into_the_note_is_left_off_the_card():
    from narrative_diff.charts import card

    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    long = "A sentence long enough to take most of a line on the card. " * 6
    points = [(f"Finding {n}: " + long[:120], [long, long]) for n in range(1, 7)]
    fig = card("A title", "A subtitle", points, report.lead_chart, font_set())
    fig.draw_without_rendering()
    texts = _card_boxes(fig)
    shown = [t for t, _ in texts if t.startswith("Finding")]
    assert shown and len(shown) < 6
    assert shown == [f"Finding {n}: {long}"[:30] for n in range(1, len(shown) + 1)]
    _clear(texts)


@pytest.mark.parametrize("extra", [0, 24])
def test_a_figure_s_size_is_known_before_it_is_drawn(tmp_path, extra):
    """The PDF keeps each image's place before the image is drawn: the size it plans
    with (figure_size, heatmap_size) is the size of the PNG drawn, numbered events and all."""
    import io

    from PIL import Image

    from narrative_diff.charts import DPI, figure_size
    from narrative_diff.charts.heatmap import draw_heatmap, heatmap_size
    from narrative_diff.publish import figure_bytes

    report = api.build_report(api.open_corpus(_grown(tmp_path, extra)), "ilrs")
    drawn = [(figure_size(p), figure(p, font_set())) for p in report.figures]
    drawn += [(heatmap_size(h), draw_heatmap(h, font_set())) for h in report.heatmaps]
    assert len(drawn) == 5
    for (w, h), fig in drawn:
        with Image.open(io.BytesIO(figure_bytes(fig, "png"))) as image:
            # (matplotlib drops a half pixel)
            assert abs(image.width - w * DPI) <= 1 and abs(image.height - h * DPI) <= 1


def test_a_long_chinese_title_wraps_between_characters():
    result = api.score_series(api.open_corpus(PINNED), "ilrs")
    title = "国际月球科研站" * 8  # no space to wrap at
    charts = lineage_charts(
        result.rows, "prominence", series="ilrs", actors_source="t", title=title
    )
    fig = figure(charts, font_set())
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    shown = fig._suptitle.get_text()
    assert shown.count("\n") >= 1 and shown.replace("\n", "").startswith(title)
    assert (
        fig._suptitle.get_window_extent(renderer).x1 < fig.legends[0].get_window_extent(renderer).x0
    )


def test_the_png_images_are_matplotlib_s_drawing_without_its_alpha():
    """Charts, heat-maps and the card are saved as RGB: every one is opaque, so the pixels
    are exactly those of matplotlib's own RGBA PNG at the same resolution, its alpha all
    255 (nothing is lost by dropping it), and the file carries the resolution."""
    import io

    from PIL import Image, ImageChops

    from narrative_diff.charts import CARD_DPI, DPI, card
    from narrative_diff.charts.heatmap import draw_heatmap
    from narrative_diff.publish import figure_bytes
    from narrative_diff.report.renderers import card_text

    report = api.build_report(api.open_corpus(PINNED), "ilrs")
    title, subtitle, points = card_text(report)
    drawn = [
        (figure(report.figures[0], font_set()), DPI),
        (draw_heatmap(report.heatmaps[0], font_set()), DPI),
        (card(title, subtitle, points, report.lead_chart, font_set()), CARD_DPI),
    ]
    for fig, dpi in drawn:
        ours = Image.open(io.BytesIO(figure_bytes(fig, "png", dpi=dpi)))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        theirs = Image.open(buffer)
        assert (ours.mode, theirs.mode) == ("RGB", "RGBA")
        assert theirs.getchannel("A").getextrema() == (255, 255)
        assert ours.size == theirs.size
        assert ImageChops.difference(ours, theirs.convert("RGB")).getbbox() is None
        assert [round(v) for v in ours.info["dpi"]] == [dpi, dpi]
