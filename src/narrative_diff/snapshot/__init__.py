"""The snapshot: one dated version of a document, stored as Markdown with YAML front matter.

The file format is a user-facing contract (README, "Corpus format"): human-editable,
git-diffable, and self-describing. Parsing is strict about what later steps rely on
(`id`, `series`, `date`) and reports every problem as a :class:`CorpusError` naming the file,
so a hand-edited file never crashes a command.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import TypedDict, Unpack

from narrative_diff.errors import CorpusError, UsageProblem
from narrative_diff.text import count_words, normalise_body, sha256_hex

from .names import (
    LANGUAGE_TAG,
    MAX_FRONT_MATTER,
    MAX_LINEAGE,
    MAX_NAME,
    SHOWN,
    WINDOWS_RESERVED,
    check_language,
    check_lineage,
    check_name,
    one_line,
    parse_date,
    shown,
    windows_reserved,
)

__all__ = [
    "EXTRACTION_METHODS",
    "KEYS",
    "LOW_COVERAGE",
    "MAX_FRONT_MATTER",
    "MAX_LINEAGE",
    "MAX_NAME",
    "SHOWN",
    "WINDOWS_RESERVED",
    "Extraction",
    "Snapshot",
    "SnapshotMeta",
    "check_language",
    "check_lineage",
    "check_name",
    "lineage_names",
    "parse_date",
    "record_hash",
    "shown",
    "windows_reserved",
]

#: Front-matter keys in the order they are written.
KEYS = (
    "id",
    "series",
    "date",
    "title",
    "publisher",
    "lineage",
    "kind",
    "language",
    "languages",
    "source_url",
    "retrieved",
    "provenance",
    "extraction",
    "sha256",
    "raw_file",
    "raw_sha256",
)
_TEXT_KEYS = ("title", "publisher", "lineage", "kind", "language", "source_url", "provenance")
_RAW_FILE = re.compile(r"raw/[A-Za-z0-9][A-Za-z0-9._-]*")  # fullmatch, as in .names
#: How the text of an HTML page was extracted (``ingest.html``): precision, recall, whole page.
EXTRACTION_METHODS = ("main", "recall", "full")
#: Below this coverage an extraction is low: ``add`` says so and ``check`` lists it.
LOW_COVERAGE = 0.8


@dataclass(frozen=True)
class Extraction:
    """How a page's text was extracted and the share of its prose the kept text holds
    (``coverage``, 0 to 1): stored as ``extraction: {method: main, coverage: 0.97}``."""

    method: str
    coverage: float

    def as_dict(self) -> dict[str, str | float]:
        return {"method": self.method, "coverage": self.coverage}


def record_hash(text: str, digest: str) -> str:
    r"""Set ``sha256`` in a snapshot file's front matter, leaving every other byte alone
    (comments, quoting and line wrapping are the editor's).

    >>> record_hash("---\nid: s/a # note\nsha256: old\n---\n\nBody\n", "new")
    '---\nid: s/a # note\nsha256: new\n---\n\nBody\n'
    >>> record_hash("---\nid: s/a\n---\nBody\n", "new")
    '---\nid: s/a\nsha256: new\n---\nBody\n'
    """
    end = text.find("\n---", 3)
    head, tail = text[: end + 1], text[end + 1 :]
    line = f"sha256: {digest}"
    if re.search(r"^sha256:.*$", head, re.M):
        head = re.sub(r"^sha256:.*$", line, head, count=1, flags=re.M)
    else:
        head += line + "\n"
    return head + tail


class SnapshotMeta(TypedDict, total=False):
    """The optional front-matter values :meth:`Snapshot.create` accepts (all may be None)."""

    publisher: str | None
    lineage: str | None
    kind: str | None
    language: str | None
    languages: tuple[str, ...]
    extraction: Extraction | None
    source_url: str | None
    retrieved: dt.datetime | dt.date | None
    provenance: str | None
    raw_file: str | None
    raw_sha256: str | None
    path: Path | None


@dataclass(frozen=True)
class Snapshot:
    """One dated version of a document in a series.

    ``body`` is the normalised Markdown text; ``sha256`` is the hash recorded in the front
    matter, which differs from :attr:`body_hash` when the file was edited by hand. ``title``
    is None for a document without one (never a file name: a title weighs in the scores).
    ``languages`` lists every language of a mixed document, dominant first (empty for one).
    ``lineage`` names the source line it belongs to (see :attr:`lineage_name`).
    """

    id: str
    series: str
    date: dt.date
    title: str | None
    body: str
    publisher: str | None = None
    lineage: str | None = None
    kind: str | None = None
    language: str | None = None
    languages: tuple[str, ...] = ()
    source_url: str | None = None
    retrieved: dt.datetime | dt.date | None = None
    provenance: str | None = None
    extraction: Extraction | None = None
    sha256: str | None = None
    raw_file: str | None = None
    raw_sha256: str | None = None
    path: Path | None = field(default=None, compare=False)
    #: Set on a header (:meth:`header`): the hash of the body it does not hold.
    header_of: str | None = field(default=None, repr=False)

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[-1]

    @property
    def display_title(self) -> str:
        """The title for listings and reports; "(no title)" when the document has none."""
        return self.title or "(no title)"

    @property
    def lineage_name(self) -> str:
        """The source line this snapshot continues: ``lineage``, else its publisher, else ""
        (all unattributed snapshots of a series form one line). Events and change statistics
        compare snapshots of one lineage only (docs/methodology.md, "Lineages"). A
        publisher's control and format characters are dropped: an invisible mark never
        makes a look-alike lineage (a ``lineage`` holding one is refused)."""
        return " ".join(one_line(self.lineage or self.publisher or "").split())

    @property
    def lineage_key(self) -> str:
        """:attr:`lineage_name` as compared: case, width and spacing do not make a new
        lineage (``CNSA``, ``cnsa`` and the full-width ``ＣＮＳＡ`` are one)."""
        return unicodedata.normalize("NFKC", self.lineage_name).casefold()

    @cached_property
    def words(self) -> int:
        if self.header_of is not None:
            raise ValueError(f"{self.id}: a snapshot header has no body to count the words of")
        return count_words(self.body)

    @cached_property
    def body_hash(self) -> str:
        """SHA-256 of the body (stored bodies are already in normal form)."""
        return self.header_of or sha256_hex(self.body)

    @property
    def is_header(self) -> bool:
        return self.header_of is not None

    def header(self) -> Snapshot:
        """This snapshot without its body (``body`` is "" and ``words`` refuses): its
        metadata and :attr:`body_hash` only. What a run over a long series holds of each
        snapshot, reading one body at a time (``Corpus.with_body`` reads it again)."""
        if self.header_of is not None:
            return self
        return replace(self, body="", header_of=self.body_hash)

    @property
    def hash_ok(self) -> bool:
        return self.sha256 == self.body_hash

    def metadata(self) -> dict[str, object]:
        """Front matter in write order, without empty values (YAML-ready: lists, mappings)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["languages"] = list(self.languages) if len(self.languages) > 1 else None
        values["extraction"] = self.extraction.as_dict() if self.extraction else None
        return {key: values[key] for key in KEYS if values[key] not in (None, "")}

    def to_markdown(self) -> str:
        """Serialise as stored: YAML front matter, a blank line, the body."""
        if self.header_of is not None:
            raise ValueError(f"{self.id}: a snapshot header has no body to write")
        import frontmatter  # (with PyYAML: 6 ms of every command's start, where few write)

        post = frontmatter.Post(self.body.rstrip("\n"), None, **self.metadata())  # None: YAML
        text = frontmatter.dumps(post, sort_keys=False, allow_unicode=True, width=100)
        return text + "\n"

    def rehashed(self) -> Snapshot:
        """The same snapshot with ``sha256`` recomputed from the body (for accepted edits)."""
        return replace(self, sha256=self.body_hash)

    @classmethod
    def create(
        cls,
        *,
        series: str,
        slug: str,
        date: dt.date,
        title: str | None,
        body: str,
        **meta: Unpack[SnapshotMeta],
    ) -> Snapshot:
        """Build a new snapshot with a normalised body and a fresh hash. Text that cannot be
        stored as UTF-8 (lone surrogates: bytes a terminal or file passed through undecoded)
        is refused, naming the field."""
        fields = {"title": title or "", "body": body, "series": series, "slug": slug}
        fields |= {k: v for k, v in meta.items() if isinstance(v, str)}
        for name, value in fields.items():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise UsageProblem(
                    f"the {name} contains a byte that is not valid text "
                    f"(U+{ord(value[exc.start]):04X} at position {exc.start})",
                    hint="pass text in UTF-8 (check the terminal's or the file's encoding)",
                    slug="invalid-text",
                ) from None
        for tag in meta.get("languages") or ():
            check_language(tag)  # what is written must read back
        if meta.get("lineage") is not None:
            meta["lineage"] = check_lineage(str(meta["lineage"]))
        body = normalise_body(body)
        return cls(
            id=f"{series}/{slug}",
            series=series,
            date=date,
            title=title,
            body=body,
            sha256=sha256_hex(body),
            **meta,
        )

    @classmethod
    def from_markdown(cls, text: str, *, path: Path | None = None) -> Snapshot:
        """Parse a stored snapshot; every defect becomes a ``corrupt-snapshot`` error."""
        where = str(path) if path else "snapshot"
        fix = "fix the front matter by hand, or run 'narrative-diff check' for all problems"
        if not text.strip():
            raise CorpusError(
                f"{where}: the file is empty (a snapshot starts with '---' front matter)",
                hint="restore it from a backup (or git), or delete it: it would shift every vN "
                "after it",
                slug="corrupt-snapshot",
            )
        if not text.startswith("---"):
            raise CorpusError(
                f"{where}: no YAML front matter (the file must start with '---')",
                hint=fix,
                slug="corrupt-snapshot",
            )
        from .front_matter import read_front_matter  # (PyYAML: on the first snapshot read)

        meta, content = read_front_matter(text, where, fix)
        unknown = sorted({str(key) for key in meta} - set(KEYS))
        if unknown:
            raise CorpusError(
                f"{where}: unknown front-matter key(s) "
                + ", ".join(shown(key, 30) for key in unknown[:5])
                + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""),
                hint=f"allowed keys: {', '.join(KEYS)}",
                slug="corrupt-snapshot",
            )
        for key in ("id", "series", "date"):
            if meta.get(key) in (None, ""):
                raise CorpusError(
                    f"{where}: front matter has no '{key}'", hint=fix, slug="corrupt-snapshot"
                )
        try:
            date = parse_date(meta.pop("date"), where=f"{where}: date")
        except UsageProblem as exc:
            raise CorpusError(exc.message, hint=exc.hint, slug="corrupt-snapshot") from None
        strings: dict[str, str] = {}  # the keys whose values are text, once checked
        for key in ("id", "series", "sha256", "raw_file", "raw_sha256", *_TEXT_KEYS):
            value = meta.pop(key, None)
            if value is not None and not isinstance(value, str):
                raise CorpusError(
                    f"{where}: '{key}' must be a string, not {shown(value)}",
                    hint=fix,
                    slug="corrupt-snapshot",
                )
            if value is not None:
                strings[key] = value
        if strings.get("lineage", "x").strip() == "":  # "lineage:" left empty: the default
            del strings["lineage"]
        if "lineage" in strings:
            try:
                strings["lineage"] = check_lineage(strings["lineage"])
            except UsageProblem as exc:
                raise CorpusError(
                    f"{where}: {exc.message}", hint=fix, slug="corrupt-snapshot"
                ) from None
        raw_file = strings.get("raw_file")
        if raw_file is not None and (
            not _RAW_FILE.fullmatch(raw_file)
            or ".." in raw_file
            or windows_reserved(raw_file.removeprefix("raw/"))
        ):
            raise CorpusError(
                f"{where}: raw_file '{shown(raw_file)}' must name a file in raw/, "
                "e.g. raw/2022-01-white-paper.pdf",
                hint=fix,
                slug="corrupt-snapshot",
            )
        retrieved = meta.pop("retrieved", None)
        if retrieved is not None and not isinstance(retrieved, dt.date):
            raise CorpusError(
                f"{where}: 'retrieved' must be an ISO date or timestamp",
                hint=fix,
                slug="corrupt-snapshot",
            )
        series, snap_id = strings.pop("series"), strings.pop("id")  # present: checked above
        if snap_id.split("/", 1)[0] != series or "/" not in snap_id:
            raise CorpusError(
                f"{where}: id '{shown(snap_id)}' does not start with its series '{shown(series)}/'",
                hint=fix,
                slug="corrupt-snapshot",
            )
        for part, what in zip(snap_id.split("/", 1), ("series", "slug"), strict=True):
            try:  # the same rules as for new snapshots: no "..", "/", spaces or controls
                check_name(part, what)
            except UsageProblem as exc:
                raise CorpusError(
                    f"{where}: id '{shown(snap_id)}': {exc.message}",
                    hint=fix,
                    slug="corrupt-snapshot",
                ) from None
        return cls(
            id=snap_id,
            series=series,
            date=date,
            title=strings.pop("title", None) or None,
            body=normalise_body(content),
            retrieved=retrieved,
            languages=_languages(meta.pop("languages", None), where, fix),
            extraction=_extraction(meta.pop("extraction", None), where, fix),
            path=path,
            **strings,
        )


def lineage_names(snapshots: Iterable[Snapshot]) -> dict[str, str]:
    """Each lineage key with the name it is shown under: as first written in the series
    (``CNSA`` and a later ``cnsa`` are one lineage, shown as ``CNSA``)."""
    names: dict[str, str] = {}
    for snap in snapshots:
        names.setdefault(snap.lineage_key, snap.lineage_name)
    return names


def _languages(value: object, where: str, fix: str) -> tuple[str, ...]:
    """The ``languages`` list of a mixed document: short language tags."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, str) and LANGUAGE_TAG.fullmatch(v) for v in value
    ):
        raise CorpusError(
            f"{where}: 'languages' must be a list of language tags, e.g. [zh, en]",
            hint=fix,
            slug="corrupt-snapshot",
        )
    return tuple(value)


def _extraction(value: object, where: str, fix: str) -> Extraction | None:
    """The ``extraction`` mapping: a known method and a coverage between 0 and 1."""
    if value is None:
        return None
    method = value.get("method") if isinstance(value, dict) else None
    coverage = value.get("coverage") if isinstance(value, dict) else None
    if (
        not isinstance(value, dict)
        or set(value) != {"method", "coverage"}
        or method not in EXTRACTION_METHODS
        or isinstance(coverage, bool)
        or not isinstance(coverage, int | float)
        or not 0 <= coverage <= 1
    ):
        raise CorpusError(
            f"{where}: 'extraction' must be {{method: main|recall|full, coverage: 0 to 1}}",
            hint=fix,
            slug="corrupt-snapshot",
        )
    return Extraction(str(method), float(coverage))
