"""One policy for machine-readable output: JSON and CSV written the same way everywhere.

JSON: UTF-8 text (``\\u`` escapes only for the characters a terminal would act on: C1
controls and bidi overrides, and for lone surrogates, which UTF-8 cannot hold; json escapes
C0 controls itself), keys in the order the rows give them (stable, never re-sorted), no
NaN or Infinity (a missing statistic is ``null``; a NaN that slipped through is a bug and
fails loudly), dates as ISO 8601. Rows (``list``,
``score``, ``kwic``, ``actors``) are indented by two spaces; a comparison is indented for a
terminal and compact when piped or written to a file (``indent=None``: a long comparison's
JSON is 5x faster to write and a third of the size). CSV: a header from the first row,
``\\n`` line ends, sequences joined with "; ", None as an empty cell, and a text cell that a
spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return: OWASP's "CSV injection") opened with a single quote ``'``. Numbers the
tool computes (a log ratio of -2.8) stay numbers: only text is quoted, so a text cell
"-0.3866" (from a document) is quoted and a float -0.3866 is not. Both come in pieces
(:func:`json_chunks`, :func:`csv_chunks`) as their rows are made: a long series' rows are
never held whole.

Parquet (``-f parquet``, the optional pyarrow extra): the CSV's columns in the CSV's order,
typed: integers int64, other numbers float64, true/false bool, text string with the exact
text (no formula quote: no spreadsheet runs a Parquet cell), None null, and a ``date``
column (ISO text in the rows) a Parquet DATE, which pandas reads as ``datetime.date``, R
as ``Date`` and DuckDB as ``DATE``. A column without a single value (``kwic`` of a word:
no alias, no weight) is text, all null.

People read text through :func:`printable` (re-exported here, the output policy): control
characters shown escaped. JSON and CSV keep the exact text (JSON escapes controls itself).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import TypeVar

from narrative_diff.errors import MissingExtra
from narrative_diff.text import printable, utf8_non_ascii

__all__ = [
    "FORMULA_START",
    "Counted",
    "compact_json",
    "csv_chunks",
    "json_chunks",
    "json_string",
    "json_utf8",
    "printable",
    "require_pyarrow",
    "to_csv",
    "to_json",
    "to_parquet",
]

T = TypeVar("T")

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(data: object, *, indent: int | None = 2) -> str:
    """``data`` as JSON text, without a final newline.

    >>> to_json({"b": 1, "a": [None, "é", (1.5, 2)]}, indent=None)
    '{"b": 1, "a": [null, "é", [1.5, 2]]}'
    >>> print(to_json(["\\x1b[2J \\x9b1m \\u202e"]))
    [
      "\\u001b[2J \\u009b1m \\u202e"
    ]
    """
    return _escape_invisible(_encoder(indent).encode(data))


def with_last_member(head: bytes, key: str, value: str) -> tuple[memoryview, bytes]:
    """The UTF-8 of the compact JSON object ``head`` (:func:`to_json` with ``indent=None``,
    encoded) with one member more at its end, ``key`` and the compact JSON text ``value``:
    in two pieces, the head not copied (megabytes, written before ``value`` was known).
    Together, what :func:`to_json` gives for the whole.

    >>> head = to_json({"a": [1, "é"]}, indent=None).encode()
    >>> b"".join(with_last_member(head, "b", to_json({"c": None}, indent=None))).decode()
    '{"a": [1, "é"], "b": {"c": null}}'
    >>> _ == to_json({"a": [1, "é"], "b": {"c": None}}, indent=None)
    True
    """
    if not head.endswith(b"}"):
        raise ValueError("head is not a JSON object")
    comma = ", " if head != b"{}" else ""
    return memoryview(head)[:-1], f"{comma}{to_json(key, indent=None)}: {value}}}".encode()


def _encoder(indent: int | None) -> json.JSONEncoder:
    """The encoder of :func:`to_json` (what ``json.dumps`` with its options makes)."""
    return json.JSONEncoder(ensure_ascii=False, indent=indent, allow_nan=False, default=_plain)


def compact_json(data: object) -> str:
    """The compact JSON text of ``data`` as :func:`to_json` makes it, before its escapes:
    for a writer that puts a document together from pieces (:func:`json_string` for its
    strings) and passes the whole to :func:`json_utf8`."""
    return _encoder(None).encode(data)


#: The JSON text of a string as :func:`compact_json` writes it (json's own function).
json_string: Callable[[str], str] = json.encoder.encode_basestring


def json_utf8(text: str) -> bytes:
    """JSON text made by :func:`compact_json` (or in pieces by it and :func:`json_string`)
    with :func:`to_json`'s escapes, as UTF-8: the bytes are made once (a long
    comparison's megabytes are encoded anyway), and looking for the characters to escape
    in them costs a tenth of a scan of the text."""
    raw = text.encode("utf-8", "surrogatepass")
    return _INVISIBLE.sub(_escaped, text).encode("utf-8") if _has_invisible(raw) else raw


def _escape_invisible(text: str) -> str:
    if text.isascii() and "\x7f" not in text:  # (two C scans, several times faster than one sub)
        return text
    if not _has_invisible(text.encode("utf-8", "surrogatepass")):
        return text
    return _INVISIBLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _has_invisible(raw: bytes) -> bool:
    """Whether UTF-8 ``raw`` holds a character of :data:`_INVISIBLE`: DEL is ASCII, the
    others are not, and the non-ASCII bytes alone (a few in most texts) decode to the
    text's non-ASCII characters in order. A regular expression over the whole text, as
    text, took ten times as long (0.017 s for a comparison's 6.5 MB)."""
    if b"\x7f" in raw:
        return True
    if raw.isascii():
        return False
    return _INVISIBLE.search(utf8_non_ascii(raw)) is not None


#: Characters json leaves raw but a terminal may act on (C1 controls, CSI U+009B) or that
#: reorder the line (bidi overrides), and lone surrogates (a file name's undecodable bytes,
#: as Python reads them), which UTF-8 cannot hold: written as ``\\u`` escapes, the same
#: JSON value. Only strings can hold them (JSON's own syntax is ASCII), so the substitution
#: is safe.
_INVISIBLE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _plain(value: object) -> str:
    """Values json cannot write itself: dates and paths, as text."""
    if isinstance(value, dt.date | PurePath):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


#: Characters (about) in one piece of :func:`json_chunks`.
JSON_CHUNK_CHARS = 1 << 16


def json_chunks(data: object, *, indent: int | None = 2) -> Iterator[str]:
    """:func:`to_json`'s text in pieces of about :data:`JSON_CHUNK_CHARS` characters, where
    any iterator in ``data`` (a generator of rows, :class:`Counted`) is written as a list,
    one item at a time: the 100,000 rows of a long series' ``score`` are never held as
    dictionaries, nor their text as one string. What ``to_json`` refuses fails here too
    (NaN, a value that is not JSON), when it is reached: after the pieces before it.

    >>> "".join(json_chunks({"a": (n * n for n in range(2)), "b": []}))
    '{\\n  "a": [\\n    0,\\n    1\\n  ],\\n  "b": []\\n}'
    """
    pieces: list[str] = []
    size = 0
    for piece in _Writer(indent).pieces(data, 0):
        pieces.append(piece)
        size += len(piece)
        if size >= JSON_CHUNK_CHARS:
            yield _escape_invisible("".join(pieces))
            pieces, size = [], 0
    if pieces:
        yield _escape_invisible("".join(pieces))


class _Writer:
    """:func:`json_chunks`' walk: containers that hold an iterator are opened item by item,
    with the indentation and separators ``json.dumps`` gives; everything else (a row, a
    list without an iterator) is ``json.dumps``'s own text, its lines indented to the
    level it is written at (a JSON text has no newline inside a string: they are ``\\n``)."""

    def __init__(self, indent: int | None) -> None:
        self.indent = indent
        self.encoder = _encoder(indent)
        self.open: set[int] = set()  # the containers being written (a cycle is an error)

    def pieces(self, value: object, level: int) -> Iterator[str]:
        if isinstance(value, Iterator):
            yield from self._items(value, level)
        elif isinstance(value, list | tuple | dict) and _holds_iterator(value, set()):
            if id(value) in self.open:
                raise ValueError("Circular reference detected")
            self.open.add(id(value))
            if isinstance(value, dict):
                yield from self._members(value, level)
            else:
                yield from self._items(iter(value), level)
            self.open.discard(id(value))
        else:
            text = self.encoder.encode(value)
            yield text.replace("\n", "\n" + " " * (self.indent * level)) if self.indent else text

    def _breaks(self, level: int) -> tuple[str, str, str]:
        """What opens, separates and closes the items of a container at ``level``."""
        if self.indent is None:
            return "", ", ", ""
        inner = "\n" + " " * (self.indent * (level + 1))
        return inner, "," + inner, "\n" + " " * (self.indent * level)

    def _items(self, items: Iterator[object], level: int) -> Iterator[str]:
        first = next(items, _END)
        if first is _END:
            yield "[]"
            return
        opening, between, closing = self._breaks(level)
        yield "[" + opening
        yield from self.pieces(first, level + 1)
        for item in items:
            yield between
            yield from self.pieces(item, level + 1)
        yield closing + "]"

    def _members(self, members: dict[object, object], level: int) -> Iterator[str]:
        opening, between, closing = self._breaks(level)
        yield "{"
        for n, (key, value) in enumerate(members.items()):
            yield (between if n else opening) + self._key(key) + ": "
            yield from self.pieces(value, level + 1)
        yield closing + "}"

    def _key(self, key: object) -> str:
        """A key as json writes it (a number or None as text; any other key a TypeError)."""
        if isinstance(key, str):
            return self.encoder.encode(key)
        return json.dumps({key: None}, ensure_ascii=False, allow_nan=False)[1 : -len(": null}")]


#: The end of an iterator (``next(items, _END)``).
_END = object()


def _holds_iterator(value: object, open_: set[int]) -> bool:
    """Whether an iterator is somewhere inside ``value`` (a cycle is left to json)."""
    if isinstance(value, Iterator):
        return True
    if not isinstance(value, list | tuple | dict) or id(value) in open_:
        return False
    open_.add(id(value))
    inside = value.values() if isinstance(value, dict) else value
    found = any(_holds_iterator(item, open_) for item in inside)
    open_.discard(id(value))
    return found


class Counted(Iterator[T]):
    """An iterator of rows that counts those taken from it: the ``N rows`` of ``wrote PATH
    (N rows)`` for rows written as they are made (:func:`json_chunks` writes it as a list)."""

    def __init__(self, items: Iterable[T]) -> None:
        self._items = iter(items)
        self.count = 0

    def __next__(self) -> T:
        item = next(self._items)
        self.count += 1
        return item


def to_csv(rows: Iterable[Mapping[str, object]], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV text with a header: ``columns``, else the first row's keys (no rows and no
    columns: empty text).

    >>> print(to_csv([{"a": 1, "b": None, "c": ["x", "y"]}]), end="")
    a,b,c
    1,,x; y
    >>> print(to_csv([{"t": "=HYPERLINK(1)", "n": -2.8, "s": "-2.8"}]), end="")
    t,n,s
    '=HYPERLINK(1),-2.8,'-2.8
    """
    return "".join(csv_chunks(rows, columns))


#: Rows in one piece of :func:`csv_chunks`.
CSV_CHUNK_ROWS = 2000


def csv_chunks(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str] | None = None
) -> Iterator[str]:
    """:func:`to_csv`'s text in pieces of :data:`CSV_CHUNK_ROWS` rows, the header in the
    first, taking the rows one at a time: 10,000 snapshots' scores are 240,000 rows, and
    neither they (as dictionaries) nor their text need be held at once."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None and columns is None:
        return
    fields = list(columns if columns is not None else first or [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # csv quotes a cell holding "\n" but not one holding a lone "\r", which every reader
    # takes for the end of the row: such a row is written with every cell quoted
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(fields)
    for n, row in enumerate(itertools.chain([] if first is None else [first], rows), 1):
        cells = [_cell(value) for value in _in_order(row, fields)]
        carriage = any(isinstance(v, str) and "\r" in v for v in cells)
        (quoted if carriage else writer).writerow(cells)
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _in_order(row: Mapping[str, object], fields: list[str]) -> Iterable[object]:
    """The row's values in column order (a missing one empty), as ``csv.DictWriter``
    writes them; a key outside the columns is a ValueError, as there."""
    if len(row) == len(fields) and list(row) == fields:
        return row.values()
    extra = [key for key in row if key not in fields]
    if extra:
        raise ValueError(f"dict contains fields not in fieldnames: {', '.join(map(repr, extra))}")
    return [row.get(key, "") for key in fields]


def _cell(value: object) -> object:
    """A value as a CSV cell: sequences joined, text that would start a formula quoted."""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


#: The columns of ISO dates, written to Parquet as dates.
DATE_COLUMNS = frozenset({"date"})


def require_pyarrow() -> None:
    """Refuse ``-f parquet`` before any work when pyarrow (the optional extra) is missing;
    finding it does not import it (``list`` stays light)."""
    import importlib.util

    try:
        found = importlib.util.find_spec("pyarrow") is not None
    except (ImportError, ValueError):  # a broken installation: as good as missing
        found = False
    if not found:
        raise _missing_pyarrow()


def _missing_pyarrow() -> MissingExtra:
    return MissingExtra(
        "-f parquet needs pyarrow",
        hint="install it with pip install 'narrative-diff[parquet]'",
        slug="missing-extra",
    )


def to_parquet(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> bytes:
    """Rows as the bytes of a Parquet file with ``columns`` (typed as the module docstring
    says); the same bytes for the same rows.

    >>> import io, pyarrow.parquet as pq
    >>> data = to_parquet([{"date": "2024-05-01", "n": 3, "t": "=x"}], ["date", "n", "t"])
    >>> pq.read_table(io.BytesIO(data)).to_pylist()
    [{'date': datetime.date(2024, 5, 1), 'n': 3, 't': '=x'}]
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing_pyarrow() from None

    arrays = []
    for name in columns:
        values = [row.get(name) for row in rows]
        if name in DATE_COLUMNS:
            values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
        array = pa.array(values)
        arrays.append(array.cast(pa.string()) if pa.types.is_null(array.type) else array)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=list(columns)), buffer)
    return buffer.getvalue()
