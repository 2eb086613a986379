"""Series metadata: an optional ``series.yaml`` in a series folder (docs/series.md).

A slug such as ``ilrs`` names a folder, not a narrative a reader knows. ``series.yaml``
gives the series a title and a description for ``list``, charts and reports, names its
own actors file (the default for commands over it, instead of the bundled ILRS actors),
and gives lineages display names. It changes what people read, never what is compared:
lineages are still grouped by :attr:`Snapshot.lineage_key`, and JSON and CSV rows are
unchanged. Without the file, the slug is shown, as before.

The file is read by the same safe YAML loader as snapshot front matter (no anchors or
aliases, a size limit); any defect is one ``invalid-series-file`` error naming the file and
the key, so ``check`` can list it and every other command stops with exit code 7.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .check import Problem
from .errors import CorpusError, UsageProblem
from .snapshot import MAX_FRONT_MATTER, check_lineage, check_name, shown

if TYPE_CHECKING:
    from .actors import ActorSet
    from .corpus import Corpus

#: The file name, in the series folder.
SERIES_FILE = "series.yaml"
#: The keys a series.yaml may hold.
SERIES_KEYS = ("title", "description", "actors", "lineages")
#: A title is a heading: one line, at most this long.
MAX_TITLE = 200
#: A description is a sentence or two under the title.
MAX_DESCRIPTION = 1000
_NOT_TEXT = frozenset(["Cc", "Cf", "Cs", "Zl", "Zp"])  # as names.check_lineage refuses
_FIX = "fix or delete the file (its keys: docs/series.md); 'narrative-diff check' lists it"


@dataclass(frozen=True)
class SeriesInfo:
    """What a series says about itself. ``title`` is the slug and ``source`` None for a
    series without ``series.yaml``; ``lineages`` maps a folded lineage (see
    :func:`lineage_fold`) to the name shown for it."""

    name: str
    title: str
    description: str | None = None
    actors: Path | None = None
    lineages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    source: Path | None = None

    @property
    def titled(self) -> bool:
        """Whether the series has a title or description of its own (else the slug)."""
        return self.title != self.name or self.description is not None

    @property
    def heading(self) -> str | None:
        """The line above ``list``'s table: title, and description; None when untitled."""
        if not self.titled:
            return None
        return f"{self.title} — {self.description}" if self.description else self.title

    def shown_lineage(self, name: str) -> str:
        """The display name of a lineage as written in snapshots (itself when unnamed)."""
        return self.lineages.get(lineage_fold(name), name) if name else name


def lineage_fold(name: str) -> str:
    """A lineage as compared (as :attr:`Snapshot.lineage_key`): spacing, width and case
    folded, so ``China official`` in series.yaml matches ``china  official`` in a file."""
    return unicodedata.normalize("NFKC", " ".join(name.split())).casefold()


#: Read files by (path, mtime, size, inode): a command asks several times, reads once.
_CACHE: dict[tuple[str, int, int, int], SeriesInfo] = {}


def series_info(corpus: Corpus, name: str) -> SeriesInfo:
    """The metadata of series ``name`` of ``corpus`` (cached while the file is unchanged).
    Raises ``CorpusError`` (``invalid-series-file``) for a broken file."""
    folder = corpus.root / check_name(name, "series")
    path = folder / SERIES_FILE
    try:
        info = path.stat()
    except OSError:  # none (or unreadable: reading it below says so)
        if not path.is_symlink() and not path.exists():
            return SeriesInfo(name=name, title=name)
        return read_series_file(path, name)
    key = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = read_series_file(path, name)
    return _CACHE[key]


def read_series_file(path: Path, name: str) -> SeriesInfo:
    """Read and check one ``series.yaml`` of series ``name``."""

    def invalid(problem: str) -> CorpusError:
        return CorpusError(f"{path}: {problem}", hint=_FIX, slug="invalid-series-file")

    data = _load(path, invalid)
    unknown = [key for key in data if key not in SERIES_KEYS]
    if unknown:
        raise invalid(
            f"unknown key '{shown(str(unknown[0]), 40)}' (the keys are {', '.join(SERIES_KEYS)})"
        )
    title = _text(data, "title", MAX_TITLE, invalid, one_line=True)
    description = _text(data, "description", MAX_DESCRIPTION, invalid, one_line=False)
    return SeriesInfo(
        name=name,
        title=title or name,
        description=description,
        actors=_actors_path(data, path, invalid),
        lineages=_lineages(data, invalid),
        source=path,
    )


def _load(path: Path, invalid: Callable[[str], CorpusError]) -> dict[str, object]:
    """The file's mapping: a regular UTF-8 file of at most 64 KiB, of plain YAML."""
    try:  # (CorpusError is an OSError: the checks raise outside the try)
        info = os.stat(path)
        raw = path.read_bytes() if _small_file(info) else None
    except OSError as exc:
        raise invalid(f"cannot read it ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):  # a pipe or a device could block or never end
        raise invalid("not a regular file")
    if raw is None:
        raise invalid(
            f"about {info.st_size // 1024:,} KiB (the limit is {MAX_FRONT_MATTER // 1024} KiB)"
        )
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise invalid(f"not UTF-8 (byte {exc.start})") from None
    import yaml  # (PyYAML, imported where a file is read: not at every command's start)

    from .snapshot.front_matter import AliasRefused, load_yaml

    try:
        data = load_yaml(text)
    except AliasRefused:
        raise invalid("uses YAML anchors or aliases (&name, *name), which are not read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise invalid(
            "not valid YAML" + (f" at line {mark.line + 1}" if mark is not None else "")
        ) from None
    except (ValueError, RecursionError):
        raise invalid("not valid YAML (an impossible value, or nested too deeply)") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise invalid(f"holds {_kind(data)}, not a mapping of keys (title, description, …)")
    return {str(key): value for key, value in data.items()}


def _small_file(info: os.stat_result) -> bool:
    """Whether a file may be read: a regular file within the size limit."""
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FRONT_MATTER


def _text(
    data: Mapping[str, object],
    key: str,
    limit: int,
    invalid: Callable[[str], CorpusError],
    *,
    one_line: bool,
) -> str | None:
    """A text value, whitespace runs made one space; control characters refused (a
    description may span lines in the file)."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"key '{key}' must be text, not {_kind(value)}")
    allowed = "" if one_line else "\n\t\r"
    if any(unicodedata.category(ch) in _NOT_TEXT and ch not in allowed for ch in value):
        raise invalid(
            f"key '{key}' holds a control or direction character ({shown(value, 40)})"
            + ("; a title is one line" if one_line and "\n" in value.strip() else "")
        )
    text = " ".join(value.split())
    if not text:
        raise invalid(f"key '{key}' is empty")
    if len(text) > limit:
        raise invalid(f"key '{key}' is {len(text):,} characters long (at most {limit:,})")
    return text


def _actors_path(
    data: Mapping[str, object], path: Path, invalid: Callable[[str], CorpusError]
) -> Path | None:
    """The actors file, relative to the series folder and inside the corpus, present."""
    value = data.get("actors")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"key 'actors' must be a file name, not {_kind(value)}")
    relative = Path(value.strip())
    folder = path.parent
    target = folder / relative
    if relative.is_absolute() or not target.resolve().is_relative_to(folder.parent.resolve()):
        raise invalid(
            f"key 'actors': {shown(value, 60)} is outside the corpus; give a path relative "
            "to the series folder, e.g. actors.toml"
        )
    if not target.is_file():
        raise invalid(f"key 'actors': no file {shown(str(target), 120)}")
    return target


def _lineages(
    data: Mapping[str, object], invalid: Callable[[str], CorpusError]
) -> Mapping[str, str]:
    """``lineages``: a lineage as written in snapshots → the name to show for it."""
    value = data.get("lineages")
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        raise invalid(f"key 'lineages' must be a mapping (lineage: name), not {_kind(value)}")
    names: dict[str, str] = {}
    for lineage, display in value.items():
        where = f"key 'lineages', entry '{shown(str(lineage), 40)}'"
        if not isinstance(lineage, str) or not isinstance(display, str):
            bad = display if isinstance(lineage, str) else lineage
            raise invalid(f"{where}: a lineage and its name must be text, not {_kind(bad)}")
        try:
            key, name = lineage_fold(check_lineage(lineage)), check_lineage(display)
        except UsageProblem as exc:
            raise invalid(f"{where}: {exc.message}") from None
        if key in names:
            raise invalid(f"{where}: the same lineage is named twice")
        if lineage_fold(name) in map(lineage_fold, names.values()):
            raise invalid(f"{where}: another lineage has the name '{shown(name, 40)}'")
        names[key] = name
    return MappingProxyType(names)


def _kind(value: object) -> str:
    """A YAML value's kind in words: 'a list', 'a number', 'a mapping'."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return f"'{shown(str(value), 40)}'"


def series_problems(corpus: Corpus) -> list[Problem]:
    """``check``'s finding for each series folder whose series.yaml cannot be read."""
    found = []
    for folder in sorted(p for p in corpus.root.iterdir() if p.is_dir()):
        path = folder / SERIES_FILE
        if folder.name.startswith(".") or not (path.exists() or path.is_symlink()):
            continue
        try:
            read_series_file(path, folder.name)
        except CorpusError as exc:
            found.append(Problem(path, exc.slug, exc.message.removeprefix(f"{path}: ")))
    return found


def series_actors(
    corpus: Corpus,
    series: str,
    actors: ActorSet | None,
    load: Callable[[Path | None], ActorSet],
) -> ActorSet:
    """The actors a command over ``series`` reads: those given, unless they are the default
    (None, or the bundled set ``load(None)`` gives without ``--actors``), which the series'
    own actors file (series.yaml ``actors``) replaces when it names one."""
    if actors is not None and not actors.source.startswith("bundled:"):
        return actors
    own = series_info(corpus, series).actors
    if own is not None:
        return load(own)
    return actors if actors is not None else load(None)
