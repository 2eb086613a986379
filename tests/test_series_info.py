"""Series metadata (``series.yaml``, docs/series.md): the title and description people
read in ``list``, charts and reports, lineage display names, the series' default actors
file, and one clear error (exit 7, listed by ``check``) for each broken file. Every test
works on a copy of the pinned corpus, never on ``seeds/``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.errors import CorpusError
from narrative_diff.series import SeriesInfo, read_series_file

from .helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
ILRS_TITLE = "International Lunar Research Station (ILRS)"
ACTORS = """
[actors.moonguild]
name = "Moon Guild"
kind = "actor"
aliases = ["ILRS"]
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the pinned corpus (with its series.yaml)."""
    root = tmp_path / "corpus"
    shutil.copytree(PINNED, root)
    return root


def write_series(root: Path, text: str) -> Path:
    path = root / "ilrs" / "series.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def two_lineages(root: Path) -> None:
    """v5 and v6 become the lineage 'Xinhua' (front matter only: the text hash holds)."""
    for name in ("2024-04-new-partners.md", "2025-04-china-initiated.md"):
        path = root / "ilrs" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("lineage: China official", "lineage: xinhua"), "utf-8")


def is_header(line: str) -> bool:
    """Whether ``line`` is the header row of list's table (whatever its columns)."""
    words = line.split()
    return bool(words) and words[0] == "ref" and {"date", "id", "title"} <= set(words)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- the shipped file


def test_the_shipped_ilrs_series_yaml_reads_and_is_in_seeds_too():
    info = api.series_info(api.open_corpus(PINNED), "ilrs")
    assert info.title == ILRS_TITLE
    assert info.description and info.description.startswith("Six dated official descriptions")
    assert info.actors is None and dict(info.lineages) == {}
    seeds = ROOT / "seeds" / "ilrs" / "series.yaml"
    assert seeds.read_bytes() == (PINNED / "ilrs" / "series.yaml").read_bytes()


def test_init_writes_the_series_yaml(tmp_path, capsys):
    code, out, _ = run(["init", str(tmp_path / "mine")], capsys)
    assert code == 0, out
    copied = tmp_path / "mine" / "ilrs" / "series.yaml"
    assert copied.read_bytes() == (PINNED / "ilrs" / "series.yaml").read_bytes()
    assert api.series_info(Corpus(tmp_path / "mine"), "ilrs").title == ILRS_TITLE


# ---------------------------------------------------------------- titles


def test_list_prints_the_title_and_description_above_the_table(corpus, capsys):
    write_series(corpus, "title: Lunar base, official wording\ndescription: Six texts.\n")
    code, out, _ = run(["list", "-c", str(corpus)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Lunar base, official wording — Six texts."
    assert is_header(lines[1]) and not is_header(lines[0])
    code, out, _ = run(["list", "ilrs", "-c", str(corpus), "-f", "json"], capsys)
    rows = json.loads(out)  # rows unchanged: no heading in JSON
    assert [r["ref"] for r in rows] == ["v1", "v2", "v3", "v4", "v5", "v6"]
    code, out, _ = run(["list", "-c", str(corpus), "-f", "csv"], capsys)
    assert out.startswith("ref,")


def test_without_series_yaml_the_slug_is_shown_as_before(corpus, capsys):
    (corpus / "ilrs" / "series.yaml").unlink()
    info = api.series_info(api.open_corpus(corpus), "ilrs")
    assert info == SeriesInfo(name="ilrs", title="ilrs") and info.heading is None
    code, out, _ = run(["list", "-c", str(corpus)], capsys)
    assert code == 0 and is_header(out.splitlines()[0])
    md = corpus.parent / "r.md"
    assert main(["report", "-c", str(corpus), "-o", str(md)]) == 0
    assert md.read_text().startswith("# How the 'ilrs' narrative changed: v1 to v6\n\n*")
    report = api.build_report(api.open_corpus(corpus), "ilrs")
    assert report.series_name == "ilrs" and report.charts[0].title == ""


def test_the_report_is_titled_by_the_series_title(corpus, tmp_path):
    write_series(corpus, "title: Lunar base\ndescription: Six official texts.\n")
    md = tmp_path / "r.md"
    assert main(["report", "-c", str(corpus), "-o", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith(
        "# Lunar base: how the narrative changed, v1 to v6\n\nSix official texts.\n\n*"
    )
    html = tmp_path / "r.html"
    assert main(["report", "-c", str(corpus), "-o", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "<title>Lunar base: how the narrative changed, v1 to v6</title>" in page
    assert "<h1>Lunar base: how the narrative changed, v1 to v6</h1>" in page
    assert '<p class="description">Six official texts.</p>' in page


def test_the_chart_is_titled_by_the_series_title(corpus, tmp_path, capsys):
    from pypdf import PdfReader

    write_series(corpus, "title: Lunar base\n")
    out = tmp_path / "c.pdf"
    assert main(["chart", "-c", str(corpus), "--metric", "count", "-o", str(out)]) == 0
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "Lunar base: mentions by actor" in text
    assert "series 'ilrs'" in text  # the source note still names the series' folder
    capsys.readouterr()


def test_a_one_snapshot_series_is_titled_too(tmp_path):
    root = tmp_path / "corpus"
    (root / "ilrs").mkdir(parents=True)
    shutil.copy(PINNED / "ilrs" / "2021-06-roadmap-guide.md", root / "ilrs")
    write_series(root, "title: Lunar base\n")
    report = api.build_report(Corpus(root), "ilrs")
    assert report.title == "Lunar base: one snapshot so far (v1)"


# ---------------------------------------------------------------- lineage names


def test_lineage_display_names_in_list_report_and_chart(corpus, tmp_path, capsys):
    two_lineages(corpus)
    write_series(
        corpus,
        "title: Lunar base\nlineages:\n  china  OFFICIAL: Chinese government\n"
        "  Xinhua: Xinhua (state news agency)\n",
    )
    code, out, _ = run(["list", "-c", str(corpus)], capsys)
    assert code == 0
    table = [line.rstrip() for line in out.splitlines()]
    assert table[1].split()[-1] == "lineage"
    assert table[2].endswith("Chinese government") and "Xinhua (state news" in table[-1]
    code, out, _ = run(["list", "-c", str(corpus), "-f", "json"], capsys)
    assert {row["lineage"] for row in json.loads(out)} == {"China official", "xinhua"}

    report = api.build_report(api.open_corpus(corpus), "ilrs")
    assert report.lineages == ("Chinese government", "Xinhua (state news agency)")
    assert {pair.lineage for pair in report.pairs} == set(report.lineages)
    assert {chart.lineage for chart in report.charts} == set(report.lineages)
    md = tmp_path / "r.md"
    assert main(["report", "-c", str(corpus), "-o", str(md)]) == 0
    assert "lineage Xinhua (state news agency))" in md.read_text(encoding="utf-8")

    from pypdf import PdfReader

    pdf = tmp_path / "c.pdf"
    assert main(["chart", "-c", str(corpus), "--metric", "count", "-o", str(pdf)]) == 0
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Lineage: Chinese government" in text and "Lineage: Xinhua (state news agency)" in text
    assert "Lunar base: mentions by actor, by lineage" in text

    code, out, _ = run(["score", "-c", str(corpus), "-f", "csv"], capsys)
    assert "Chinese government" not in out and ",xinhua," in out  # data keeps the lineage


# ---------------------------------------------------------------- the default actors file


def test_the_series_actors_file_is_the_default(corpus, tmp_path, capsys):
    (corpus / "ilrs" / "actors.toml").write_text(ACTORS, encoding="utf-8")
    write_series(corpus, "actors: actors.toml\n")
    code, out, _ = run(["score", "-c", str(corpus), "-f", "csv"], capsys)
    assert code == 0
    rows = [line.split(",") for line in out.splitlines()[1:]]
    header = out.splitlines()[0].split(",")
    actor, count = header.index("actor"), header.index("count")
    assert {row[actor] for row in rows} == {"moonguild"}
    assert sum(int(row[count]) for row in rows) > 0

    code, out, _ = run(["kwic", "moonguild", "-c", str(corpus), "-f", "json"], capsys)
    assert code == 0 and len(json.loads(out)) > 0

    code, out, _ = run(["compare", "v1", "v6", "-c", str(corpus), "-f", "json"], capsys)
    assert code == 0
    assert [a["actor"] for a in json.loads(out)["summary"]["actors"]] == ["moonguild"]

    bundled = str(ROOT / "src" / "narrative_diff" / "data" / "actors-ilrs.toml")
    code, out, _ = run(["score", "-c", str(corpus), "-f", "csv", "--actors", bundled], capsys)
    assert code == 0 and "moonguild" not in out and ",russia," in out  # --actors wins

    report = api.build_report(api.open_corpus(corpus), "ilrs")
    assert report.actors_source == str(corpus / "ilrs" / "actors.toml")


# ---------------------------------------------------------------- broken files

BROKEN = [
    ("unknown-key", "title: Lunar base\nsubtitle: x\n", "unknown key 'subtitle'"),
    ("list-for-text", "title: [Lunar, base]\n", "key 'title' must be text, not a list"),
    ("anchors", "title: &t Lunar base\ndescription: *t\n", "anchors or aliases"),
    ("missing-actors", "actors: nowhere.toml\n", "key 'actors': no file"),
    ("invalid-yaml", "title: 'Lunar base\n", "not valid YAML"),
    ("control-character", 'title: "Lunar\\x1b[31m base"\n', "key 'title' holds a control"),
    ("not-a-mapping", "- title\n", "not a mapping"),
    ("actors-outside", "actors: ../../elsewhere.toml\n", "key 'actors'"),
    ("lineage-twice", "lineages:\n  CNSA: A\n  cnsa: B\n", "key 'lineages'"),
]


@pytest.mark.parametrize(("case", "text", "needle"), BROKEN, ids=[c[0] for c in BROKEN])
def test_a_broken_series_yaml_is_one_line_and_exit_7(corpus, capsys, case, text, needle):
    path = write_series(corpus, text)
    code, out, err = run(["list", "-c", str(corpus)], capsys)
    assert code == 7, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert f"invalid-series-file: {path}: " in lines[0] and needle in lines[0], lines[0]
    with pytest.raises(CorpusError) as info:
        read_series_file(path, "ilrs")
    assert info.value.slug == "invalid-series-file" and info.value.hint

    code, out, err = run(["check", "-c", str(corpus)], capsys)
    assert code == 1, (out, err)
    assert f"{path}: invalid-series-file: " in out and needle in out
    assert "1 problem(s)" in out.splitlines()[-1]


def test_a_broken_series_yaml_stops_chart_and_report_too(corpus, tmp_path, capsys):
    write_series(corpus, "title: [x]\n")
    chart, report = tmp_path / "c.png", tmp_path / "r.md"
    for args in (["chart", "-o", str(chart)], ["report", "-o", str(report)]):
        code, _, err = run([*args, "-c", str(corpus)], capsys)
        assert code == 7 and "invalid-series-file" in err
        assert not any(tmp_path.glob("[cr].*"))


def test_a_large_series_yaml_is_refused_unread(corpus, capsys):
    write_series(corpus, "description: " + "x" * 70_000 + "\n")
    code, _, err = run(["list", "-c", str(corpus)], capsys)
    assert code == 7 and "the limit is 64 KiB" in err


def test_an_empty_series_yaml_is_no_metadata(corpus, capsys):
    write_series(corpus, "# nothing yet\n")
    info = api.series_info(api.open_corpus(corpus), "ilrs")
    assert info.title == "ilrs" and info.heading is None
    code, out, _ = run(["check", "-c", str(corpus)], capsys)
    assert code == 0, out
