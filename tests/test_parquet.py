"""``score``, ``list`` and ``kwic`` write Parquet (``-f parquet``): the CSV's rows, columns
and values, typed, in a file written atomically (never binary on stdout); refused in one
line, before any work, without pyarrow or for an output that must not be written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import sys
from pathlib import Path

import pytest

from narrative_diff.cli import main
from narrative_diff.location import bundled_root


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Path:
    """A copy of the bundled ILRS series; the current folder is tmp_path (reports/ lands
    there) and no environment variable points elsewhere."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(bundled_root(), tmp_path / "corpus"))


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def csv_rows(capsys, *args: object) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of ``-f csv`` for the same command."""
    code, out, err = run(capsys, *args, "-f", "csv")
    assert (code, err) == (0, "")
    reader = csv.DictReader(io.StringIO(out))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def read_parquet(path: str | Path):  # -> pandas.DataFrame (pandas is imported lazily)
    """The file as pandas reads it (with pyarrow), as an analyst would."""
    import pandas as pd

    return pd.read_parquet(path)


def as_csv_cells(frame) -> list[dict[str, str]]:
    """A frame read from Parquet, each value as the CSV writes it (null: an empty cell)."""
    import pandas as pd

    return [
        {
            k: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            for k, v in r.items()
        }
        for r in frame.astype(object).to_dict("records")
    ]


def test_score_parquet_is_the_csv_typed(capsys, corpus):
    code, out, err = run(capsys, "score", "-f", "parquet", "--corpus", corpus)
    path = Path("reports/ilrs-score.parquet")
    header, rows = csv_rows(capsys, "score", "--corpus", corpus)
    assert (code, err) == (0, "")
    assert out == f"wrote {path} ({len(rows)} rows)\n"  # one line, never the bytes
    frame = read_parquet(path)
    assert list(frame.columns) == header
    assert as_csv_cells(frame) == rows
    russia = frame[frame.actor == "russia"]
    assert list(russia["count"]) == [9, 2, 0, 0, 0, 0]
    assert list(russia["ref"]) == ["v1", "v2", "v3", "v4", "v5", "v6"]
    assert str(frame["count"].dtype) == "int64"
    assert str(frame["rate"].dtype) == "float64"
    assert frame["date"].iloc[0] == dt.date(2021, 6, 16)  # a Parquet DATE, not text
    assert sorted(p.name for p in Path("reports").iterdir()) == ["ilrs-score.parquet"]


def test_list_parquet_to_a_named_file(capsys, corpus, tmp_path):
    target = tmp_path / "out" / "snapshots.parquet"
    target.parent.mkdir()
    code, out, err = run(capsys, "list", "ilrs", "-f", "parquet", "-o", target, "-c", corpus)
    assert (code, out, err) == (0, f"wrote {target} (6 rows)\n", "")
    header, rows = csv_rows(capsys, "list", "ilrs", "-c", corpus)
    frame = read_parquet(target)
    assert list(frame.columns) == header
    assert {"ref", "date", "id", "words"} <= set(header)
    assert as_csv_cells(frame) == rows
    assert frame["hash_ok"].tolist() == [True] * 6
    assert frame["words"].tolist()[:2] == [249, 173]
    assert not Path("reports").exists()  # -o: nothing under reports/
    assert sorted(p.name for p in target.parent.iterdir()) == ["snapshots.parquet"]


def test_kwic_parquet_default_name_holds_the_keywords(capsys, corpus):
    code, out, err = run(capsys, "kwic", "russia", "-f", "parquet", "-c", corpus)
    header, rows = csv_rows(capsys, "kwic", "russia", "-c", corpus)
    path = Path("reports/ilrs-kwic-russia.parquet")
    assert (code, out, err) == (0, f"wrote {path} ({len(rows)} rows)\n", "")
    frame = read_parquet(path)
    assert list(frame.columns) == header
    assert as_csv_cells(frame) == rows
    assert frame["keyword"].tolist() == [r["keyword"] for r in rows]
    assert "Roscosmos" in frame["keyword"].tolist()
    assert str(frame["weight"].dtype) == "float64"


def test_kwic_of_a_phrase_names_the_file_by_the_phrase(capsys, corpus):
    code, out, _ = run(capsys, "kwic", "equal collaborators", "-f", "parquet", "-c", corpus)
    frame = read_parquet("reports/ilrs-kwic-equal-collaborators.parquet")
    assert code == 0
    assert out == "wrote reports/ilrs-kwic-equal-collaborators.parquet (2 rows)\n"
    assert frame["keyword"].tolist() == ["equal collaborators"] * 2
    assert frame["alias"].isna().all()  # a word, not an actor: null, not ""


def test_csv_to_a_file_matches_stdout(capsys, corpus):
    code, out, err = run(capsys, "score", "-f", "csv", "-o", "scores.csv", "-c", corpus)
    _, printed, _ = run(capsys, "score", "-f", "csv", "-c", corpus)
    assert (code, err) == (0, "")
    assert out.startswith("wrote scores.csv (") and out.endswith(" rows)\n")
    assert Path("scores.csv").read_text() == printed


def test_the_format_can_come_from_the_file_name(capsys, corpus):
    code, out, _ = run(capsys, "list", "-o", "l.parquet", "-c", corpus)
    assert (code, out) == (0, "wrote l.parquet (6 rows)\n")
    assert read_parquet("l.parquet")["ref"].tolist() == [f"v{i}" for i in range(1, 7)]
    code, out, err = run(capsys, "list", "-o", "l.txt", "-c", corpus)
    assert (code, out) == (2, "")
    assert err.startswith("narrative-diff: bad-option: -o l.txt needs a format for the rows;")
    assert not Path("l.txt").exists()


def test_without_pyarrow_one_line_and_nothing_written(capsys, corpus, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow fails
    for command in (["score"], ["list"], ["kwic", "russia"]):
        code, out, err = run(capsys, *command, "-f", "parquet", "-c", corpus)
        assert (code, out) == (2, "")
        assert err == (
            "narrative-diff: missing-extra: -f parquet needs pyarrow; install it with "
            "pip install 'narrative-diff[parquet]'\n"
        )
    assert not Path("reports").exists()


def test_the_writer_says_so_when_pyarrow_fails_to_import(monkeypatch):
    from narrative_diff.errors import MissingExtra
    from narrative_diff.serialise import to_parquet

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingExtra, match="pyarrow"):
        to_parquet([{"a": 1}], ["a"])


def test_parquet_refuses_an_input_as_output(capsys, corpus, tmp_path):
    actors = tmp_path / "actors.toml"
    shutil.copy(bundled_root().parent / "data" / "actors-ilrs.toml", actors)
    before = actors.read_bytes()
    code, out, err = run(
        capsys, "score", "--actors", actors, "-f", "parquet", "-o", actors, "-c", corpus
    )
    assert (code, out) == (2, "")
    assert err.startswith("narrative-diff: output-is-input: ")
    assert actors.read_bytes() == before


def test_parquet_inside_the_corpus_is_refused(capsys, corpus):
    code, out, err = run(
        capsys, "list", "-f", "parquet", "-o", corpus / "ilrs" / "x.parquet", "-c", corpus
    )
    assert (code, out) == (2, "")
    assert err.startswith("narrative-diff: inside-corpus: ")
    assert not (corpus / "ilrs" / "x.parquet").exists()


def test_rewriting_replaces_the_file_whole(capsys, corpus):
    Path("reports").mkdir()
    Path("reports/ilrs-list.parquet").write_bytes(b"old")
    code, _, _ = run(capsys, "list", "-f", "parquet", "-c", corpus)
    assert code == 0
    assert len(read_parquet("reports/ilrs-list.parquet")) == 6
    assert [p.name for p in Path("reports").iterdir()] == ["ilrs-list.parquet"]  # no temp


def test_same_rows_give_the_same_bytes():
    from narrative_diff.serialise import to_parquet

    rows = [{"date": "2024-05-01", "n": 1, "x": None, "t": "=a"}]
    assert to_parquet(rows, ["date", "n", "x", "t"]) == to_parquet(rows, ["date", "n", "x", "t"])
