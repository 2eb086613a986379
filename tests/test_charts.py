"""Charts: the plotted data is the score table; labels, markers, events and files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.charts import METRICS, chart_data, figure, parse_metrics, styles
from narrative_diff.cli import main
from narrative_diff.errors import FontMissing, UsageProblem
from narrative_diff.fonts import FontSet, font_set, require_glyphs
from tests.helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
SEEDS = PINNED


@pytest.fixture(scope="module")
def records():
    corpus = api.open_corpus(SEEDS)
    result = api.score_series(corpus, "ilrs")
    return result, api.score_frame(result)


def chart(records, metric: str, top: int = 8):
    result, _ = records
    return chart_data(result.rows, metric, series="ilrs", actors_source="test", top=top)


@pytest.mark.parametrize("metric", list(METRICS))
def test_chart_values_are_the_score_table(records, metric):
    _, table = records
    column = METRICS[metric][0]
    drawn = chart(records, metric, top=50)
    assert drawn.dates == tuple(dt.date.fromisoformat(d) for d in table["date"].unique())
    assert drawn.refs == ("v1", "v2", "v3", "v4", "v5", "v6")
    mentioned = table.groupby("actor")["count"].sum()
    assert {line.actor for line in drawn.lines} == set(mentioned[mentioned > 0].index)
    for line in drawn.lines:
        expected = table[table["actor"] == line.actor][column].fillna(0).tolist()
        assert list(line.values) == pytest.approx(expected)


def test_the_figure_draws_the_table(records):
    drawn = chart(records, "count")
    fig = figure([drawn], font_set())
    ax = fig.axes[0]
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    russia = lines["line-russia"]
    assert list(russia.get_ydata()) == [9, 2, 0, 0, 0, 0]
    # the dates, v1 and v2 moved a little: China has 9 mentions at v1, Unnamed partners 2
    # at v2 (the dodge); absences are not moved
    xs = list(russia.get_xdata())
    assert xs[2:] == list(drawn.dates)[2:]
    for x, date in zip(xs[:2], drawn.dates[:2], strict=True):
        assert 0 < abs((x - dt.datetime.combine(date, dt.time())).total_seconds()) < 30 * 86400
    hollow = lines["absent-russia"]
    assert len(hollow.get_ydata()) == 4 and set(hollow.get_ydata()) == {0}
    assert hollow.get_markerfacecolor() == "white"
    assert russia.get_color() == hollow.get_markeredgecolor()
    assert fig._suptitle.get_text() == "Mentions by actor, series 'ilrs'"
    assert ax.get_ylabel() == "mentions"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:3] == ["China", "Russia", "Unnamed partners"]
    notes = [t.get_text().strip() for t in ax.texts]
    assert "v3 DISAPPEARED: Russia" in notes
    assert "v5 APPEARED: Venezuela, Pakistan +7" in notes  # all 9 newcomers, drawn or not
    assert "v6 APPEARED: Unnamed partners, Serbia +1" in notes
    assert "series 'ilrs', 6 snapshots" in fig._supxlabel.get_text()
    assert ax.xaxis.get_converter() is not None  # a real date axis


def test_change_intervals_are_not_drawn_around_levels(records):
    drawn = chart(records, "prominence")
    fig = figure([drawn], font_set())
    ax = fig.axes[0]
    assert not ax.containers  # no error bars
    assert not [c for c in ax.collections if type(c).__name__ == "LineCollection"]
    assert "95% intervals of each change are in the change table" in drawn.note
    assert "Bars:" not in drawn.note


def test_share_of_voice_is_a_stacked_area(records):
    drawn = chart(records, "share")
    fig = figure([drawn], font_set())
    ax = fig.axes[0]
    areas = ax.collections
    assert len(areas) == len(drawn.lines) + 1  # the actors drawn, and "other actors"
    assert ax.get_ylim()[0] == 0 and max(ax.get_yticks()) == 1  # the top kept for events
    china = next(line for line in drawn.lines if line.actor == "china")
    assert china.values[0] == pytest.approx(0.437, abs=1e-4)


def test_small_multiples_and_stable_colours(records):
    charts = [chart(records, m) for m in ("count", "prominence", "share")]
    fig = figure(charts, font_set())
    assert len(fig.axes) == 3
    assert fig._suptitle.get_text() == "Actors over time, series 'ilrs'"
    colours = [{line.actor: line.style.colour for line in c.lines} for c in charts]
    assert colours[0] == colours[1] == colours[2]


def test_styles_never_repeat():
    keys = [f"actor{i}" for i in range(20)]
    seen = {(s.colour, s.marker, s.line, s.hatch) for s in styles(keys).values()}
    assert len(seen) == 20
    assert len({s.colour for s in styles(keys[:7]).values()}) == 7


def test_top_leaves_actors_out_and_says_so(records):
    drawn = chart(records, "count", top=3)
    assert [line.actor for line in drawn.lines] == ["china", "russia", "several"]
    assert "Not drawn (11, see the table)" in drawn.note


def test_parse_metrics():
    assert parse_metrics("count, share,count") == ("count", "share")
    with pytest.raises(UsageProblem, match="unknown metric words"):
        parse_metrics("count,words")


def test_han_labels_need_a_han_font():
    fonts = font_set()
    require_glyphs(["中俄", "Россия"], fonts)
    latin_only = FontSet(fonts.regular, fonts.bold, None, None)
    require_glyphs(["Россия"], latin_only)  # DejaVu Sans has Cyrillic
    with pytest.raises(FontMissing, match=r"中 \(U\+4E2D\)"):
        require_glyphs(["中俄"], latin_only)


@pytest.mark.parametrize(
    ("name", "magic"), [("c.png", b"\x89PNG"), ("c.svg", b"<?xml"), ("c.pdf", b"%PDF")]
)
def test_chart_command_writes_each_format(tmp_path, capsys, name, magic):
    out = tmp_path / name
    code = main(["chart", "--corpus", str(SEEDS), "--metric", "count", "-o", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (chart (count))"
    data = out.read_bytes()
    assert data.startswith(magic)
    if name.endswith(".pdf"):
        text = " ".join(_reader(out).pages[0].extract_text().split())
        assert "International Lunar Research Station (ILRS): mentions by actor" in text
        assert "Russia" in text and "v3 DISAPPEARED: Russia" in text


def test_chart_files_are_deterministic(tmp_path):
    for name in ("a.svg", "b.svg"):
        assert (
            main(["chart", "--corpus", str(SEEDS), "-m", "share", "-o", str(tmp_path / name)]) == 0
        )
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_chart_command_errors(tmp_path, capsys):
    assert (
        main(["chart", "--corpus", str(SEEDS), "-m", "words", "-o", str(tmp_path / "c.png")]) == 2
    )
    assert "bad-option: unknown metric words" in capsys.readouterr().err
    assert main(["chart", "--corpus", str(SEEDS), "-o", str(tmp_path / "c.jpg")]) == 2
    assert "bad-extension" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _reader(source):
    from pypdf import PdfReader

    return PdfReader(source)
