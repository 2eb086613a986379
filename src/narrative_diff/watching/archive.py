"""Web archives: the captures of a page listed through the CDX API, each fetched as the
archive stored it.

Any CDX-compatible archive works (the Internet Archive's Wayback Machine, pywb, national
web archives): ``BASE/cdx/search/cdx?url=…&output=json`` lists the captures, and
``BASE/web/<timestamp>id_/<url>`` gives one capture's bytes as captured, without the
archive's banner or rewritten links (``id_``); a pywb collection has ``BASE/cdx`` and
``BASE/<timestamp>id_/<url>`` (:class:`Archive`). The ``wayback`` package (EDGI) is not
used: it has the Internet Archive's address built in, and one GET with JSON output does
not need it; our own fetch (``ingest/fetch.py``) keeps its guards, deadline and messages.
Banners that an archive inserts anyway are cut out (:func:`strip_banner`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from narrative_diff.errors import FetchFailed
from narrative_diff.ingest import IngestLimits
from narrative_diff.ingest.redact import redact_url, secret_name

from .manners import Visits

#: The Internet Archive, the default archive.
DEFAULT_ARCHIVE = "https://web.archive.org"

#: What archives insert into a page in replay, cut out if a capture still has it.
_BANNERS = re.compile(
    rb"<!-- BEGIN WAYBACK TOOLBAR INSERT -->.*?<!-- END WAYBACK TOOLBAR INSERT -->"
    rb"|<!-- WB Insert -->.*?<!-- End WB Insert -->",
    re.S | re.I,
)


@dataclass(frozen=True)
class Capture:
    """One capture in an archive's index."""

    timestamp: str  # YYYYMMDDhhmmss
    original: str  # the page's own URL, as captured
    digest: str  # the archive's content hash: equal digests, equal bytes
    mimetype: str = ""

    @property
    def date(self) -> dt.date:
        return dt.date(int(self.timestamp[:4]), int(self.timestamp[4:6]), int(self.timestamp[6:8]))


#: Where an archive keeps its index and its captures: ``wayback`` (the Internet Archive,
#: OpenWayback) or ``pywb`` (a pywb collection's own paths; BASE names the collection).
LAYOUTS = ("wayback", "pywb")


@dataclass(frozen=True)
class Archive:
    """A web archive: its address and the layout of its paths (:data:`LAYOUTS`)."""

    base: str
    layout: str = "wayback"

    @property
    def index(self) -> str:
        root = self.base.rstrip("/")
        return f"{root}/cdx" if self.layout == "pywb" else f"{root}/cdx/search/cdx"

    def memento(self, capture: Capture) -> str:
        """Where the archive serves ``capture``'s bytes as captured (``id_``)."""
        root = self.base.rstrip("/")
        if self.layout != "pywb":
            root += "/web"
        return f"{root}/{capture.timestamp}id_/{capture.original}"


def list_captures(
    archive: Archive,
    url: str,
    *,
    visits: Visits,
    limits: IngestLimits,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> list[Capture]:
    """The successful captures of ``url`` in the archive's index from ``since`` to
    ``until``, oldest first (the first ``limit`` the index lists, when given)."""
    query = {
        "url": public(url),
        "output": "json",
        "fl": "timestamp,original,statuscode,digest,mimetype",
    }
    if since:
        query["from"] = since.strftime("%Y%m%d")
    if until:
        query["to"] = until.strftime("%Y%m%d")
    if limit:
        query["limit"] = str(limit)
    index = f"{archive.index}?{urlencode(query)}"
    got = visits.get(index, {}, limits)
    captures = parse_cdx(got.body, redact_url(index))
    # the range again here: an index may not honour from and to
    return [
        c
        for c in captures
        if (since is None or c.date >= since) and (until is None or c.date <= until)
    ]


def public(url: str) -> str:
    """``url`` as an archive may be asked about it: without a user:password and without
    parameters that look secret (``token``, ``api_key``, …), which a page's address in an
    archive's index never has and a third party must not be sent. Anything else is left
    exactly as written (an archive matches the address as captured)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    pieces = re.split(r"([&;])", parts.query) if parts.query else []
    kept: list[str] = []
    for piece in pieces[::2]:
        if not secret_name(piece.split("=", 1)[0]):
            kept.append(piece)
    query = "&".join(kept) if len(kept) < len(pieces[::2]) else parts.query
    if host == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


def parse_cdx(body: bytes, where: str) -> list[Capture]:
    """The captures of a CDX JSON answer, oldest first, errors and redirects left out: the
    Wayback form (a header row of field names, then one row per capture) or pywb's (one
    JSON object per line, with ``url``, ``status``, ``mime``); an empty answer is none."""
    if not body.strip():
        return []
    try:
        found = _records(body)
        captures = [
            Capture(
                r["timestamp"],
                r.get("original") or r["url"],
                r.get("digest", ""),
                r.get("mimetype") or r.get("mime", ""),
            )
            for r in found
            if (r.get("statuscode") or r.get("status") or "200") in ("200", "-")
        ]
        for capture in captures:
            if not (capture.timestamp.isdigit() and len(capture.timestamp) >= 8):
                raise ValueError(f"timestamp {capture.timestamp!r}")
            capture.date  # noqa: B018 - a month 13 is malformed too
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise FetchFailed(
            f"the archive's index at {where} is not CDX JSON ({str(exc)[:80]})",
            hint="check --archive: it must be a CDX-compatible archive (Wayback, pywb)",
            slug="bad-cdx",
        ) from None
    return sorted(captures, key=lambda c: c.timestamp)


def _records(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    if text.lstrip().startswith("{"):  # pywb: a JSON object per line
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        if not all(isinstance(line, dict) for line in lines):
            raise ValueError("not one object per line")
        return [{str(k): str(v) for k, v in line.items()} for line in lines]
    rows = json.loads(text)
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ValueError("not a list of rows")
    if not rows:
        return []
    fields = [str(f) for f in rows[0]]
    return [dict(zip(fields, map(str, row), strict=True)) for row in rows[1:]]


def strip_banner(raw: bytes) -> bytes:
    """A capture without the banner an archive inserted into it in replay."""
    return _BANNERS.sub(b"", raw)
