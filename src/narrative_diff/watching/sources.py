"""The sources file of ``watch``: which pages feed which series, read and checked whole
before anything is fetched (a bad entry stops the run with one line naming it).

```toml
[[source]]
url = "https://example.org/ilrs.html"
series = "ilrs-cnsa"
selector = "div.article"      # optional: only this part of the page (CSS)
ignore = ["^Updated: .*$"]    # optional: lines dropped before comparing (regex)
language = "en"               # optional, as for add
publisher = "CNSA"            # optional; the lineage defaults to it
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from narrative_diff.errors import ExitCode, NarrativeDiffError, SourceNotFound
from narrative_diff.ingest.fetch import check_url
from narrative_diff.snapshot import check_language, check_lineage, check_name

#: Keys a ``[[source]]`` may have, and whether it must.
KEYS = {
    "url": True,
    "series": True,
    "selector": False,
    "ignore": False,
    "language": False,
    "publisher": False,
    "lineage": False,
    "title": False,
    "notify": False,
}


class SourcesError(NarrativeDiffError, ValueError):
    """A sources file that cannot be used: bad TOML, an unknown key, a bad URL, selector or
    pattern, a series watched twice."""

    slug = "invalid-sources"
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class Source:
    """One watched page and the series its versions go to."""

    url: str
    series: str
    selector: str | None = None
    ignore: tuple[str, ...] = ()
    language: str | None = None
    publisher: str | None = None
    lineage: str | None = None
    title: str | None = None
    notify: tuple[str, ...] = ()  # apprise URLs told of each narrative change

    @property
    def name(self) -> str:
        """How lines and the log name the source: its series."""
        return self.series


def load_sources(path: Path) -> list[Source]:
    """Every source of the file at ``path``, checked (:class:`SourcesError` otherwise)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte order mark is not TOML
    except FileNotFoundError:
        raise SourceNotFound(
            f"no sources file {path}",
            hint="write one with a [[source]] table per page (docs/watching.md)",
        ) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise SourcesError(
            f"cannot read the sources file {path}: {exc.__class__.__name__}",
            hint="give a UTF-8 TOML file (docs/watching.md)",
        ) from None
    return parse_sources(text, str(path))


def parse_sources(text: str, name: str = "sources file") -> list[Source]:
    """The sources of a sources file's text (``name`` is used in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(
            f"{name} is not valid TOML: {exc}", hint="fix the file (docs/watching.md)"
        ) from None
    extra = sorted(set(data) - {"source", "notify"})
    if extra:
        raise SourcesError(
            f"{name}: unknown table or key '{extra[0]}'",
            hint="a sources file has [[source]] tables and a notify list (docs/watching.md)",
        )
    everyone = _urls(data.get("notify", []), f"{name}: notify")
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise SourcesError(
            f"{name} has no [[source]] entries", hint="add one per page (docs/watching.md)"
        )
    sources = [
        source_from(entry, f"{name}: source {n}", everyone) for n, entry in enumerate(entries, 1)
    ]
    seen: dict[str, int] = {}
    for n, source in enumerate(sources, 1):
        if source.series in seen:
            raise SourcesError(
                f"{name}: source {n} watches series '{source.series}', as source "
                f"{seen[source.series]} does",
                hint="give each page its own series (a series is one document's versions)",
            )
        seen[source.series] = n
    return sources


def source_from(entry: object, where: str, notify: tuple[str, ...] = ()) -> Source:
    """One source from its table (or from command-line options), checked; ``notify``:
    the file's own notification URLs, told of every source's changes."""
    if not isinstance(entry, dict):
        raise SourcesError(f"{where} is not a table", hint="write it as [[source]] with keys")
    label = f"{where} ({entry.get('series', entry.get('url', '?'))})"
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise SourcesError(
            f"{label}: unknown key '{unknown[0]}'", hint=f"keys are {', '.join(KEYS)}"
        )
    for key, required in KEYS.items():
        if required and key not in entry:
            raise SourcesError(f"{label}: '{key}' is missing", hint=f'add {key} = "…"')
    for key, value in entry.items():
        if key not in ("ignore", "notify") and not isinstance(value, str):
            raise SourcesError(f"{label}: '{key}' must be a string", hint=f'write {key} = "…"')
    try:
        check_url(entry["url"])
        check_name(entry["series"], "series")
        language = entry.get("language")
        if language is not None:
            check_language(language)
        for key in ("publisher", "lineage"):
            if entry.get(key) is not None:
                check_lineage(entry[key], key)
    except NarrativeDiffError as exc:
        raise SourcesError(f"{label}: {exc.message}", hint=exc.hint) from None
    ignore = entry.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
        raise SourcesError(
            f"{label}: 'ignore' must be a list of patterns", hint='write ignore = ["^Updated:"]'
        )
    import regex  # heavy: only when a source has patterns

    for pattern in ignore:
        try:
            compiled = regex.compile(pattern)
        except regex.error as exc:
            raise SourcesError(
                f"{label}: ignore pattern {pattern!r} is not a regular expression ({exc})",
                hint="fix the pattern (Python re syntax)",
            ) from None
        if any(compiled.search(line, timeout=1.0) for line in _ORDINARY):
            raise SourcesError(
                f"{label}: ignore pattern {pattern!r} matches ordinary lines of text, so it "
                "would drop every line and hide every change",
                hint='anchor it to the noise, e.g. "^Updated: "',
            )
    selector = entry.get("selector")
    if selector is not None:
        _check_selector(selector, label)
    own = _urls(entry.get("notify", []), f"{label}: notify")
    return Source(
        url=entry["url"],
        series=entry["series"],
        selector=selector,
        ignore=tuple(ignore),
        language=entry.get("language"),
        publisher=entry.get("publisher"),
        lineage=entry.get("lineage"),
        title=entry.get("title"),
        notify=tuple(dict.fromkeys((*notify, *own))),
    )


def _urls(value: object, label: str) -> tuple[str, ...]:
    """A notify list: apprise URLs (checked by apprise, an optional extra)."""
    if not isinstance(value, list) or not all(isinstance(u, str) and u for u in value):
        raise SourcesError(
            f"{label} must be a list of apprise URLs", hint='write notify = ["json://host/hook"]'
        )
    if value:
        from .notify import check_urls

        check_urls(value, label)
    return tuple(value)


#: Lines no noise pattern should match: one that does drops the whole page.
_ORDINARY = ("a", "Some text 1.", "The station is built with partners.", "国际月球科研站")


def _check_selector(selector: str, label: str) -> None:
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise SourcesError(
            f"{label}: selector {selector!r} is not a CSS selector ({exc})",
            hint='write a CSS selector such as "div.article" or "main"',
        ) from None
