"""An Atom feed of each watched series' narrative changes, for feed readers.

Built with feedgen from the watch log (``.watch/log.jsonl``): each check that added a
snapshot is an entry (the newest :data:`ENTRIES`), its title the line ``watch`` printed,
its link the page. The feed's ids are tag URIs that never change, its dates those of the
checks, so the same log gives the same file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from narrative_diff.storage import write_file

#: Entries in a feed, newest first.
ENTRIES = 50


def feed_entries(log: Path, series: str) -> list[dict[str, str]]:
    """The watch log's additions to ``series``, newest first."""
    try:
        # a line a crash cut short may end inside a character: decoded as far as it goes
        lines = log.read_bytes().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut short by a crash
            continue
        if isinstance(entry, dict) and (entry.get("series"), entry.get("outcome")) == (
            series,
            "added",
        ):
            found.append({k: str(v) for k, v in entry.items()})
    return [e for e in reversed(found) if _dated(e)][:ENTRIES]


def _dated(entry: dict[str, str]) -> bool:
    try:
        _when(entry["at"])
    except (KeyError, ValueError):
        return False
    return "line" in entry


def atom(series: str, title: str, url: str, entries: Iterable[dict[str, str]]) -> bytes:
    """The Atom document of one series' changes."""
    from feedgen.feed import FeedGenerator

    from narrative_diff import __version__

    items = list(entries)
    feed = FeedGenerator()
    feed.id(f"tag:narrative-diff,2026:{series}")
    feed.title(f"{title}: narrative changes")
    feed.subtitle(f"Snapshots narrative-diff watch added to the series '{series}'")
    feed.link(href=url, rel="alternate")
    feed.author({"name": "narrative-diff"})
    feed.generator("narrative-diff", version=__version__)
    feed.language("en")
    newest = items[0]["at"] if items else "1970-01-01T00:00:00Z"
    feed.updated(_when(newest))
    for item in reversed(items):  # feedgen puts the last added first
        entry = feed.add_entry()
        day = item["at"][:10]
        entry.id(f"tag:narrative-diff,{day}:{item.get('snapshot', series + '/' + item['at'])}")
        entry.title(item["line"].split(": ", 1)[-1])
        entry.link(href=item.get("url", url))
        entry.updated(_when(item["at"]))
        entry.published(_when(item["at"]))
        entry.summary(item["line"])
    return bytes(feed.atom_str(pretty=True))


def write_feed(log: Path, folder: Path, series: str, title: str, url: str) -> Path:
    """Write ``folder/<series>.atom`` (atomically) from the log; return its path."""
    path = folder / f"{series}.atom"
    folder.mkdir(parents=True, exist_ok=True)
    write_file(path, atom(series, title, url, feed_entries(log, series)))
    return path


def _when(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
