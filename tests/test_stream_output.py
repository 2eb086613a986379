"""Rows written as they are made: JSON in pieces, byte for byte ``to_json``'s text, and
files (``-o``) streamed into a temporary file renamed into place, or left as they were."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff import api, serialise, storage
from narrative_diff.errors import DiskFull
from narrative_diff.publish import RowsOutput, write_rows
from narrative_diff.serialise import CSV_CHUNK_ROWS, Counted, json_chunks, to_csv, to_json

from .test_cli import run

pytestmark = pytest.mark.usefixtures("isolated")

# ------------------------------------------------------------------ JSON in pieces

#: What JSON or a terminal treats specially: C0 controls (json escapes them), DEL and the C1
#: controls, CSI, the line and paragraph separators and bidi controls (to_json escapes
#: them), quotes and backslashes, a BOM, and text beyond ASCII.
SPECIAL = "".join(
    [
        "\x00\x01\t\n\r\x1b\x1f\x7f\x80\x85\x9b\x9f",
        "\u2028\u2029\u202a\u202e\u2066\u2069",
        '\ufeff"\\/é中😀',
    ]
)
texts = st.text(st.characters() | st.sampled_from(SPECIAL), max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | st.dates()
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(texts, inner, max_size=5)
    ),
    max_leaves=40,
)


def made_lazy(value: object, lazy: Callable[[], bool]) -> object:
    """``value`` with some of its lists (those ``lazy()`` picks) as generators."""
    if isinstance(value, dict):
        return {key: made_lazy(item, lazy) for key, item in value.items()}
    if isinstance(value, list | tuple):
        items = [made_lazy(item, lazy) for item in value]
        return (item for item in items) if lazy() else items
    return value


def escaped_by_regex(text: str) -> str:
    """What the escaping is defined as: every character of ``serialise._INVISIBLE`` as a
    ``\\u`` escape (the regular expression run over the whole text)."""
    return serialise._INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(blacklist_categories=()) | st.sampled_from(SPECIAL), max_size=30))
def test_escaping_found_in_the_non_ascii_bytes_is_the_regex(text: str) -> None:
    """The escaping looks for the characters in the UTF-8's non-ASCII bytes: the same text
    as the regular expression over the whole text, lone surrogates included."""
    assert serialise._escape_invisible(text) == escaped_by_regex(text)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([2, None]))
def test_json_as_utf8_is_to_json_encoded(data, indent) -> None:
    """A comparison's compact JSON, encoded once with its escapes (json_utf8 of
    compact_json), is to_json's text as UTF-8; any text is written, a lone surrogate (a
    file name's undecodable byte) as an escape, and reads back as json.dumps' text does
    (two surrogates side by side read back as the character they pair into)."""
    expected = to_json(data, indent=None)
    assert serialise.json_utf8(serialise.compact_json(data)) == expected.encode("utf-8")
    assert to_json(data, indent=indent) == escaped_by_regex(serialise._encoder(indent).encode(data))
    assert json.loads(to_json(data, indent=indent)) == json.loads(json.dumps(data, default=str))


@settings(max_examples=400, deadline=None)
@given(documents, st.sampled_from([2, None, 0, 4]), st.data())
def test_json_in_pieces_is_to_json_byte_for_byte(data, indent, draw) -> None:
    """Any JSON value, any of its lists written lazily, any indent: json_chunks' pieces
    joined are to_json's text, escapes (C1 controls, U+2028, bidi) and key order included;
    and so with a piece per token (the escaping does not depend on where pieces end)."""
    expected = to_json(data, indent=indent)
    lazy = made_lazy(data, lambda: draw.draw(st.booleans()))
    assert "".join(json_chunks(lazy, indent=indent)) == expected
    with mock.patch.object(serialise, "JSON_CHUNK_CHARS", 1):
        pieces = list(json_chunks(made_lazy(data, lambda: True), indent=indent))
    assert "".join(pieces) == expected and all(pieces)


def test_json_in_pieces_refuses_what_to_json_refuses() -> None:
    """NaN and infinity (allow_nan=False), values that are not JSON, keys json cannot
    write and cycles fail with to_json's errors, also inside a generator; dates, paths and
    keys that json writes as text come out as to_json writes them."""

    def lazy(*items: object) -> Iterator[object]:
        yield from items

    for bad in (math.nan, math.inf, {"x": -math.inf}, {"nan": [math.nan]}):
        with pytest.raises(ValueError, match="Out of range float values"):
            to_json([bad])
        with pytest.raises(ValueError, match="Out of range float values"):
            "".join(json_chunks({"rows": lazy(1, bad)}))
    with pytest.raises(TypeError, match="set is not a JSON value"):
        "".join(json_chunks([lazy({1, 2})]))
    with pytest.raises(TypeError, match="keys must be str"):
        "".join(json_chunks({(1, 2): lazy()}))
    loop: list[object] = [lazy()]
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        "".join(json_chunks(loop))
    keys = {2: 2, 1.5: [], None: "x", True: (), "d": dt.date(2024, 5, 1), "p": Path("a/b")}
    lazy_keys = {**keys, False: lazy(dt.date(2024, 5, 2))}
    eager = {**keys, False: [dt.date(2024, 5, 2)]}
    assert "".join(json_chunks(lazy_keys)) == to_json(eager)


def test_json_comes_in_pieces_taking_the_rows_one_at_a_time() -> None:
    """A generator of rows: each piece is written before the rows after it are asked for,
    so neither the rows nor their text are held whole."""
    asked = 0
    total = 2000

    def rows() -> Iterator[dict[str, object]]:
        nonlocal asked
        for n in range(total):
            asked += 1
            yield {"n": n, "text": "x" * 200 + "\u202e"}

    pieces = []
    for piece in json_chunks({"head": 1, "rows": rows()}):
        pieces.append(piece)
        assert asked * 200 <= len("".join(pieces)) + serialise.JSON_CHUNK_CHARS
    assert len(pieces) > 5 and asked == total
    assert "".join(pieces) == to_json({"head": 1, "rows": list(rows())})


def test_counted_counts_what_was_taken() -> None:
    rows = Counted(iter([{"a": 1}, {"a": 2}, {"a": 3}]))
    assert next(rows) == {"a": 1} and rows.count == 1
    assert list(rows) == [{"a": 2}, {"a": 3}] and rows.count == 3
    assert "".join(json_chunks(Counted([]))) == "[]"


def test_a_streamed_score_document_is_as_dict_and_keeps_no_rows(ilrs_copy) -> None:
    """ScoreResult.streamed written in pieces is as_dict's JSON, in either order, and the
    table of rows is never made (only as written, one snapshot at a time)."""
    corpus = api.open_corpus(ilrs_copy)
    for by in api.SCORE_ORDERS:
        result = api.score_series(corpus, "ilrs", by=by, engine=api.Engine(cache=False))
        text = "".join(json_chunks(result.streamed()))
        assert "rows" not in vars(result)  # the cached tuple of every row: not made
        assert result.changes and text == to_json(result.as_dict())


def test_score_json_prints_and_writes_the_whole_document(capsys, ilrs_copy) -> None:
    """``score -f json`` prints to_json of the whole document (as before streaming), and
    ``-o`` writes the same bytes, counting the score rows."""
    result = api.score_series(api.open_corpus(ilrs_copy), "ilrs", engine=api.Engine(cache=False))
    expected = to_json(result.as_dict()) + "\n"
    flags = ("--corpus", ilrs_copy, "--no-cache")
    assert run(capsys, "score", "-f", "json", *flags) == (0, expected, "")
    code, out, err = run(capsys, "score", "-f", "json", "-o", "scores.json", *flags)
    assert (code, out, err) == (0, f"wrote scores.json ({len(result.rows)} rows)\n", "")
    assert Path("scores.json").read_text(encoding="utf-8") == expected
    code, out, err = run(capsys, "score", "-o", "scores.csv", *flags)
    assert (code, out, err) == (0, f"wrote scores.csv ({len(result.rows)} rows)\n", "")
    rows = [row.as_dict() for row in result.rows]
    assert Path("scores.csv").read_bytes() == to_csv(rows, api.SCORE_COLUMNS).encode()
    assert sorted(os.listdir()) == ["ilrs-corpus", "scores.csv", "scores.json"]


# ------------------------------------------------------------------ files: whole or untouched
OLD = b"the old file\n"


def rows_then(total: int, end: BaseException | None, seen: list[int]) -> Iterator[dict]:
    """``total`` rows of 100 characters, then ``end`` raised; ``seen``: the size of the
    temporary file beside the output at each row (what has been streamed so far)."""
    for n in range(total):
        temporary = [p for p in Path().iterdir() if p.name.endswith(".tmp")]
        seen.append(sum(p.stat().st_size for p in temporary))
        yield {"n": n, "text": f"row {n} " + "x" * 90}
    if end is not None:
        raise end


def listing() -> list[str]:
    return sorted(p.name for p in Path().iterdir())


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize(
    "end", [RuntimeError("row failed"), KeyboardInterrupt()], ids=["error", "interrupt"]
)
def test_an_error_while_streaming_leaves_the_old_file(fmt: str, end: BaseException) -> None:
    """Rows streamed into a temporary file beside the output, then an error (or Ctrl-C):
    the old file is as it was and no temporary file is left; with no old file, none."""
    out = Path(f"rows.{fmt}")
    out.write_bytes(OLD)
    seen: list[int] = []
    total = 2 * CSV_CHUNK_ROWS + 5
    with pytest.raises(type(end)):
        write_rows(RowsOutput(out, fmt, False), rows_then(total, end, seen), ["n", "text"])
    assert out.read_bytes() == OLD and listing() == [out.name]
    assert seen[0] == 0 and seen[-1] > 2 * serialise.JSON_CHUNK_CHARS  # written as it came
    out.unlink()
    with pytest.raises(type(end)):
        write_rows(RowsOutput(out, fmt, False), rows_then(3, end, []), ["n", "text"])
    assert listing() == []


def test_nan_in_a_row_leaves_the_old_file() -> None:
    """A NaN in a row (a bug: JSON has none) fails as to_json fails, after earlier rows
    were streamed: the old file stays, no temporary file."""
    out = Path("rows.json")
    out.write_bytes(OLD)

    def rows() -> Iterator[dict[str, object]]:
        yield from rows_then(3000, None, [])
        yield {"n": math.nan, "text": ""}

    with pytest.raises(ValueError, match="Out of range float values"):
        write_rows(RowsOutput(out, "json", False), rows())
    assert out.read_bytes() == OLD and listing() == ["rows.json"]


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_rows_written_are_the_printed_text_and_counted(fmt: str) -> None:
    """The file holds exactly what the format gives for the rows (made by a generator),
    with the permissions open() would give it, and the rows are counted."""
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    rows = [{"n": n, "text": f"=row {n}\u2028", "when": "2024-05-01"} for n in range(2500)]
    columns = ["n", "text", "when"]
    out = Path(f"rows.{fmt}")
    out.write_bytes(OLD)
    written = write_rows(
        RowsOutput(out, fmt, False), iter(rows), columns if fmt != "json" else None
    )
    expected = {
        "json": (to_json(rows) + "\n").encode(),
        "csv": to_csv(rows, columns).encode(),
        "parquet": serialise.to_parquet(rows, columns),
    }[fmt]
    assert (written.path, written.what) == (out, "2500 rows")
    assert out.read_bytes() == expected and listing() == [out.name]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    one = write_rows(RowsOutput(Path(f"one.{fmt}"), fmt, False), iter(rows[:1]), columns)
    assert one.what == "1 row"


def test_a_document_holding_counted_rows_counts_them() -> None:
    """JSON of a document around the rows: the document is written, the rows counted."""
    rows = Counted({"n": n} for n in range(7))
    document = {"about": "x", "rows": rows, "more": ({"m": m} for m in range(3))}
    written = write_rows(RowsOutput(Path("doc.json"), "json", False), rows, None, document)
    assert written.what == "7 rows"
    expected = {"about": "x", "rows": [{"n": n} for n in range(7)], "more": [{"m": 0}, {"m": 1}]}
    expected["more"].append({"m": 2})
    assert Path("doc.json").read_text(encoding="utf-8") == to_json(expected) + "\n"


def test_a_full_disk_is_reported_as_any_output_file_and_nothing_is_left(monkeypatch) -> None:
    """The system refusing the write (a full disk, at the flush to disk) is the error
    write_file gives for the same failure; the old file stays, no temporary file."""

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = Path("rows.json")
    out.write_bytes(OLD)
    monkeypatch.setattr(storage.os, "fsync", full)
    with pytest.raises(DiskFull) as streamed:
        write_rows(RowsOutput(out, "json", False), iter([{"n": 1}]))
    with pytest.raises(DiskFull) as whole:
        storage.write_file(out, b"new\n")
    assert str(streamed.value) == str(whole.value)
    assert str(streamed.value).startswith(f"could not write {out}: No space left on device")
    assert out.read_bytes() == OLD and listing() == [out.name]


def test_a_write_refused_in_the_middle_is_an_output_error(monkeypatch) -> None:
    """A write that fails while rows are streamed (the disk fills up after 100 KB) is the
    output error write_file gives, and nothing is left."""

    class Filling(io.BufferedWriter):
        def write(self, data: object) -> int:
            if self.tell() > 100_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(data)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.os, "fdopen", lambda fd, mode: Filling(io.FileIO(fd, "wb")))
    out = Path("rows.csv")
    rows = ({"n": n, "text": "x" * 50} for n in range(20_000))
    with pytest.raises(DiskFull) as refused:
        write_rows(RowsOutput(out, "csv", False), rows, ["n", "text"])
    assert refused.value.message == f"could not write {out}: No space left on device"
    assert refused.value.hint == (
        "free some space on that disk (or write somewhere else) and retry; "
        "no file of this set is left"
    )
    assert listing() == []


def test_score_to_a_file_failing_midway_leaves_the_old_file(capsys, ilrs_copy, monkeypatch):
    """``score -o`` whose rows fail after some were written (a NaN that slipped into a
    change row): exit 1, the old file untouched, no temporary file beside it."""
    from narrative_diff import changes

    real = changes.ChangeRow.as_dict
    calls: list[int] = []

    def broken(self: changes.ChangeRow) -> dict[str, object]:
        calls.append(1)
        row = real(self)
        return {**row, "log_ratio": math.nan} if len(calls) == 5 else row

    monkeypatch.setattr(changes.ChangeRow, "as_dict", broken)
    Path("out").mkdir()
    target = Path("out/scores.json")
    target.write_bytes(OLD)
    code, out, err = run(capsys, "score", "-o", target, "--corpus", ilrs_copy, "--no-cache")
    assert code != 0 and out == "" and "Out of range float values" in err
    assert target.read_bytes() == OLD and os.listdir("out") == ["scores.json"]
    assert len(calls) == 5
