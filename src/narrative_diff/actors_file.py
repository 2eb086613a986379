"""Actors (countries, agencies) and their aliases as an actors file gives them: read and
checked for shape (TOML, keys, types), not compiled. Apart from the matcher
(:mod:`narrative_diff.actors`), so that a command that only passes an actor set on (a
long comparison compiles it in its second process) does not load the matcher's machinery.

The actors file
---------------
A UTF-8 TOML file with one ``[actors.KEY]`` table per actor; KEY (lower-case letters,
digits, ``-``, ``_``) is the id used in output::

    [actors.russia]
    name = "Russia"                          # required: the display name
    aliases = ["Russia", "Roscosmos", "俄罗斯", "Россия"]   # required, non-empty
    exclude = ["白俄罗斯", "Prussian"]       # optional: spans that veto this actor's matches
    patterns = ['俄(?<=中俄)']                # optional: Python regular expressions
    kind = "actor"                           # optional: "actor" (default) or "generic"
    abbrev = ["俄"]                          # optional: single Han characters for compounds

``kind = "generic"`` marks an unnamed-partner bucket ("several countries", 多国); capitals
and demonyms are ordinary aliases; no other keys are allowed. An alias belongs to one actor
(compared after normalisation); a pattern must not match the empty string. Without a path,
:func:`read_actors` (and ``actors.load_actors``) read the bundled ILRS file
``data/actors-ilrs.toml``.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ActorNotFound, ActorsFileError, SourceNotFound
from .text import HAN

BUNDLED = "actors-ilrs.toml"
#: The ``source`` of the bundled actor set.
BUNDLED_SOURCE = f"bundled: {BUNDLED}"
KINDS = ("actor", "generic")
ALLOWED_KEYS = ("name", "aliases", "exclude", "patterns", "kind", "abbrev")
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


@dataclass(frozen=True)
class Actor:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    abbrev: tuple[str, ...] = ()  # single Han characters used in compounds (中俄)


@dataclass(frozen=True)
class ActorSet:
    actors: tuple[Actor, ...]
    source: str

    def get(self, key: str) -> Actor:
        """The actor with this key, or else with this name (case-insensitive)."""
        for actor in self.actors:
            if actor.key == key:
                return actor
        for actor in self.actors:
            if actor.name.casefold() == key.casefold() or actor.key == key.casefold():
                return actor
        known = ", ".join(actor.key for actor in self.actors)
        raise ActorNotFound(f"no actor '{key}' in {self.source}", hint=f"known actors: {known}")


#: Actors files are lists of names: anything larger is a mistake (or an attack).
MAX_ACTORS_BYTES = 2 * 1024 * 1024


def read_actors(path: str | os.PathLike[str] | None = None) -> ActorSet:
    """Read an actors file and check its shape (TOML, keys, types), not its aliases and
    patterns (:func:`check_actors`): a few milliseconds where the check compiles them
    (0.03 s for the bundled file), for a command that compiles them elsewhere."""
    if path is None:
        source = BUNDLED_SOURCE
        data = (resources.files("narrative_diff") / "data" / BUNDLED).read_bytes()
    else:
        source = str(path)
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):  # a pipe or a device could block or never end
                raise ActorsFileError(f"{source}: not a regular file", hint="give a .toml file")
            if info.st_size > MAX_ACTORS_BYTES:
                raise ActorsFileError(
                    f"{source}: {info.st_size:,} bytes, over the {MAX_ACTORS_BYTES:,}-byte limit",
                    hint="an actors file lists names; split or shorten it",
                )
            data = Path(path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise SourceNotFound(
                f"actors file not found: {source}", hint="check the path given to --actors"
            ) from exc
        except OSError as exc:
            raise ActorsFileError(
                f"{source}: cannot read it ({exc.strerror})",
                hint="check the path given to --actors",
            ) from exc
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ActorsFileError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ActorsFileError(f"{source}: not valid TOML: {exc}") from exc
    except RecursionError as exc:
        raise ActorsFileError(f"{source}: nested too deeply to read") from exc
    try:
        return ActorSet(_parse(table, source), source)
    except (RecursionError, OverflowError, MemoryError) as exc:
        raise too_large(source, exc) from exc


def too_large(source: str, exc: BaseException) -> ActorsFileError:
    """The error of a file whose aliases or patterns are too large to read or compile."""
    return ActorsFileError(
        f"{source}: an alias or pattern is too long or too deeply nested to compile "
        f"({type(exc).__name__})"
    )


def _parse(table: dict[str, object], source: str) -> tuple[Actor, ...]:
    def fail(problem: str) -> ActorsFileError:
        return ActorsFileError(f"{source}: {problem}")

    for key in table:
        if key != "actors":
            raise fail(f"unknown top-level key '{key}'; the file holds only [actors.KEY] tables")
    entries = table.get("actors")
    if not isinstance(entries, dict) or not entries:
        raise fail("no actors: add at least one [actors.KEY] table")
    actors = []
    for key, entry in entries.items():
        if not _KEY.match(key):
            raise fail(f"actor key '{key}' must be lower-case letters, digits, '-' or '_'")
        if not isinstance(entry, dict):
            raise fail(f"actors.{key} must be a table ([actors.{key}])")
        for field in entry:
            if field not in ALLOWED_KEYS:
                allowed = ", ".join(ALLOWED_KEYS)
                raise fail(f"actor '{key}' has unknown key '{field}'; allowed keys: {allowed}")
        for field in ("name", "aliases"):
            if field not in entry:
                raise fail(f"actor '{key}' has no '{field}'")
        name, kind = entry["name"], entry.get("kind", "actor")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"actor '{key}': 'name' must be a non-empty string")
        if kind not in KINDS:
            raise fail(f"actor '{key}': 'kind' must be \"actor\" or \"generic\", not {kind!r}")
        lists = {}
        for field in ("aliases", "exclude", "patterns"):
            value = entry.get(field, [])
            bad = (
                [v for v in value if not isinstance(v, str) or not v.strip()]
                if isinstance(value, list)
                else [value]
            )
            if bad:
                raise fail(
                    f"actor '{key}': '{field}' must be a list of non-empty strings, not {bad[0]!r}"
                )
            lists[field] = tuple(value)
        if not lists["aliases"]:
            raise fail(f"actor '{key}': 'aliases' must not be empty")
        abbrev = entry.get("abbrev", [])
        bad = (
            [v for v in abbrev if not isinstance(v, str) or len(v) != 1 or not HAN.match(v)]
            if isinstance(abbrev, list)
            else [abbrev]
        )
        if bad:
            raise fail(
                f"actor '{key}': 'abbrev' must be a list of single Han characters, not {bad[0]!r}"
            )
        actors.append(
            Actor(
                key,
                name,
                kind,
                lists["aliases"],
                lists["exclude"],
                lists["patterns"],
                tuple(abbrev),
            )
        )
    return tuple(actors)
