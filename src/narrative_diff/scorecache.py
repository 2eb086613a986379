"""The score cache: each snapshot's scoring result, kept in the corpus to skip rescoring.

Why: scoring is almost all of ``score``'s time and its result depends only on one
snapshot's text and metadata, the actor set and the weights; an unchanged corpus need not
be scored twice, and a new snapshot costs one scoring (the series statistics, which
depend on every snapshot, are always recomputed).

Layout: ``CORPUS/.cache/scores/KE/KEY.json``, one compact JSON file per entry (and
``.cache/changes/…``: the change rows of a pair, keyed by both snapshots' keys and what
else the rows depend on: see :class:`narrative_diff.engines.PairCache`), and
``CORPUS/.cache/.gitignore`` holding ``*`` (the cache never enters git; ``series_names``
skips hidden folders). ``KEY`` is the SHA-256 of everything the result depends on
(:func:`entry_key`): :data:`~narrative_diff.scoring.SCORING_VERSION`, the snapshot's body
hash and metadata, the actor set's content (not its path), the weights, and the versions
of the libraries that segment and match (sentencex, pymorphy3, regex). A changed input is
a new key, so a stale entry is never read; deleting the folder only costs time.

Entries are JSON, never pickle (a corpus may come from someone else), written atomically
(:func:`~narrative_diff.storage.write_scratch`). An entry that cannot be read or does not
check out (damaged, truncated, another key, wrong shapes) is ignored and recomputed. A
read-only corpus (the bundled one, or a folder the system will not let us write) simply
gets no new entries. ``NARRATIVE_DIFF_CACHE=0`` or ``score --no-cache`` bypasses it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .scoring import SCORING_VERSION, Mention, SnapshotScore, Weights
from .storage import write_scratch

if TYPE_CHECKING:
    from .actors import ActorSet
    from .snapshot import Snapshot

#: Environment variable: ``0`` (or ``no``, ``off``, ``false``) turns the score cache off.
CACHE_ENV = "NARRATIVE_DIFF_CACHE"
#: The cache's folder in a corpus (hidden: never a series).
CACHE_FOLDER = ".cache"
#: The format of one entry (its own number: the result's meaning is in the key).
ENTRY_FORMAT = 1
#: Libraries whose version can change a result (segmentation, inflection, matching).
LIBRARIES = ("sentencex", "pymorphy3", "pymorphy3-dicts-ru", "regex")
_WHERE = ("title", "heading", "lead", "body")
T = TypeVar("T")


def cache_wanted(asked: bool | None = None) -> bool:
    """Whether to use the cache: ``asked`` (``--no-cache`` gives False) when given, else
    not when ``NARRATIVE_DIFF_CACHE`` is 0, no, off or false."""
    if asked is not None:
        return asked
    return os.environ.get(CACHE_ENV, "").strip().lower() not in ("0", "no", "off", "false")


@functools.lru_cache(maxsize=1)
def library_versions() -> tuple[tuple[str, str], ...]:
    """The installed versions of :data:`LIBRARIES` ("" for one that is missing)."""
    from importlib import metadata

    found = []
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, ""))
    return tuple(found)


def context_key(actors: ActorSet, weights: Weights) -> str:
    """The part of every key shared by one run: scoring version, actors, weights,
    libraries (hashed once per run, not once per snapshot)."""
    context = {
        "scoring": SCORING_VERSION,
        "actors": [asdict(actor) for actor in actors.actors],  # content, never the path
        "weights": asdict(weights),
        "libraries": library_versions(),
    }
    return digest(context)


def entry_key(snapshot: Snapshot, context: str) -> str:
    """The key of one snapshot's result: its text and the metadata scoring reads, and the
    run's :func:`context_key`."""
    return digest(
        {
            "context": context,
            "id": snapshot.id,
            "date": snapshot.date.isoformat(),
            "title": snapshot.title,
            "language": snapshot.language,
            "languages": list(snapshot.languages),
            "lineage": snapshot.lineage,
            "publisher": snapshot.publisher,
            "body": snapshot.body_hash,
        }
    )


def digest(value: object) -> str:
    """SHA-256 of ``value``'s canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- entries
def to_entry(score: SnapshotScore) -> dict[str, Any]:
    """The JSON form of a result, without the snapshot (the corpus has it): each mentioned
    sentence's text once, mentions as rows, float values exactly (JSON keeps every bit)."""
    sentences: dict[str, str] = {}
    for m in score.mentions:
        sentences.setdefault(str(m.sentence), m.context)
    return {
        "format": ENTRY_FORMAT,
        "body": score.snapshot.body_hash,
        "sentences_in_body": score.body_sentences,
        "words": score.words,
        "sentences": sentences,
        "mentions": [
            [m.actor, m.alias, m.text, m.sentence, m.rank, m.where, m.start, m.end, m.weight]
            for m in score.mentions
        ],
        "contributions": {a: list(map(list, v.items())) for a, v in score.contributions.items()},
        "fixed": score.fixed,
        "framed": sorted(score.framed),
    }


def from_entry(entry: Any, snapshot: Snapshot) -> SnapshotScore:
    """The result an entry holds, for ``snapshot``; ValueError (or KeyError, TypeError)
    for anything that does not check out."""
    if entry.get("format") != ENTRY_FORMAT or entry.get("body") != snapshot.body_hash:
        raise ValueError("another format or another text")
    sentences = entry["sentences"]
    date = snapshot.date.isoformat()
    mentions = []
    for actor, alias, text, sentence, rank, where, start, end, weight in entry["mentions"]:
        if where not in _WHERE:
            raise ValueError(where)
        mentions.append(
            Mention(
                snapshot=snapshot.id,
                date=date,
                actor=sys.intern(_str(actor)),  # one string per actor, not per mention
                alias=sys.intern(_str(alias)),
                text=_str(text),
                sentence=_int(sentence),
                rank=_int(rank),
                where=where,
                start=_int(start),
                end=_int(end),
                weight=_float(weight),
                context=_str(sentences[str(sentence)]),
            )
        )
    contributions = {
        _str(a): {_int(k): _float(w) for k, w in pairs}
        for a, pairs in entry["contributions"].items()
    }
    return SnapshotScore(
        snapshot,
        tuple(mentions),
        _int(entry["sentences_in_body"]),
        _int(entry["words"]),
        contributions,
        {_str(a): _float(w) for a, w in entry["fixed"].items()},
        frozenset(_int(i) for i in entry["framed"]),
    )


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(value)
    return value


def _float(value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(value)
    return float(value)


# ---------------------------------------------------------------- the store
@dataclass
class ScoreCache:
    """The cache folder of one corpus; counts what it did (for tests and benchmarks).
    ``writable`` turns False at the first refused write: a read-only corpus gets no cache."""

    root: Path
    writable: bool = True
    hits: int = 0
    writes: int = 0
    _prepared: bool = field(default=False, repr=False)

    @classmethod
    def of_corpus(cls, root: Path, *, read_only: bool = False) -> ScoreCache:
        return cls(root / CACHE_FOLDER, writable=not read_only)

    def path(self, key: str, kind: str = "scores") -> Path:
        """Where the entry ``key`` of ``kind`` (scores: snapshots; changes: pairs) lives."""
        return self.root / kind / key[:2] / f"{key}.json"

    def load(self, key: str, snapshot: Snapshot, *, count: bool = True) -> SnapshotScore | None:
        """The stored result, or None when absent, unreadable or not one that checks out;
        ``count=False``: a result read back (``scorestore``), not a hit."""
        return self.read(key, "scores", lambda entry: from_entry(entry, snapshot), count=count)

    def store(self, key: str, score: SnapshotScore) -> bool:
        """Keep ``score`` under ``key`` (True when written); a refused write turns writing
        off, silently."""
        return self.write(key, "scores", to_entry(score))

    def read(
        self, key: str, kind: str, parse: Callable[[Any], T], *, count: bool = True
    ) -> T | None:
        """``parse`` of the JSON entry, or None when it is absent, unreadable, or ``parse``
        refuses it (ValueError, KeyError, TypeError, AttributeError)."""
        try:
            data = self.path(key, kind).read_bytes()
            found = parse(json.loads(data))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        self.hits += count
        return found

    def write(self, key: str, kind: str, entry: object) -> bool:
        """Keep the JSON ``entry`` (True when written); a refused write turns writing off,
        silently."""
        if not self.writable:
            return False
        try:
            data = json.dumps(
                entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
        except ValueError:  # a value that is not a finite number: not worth keeping
            return False
        try:
            self._prepare()
            write_scratch(self.path(key, kind), data)
        except OSError:
            self.writable = False
            return False
        self.writes += 1
        return True

    def _prepare(self) -> None:
        """The folder with its ``.gitignore`` (``*``: nothing in it is ever committed)."""
        if self._prepared:
            return
        ignore = self.root / ".gitignore"
        if not ignore.is_file():
            write_scratch(ignore, b"*\n")
        self._prepared = True
