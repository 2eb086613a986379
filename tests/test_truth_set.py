"""Issue 12, point 8: the real-material truth set of fixtures/truth/ (README.md there).

Every document is added the way ``narrative-diff add`` adds it (extraction, title line,
metadata) to a fresh corpus, the series is scored, and each document's count per actor is
compared EXACTLY with the hand count of truth.toml (unlisted actors: 0). A document with a
``known_issue`` (an extraction fault recorded there) is a strict xfail, so a fix shows up.
The simplified-Chinese documents, converted to traditional script with OpenCC, must score
the same; and the lineage events must be the ones the truth file lists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import opencc
import pytest

from narrative_diff import api
from narrative_diff.capture import AddOptions
from narrative_diff.text import HAN

TRUTH = Path(__file__).resolve().parents[1] / "fixtures" / "truth"
SPEC: dict[str, Any] = tomllib.loads((TRUTH / "truth.toml").read_text(encoding="utf-8"))
DOCS: list[dict[str, Any]] = SPEC["document"]
BY_FILE = {doc["file"]: doc for doc in DOCS}
SERIES: str = SPEC["series"]
HANT_SERIES = f"{SERIES}-hant"
EVENTS = {"APPEARED", "DISAPPEARED", "ABSENT"}


def simplified_chinese(doc: dict[str, Any]) -> bool:
    """Documents with Han text in simplified script (the bilingual release included)."""
    if doc["language"].lower().startswith("zh-hant"):
        return False
    return bool(HAN.search((TRUTH / doc["file"]).read_text(encoding="utf-8")))


def options(doc: dict[str, Any], series: str, language: str | None = None) -> AddOptions:
    """``add FILE -s SERIES --date D --language L --publisher P --lineage NAME``."""
    return AddOptions(
        series=series,
        date=dt.date.fromisoformat(doc["date"]),
        publisher=doc["publisher"],
        lineage=doc["lineage"],
        language=language or doc["language"],
        slug=Path(doc["file"]).stem,
    )


@dataclasses.dataclass
class Scored:
    counts: dict[str, dict[str, int]]  # file -> actor key -> count (every actor)
    events: dict[str, dict[str, str]]  # file -> actor key -> event (non-empty ones)
    lineages: dict[str, set[str]]  # file -> the lineage values of its rows
    hant_counts: dict[str, dict[str, int]]  # file -> counts of its traditional conversion


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scored]:
    root = tmp_path_factory.mktemp("truth")
    corpus = api.init_corpus(root / "corpus")
    ids: dict[str, str] = {}
    for doc in DOCS:
        added = api.add_snapshot(corpus, str(TRUTH / doc["file"]), options(doc, SERIES))
        ids[added.snapshot.id] = doc["file"]
    to_hant = opencc.OpenCC("s2t")
    hant_ids: dict[str, str] = {}
    for doc in filter(simplified_chinese, DOCS):
        source = root / doc["file"]
        source.write_text(
            to_hant.convert((TRUTH / doc["file"]).read_text(encoding="utf-8")), encoding="utf-8"
        )
        added = api.add_snapshot(corpus, str(source), options(doc, HANT_SERIES, "zh-Hant"))
        hant_ids[added.snapshot.id] = doc["file"]
    result = api.score_series(corpus, SERIES)
    counts: dict[str, dict[str, int]] = {}
    events: dict[str, dict[str, str]] = {}
    lineages: dict[str, set[str]] = {}
    for row in result.rows:
        name = ids[row.snapshot]
        counts.setdefault(name, {})[row.actor] = row.count
        events.setdefault(name, {})
        if row.event:
            events[name][row.actor] = row.event
        lineages.setdefault(name, set()).add(row.lineage)
    hant: dict[str, dict[str, int]] = {}
    for row in api.score_series(corpus, HANT_SERIES).rows:
        hant.setdefault(hant_ids[row.snapshot], {})[row.actor] = row.count
    yield Scored(counts, events, lineages, hant)


def expected_counts(doc: dict[str, Any], actors: list[str]) -> dict[str, int]:
    return {actor: int(doc["counts"].get(actor, 0)) for actor in actors}


def differences(want: dict[str, int], got: dict[str, int]) -> list[str]:
    return [
        f"{actor}: hand {want.get(actor, 0)}, tool {got.get(actor, 0)}"
        for actor in sorted(set(want) | set(got))
        if want.get(actor, 0) != got.get(actor, 0)
    ]


def derive_events(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The events the counts imply, per document (see truth.toml's header)."""
    out: dict[str, dict[str, str]] = {}
    lineages = sorted({doc["lineage"] for doc in docs})
    for lineage in lineages:
        chain = sorted((d for d in docs if d["lineage"] == lineage), key=lambda d: d["date"])
        for i, doc in enumerate(chain):
            found: dict[str, str] = {}
            if i:
                before, now = chain[i - 1]["counts"], doc["counts"]
                for actor in sorted(set(before) | set(now)):
                    was, is_ = before.get(actor, 0), now.get(actor, 0)
                    if not was and is_:
                        found[actor] = "APPEARED"
                    elif was and not is_:
                        later = any(d["counts"].get(actor, 0) for d in chain[i + 1 :])
                        found[actor] = "ABSENT" if later else "DISAPPEARED"
            out[doc["file"]] = found
    return out


# --- the truth file itself ----------------------------------------------------------------


def test_truth_file_is_complete_and_well_formed() -> None:
    actor_keys = {a.key for a in api.load_actors().actors}
    on_disk = {p.name for p in TRUTH.iterdir() if p.suffix in {".html", ".txt", ".md"}}
    assert on_disk - {"README.md"} == set(BY_FILE), "every document listed once, no other"
    assert len(DOCS) == len(BY_FILE) >= 22
    for doc in DOCS:
        assert {"file", "date", "publisher", "lineage", "language", "note", "counts"} <= set(doc)
        dt.date.fromisoformat(doc["date"])
        assert set(doc["counts"]) <= actor_keys, doc["file"]
        assert all(isinstance(n, int) and n > 0 for n in doc["counts"].values()), doc["file"]
    chains = [sum(d["lineage"] == lin for d in DOCS) for lin in {d["lineage"] for d in DOCS}]
    assert sum(n >= 3 for n in chains) >= 3
    assert {"en", "zh", "zh-Hant", "ru"} <= {d["language"] for d in DOCS}


def test_listed_events_follow_from_the_hand_counts() -> None:
    listed: dict[str, dict[str, str]] = {}
    for lineage, by_file in SPEC["expected_events"].items():
        for name, found in by_file.items():
            assert BY_FILE[name]["lineage"] == lineage, name
            assert set(found.values()) <= EVENTS, name
            listed[name] = dict(found)
    assert listed == derive_events(DOCS)
    kinds = {event for found in listed.values() for event in found.values()}
    assert kinds == EVENTS, "the set exercises every event"


# --- counts ---------------------------------------------------------------------------------


def doc_params() -> list[Any]:
    params = []
    for doc in DOCS:
        marks = []
        if doc.get("known_issue"):
            marks.append(pytest.mark.xfail(reason=doc["known_issue"], strict=True))
        params.append(pytest.param(doc["file"], id=doc["file"], marks=marks))
    return params


@pytest.mark.parametrize("name", doc_params())
def test_counts_match_hand_counts(scored: Scored, name: str) -> None:
    got = scored.counts[name]
    want = expected_counts(BY_FILE[name], sorted(got))
    assert not differences(want, got), f"{name}: " + "; ".join(differences(want, got))


def hant_params() -> list[Any]:
    params = []
    for doc in filter(simplified_chinese, DOCS):
        marks = []
        if doc.get("known_issue_hant"):
            marks.append(pytest.mark.xfail(reason=doc["known_issue_hant"], strict=True))
        params.append(pytest.param(doc["file"], id=doc["file"], marks=marks))
    return params


@pytest.mark.parametrize("name", hant_params())
def test_traditional_conversion_scores_the_same(scored: Scored, name: str) -> None:
    original, converted = scored.counts[name], scored.hant_counts[name]
    changed = [
        f"{actor}: simplified {original.get(actor, 0)}, traditional {converted.get(actor, 0)}"
        for actor in sorted(set(original) | set(converted))
        if original.get(actor, 0) != converted.get(actor, 0)
    ]
    assert not changed, f"{name}: " + "; ".join(changed)


# --- lineage events -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [d["file"] for d in DOCS])
def test_events_within_lineages(scored: Scored, name: str) -> None:
    doc = BY_FILE[name]
    assert scored.lineages[name] == {doc["lineage"]}
    want = SPEC["expected_events"][doc["lineage"]][name]
    assert scored.events[name] == want
