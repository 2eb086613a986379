"""Regression tests for Russian actor names (issue 10, point 6 g).

Russian aliases are written in dictionary form (nominative); their inflected forms, plural
ones included, must count: "Соединённые Штаты" → "Соединёнными Штатами", "Соединенных
Штатов" (ё written е); "заинтересованные страны" → "заинтересованных стран". This broke
under a one-line mutation without any test noticing. The tests count through the public
``compare A B --format json`` actor block (``summary.actors``) and the matching API
(``load_actors``, ``matcher_for(...).find(text)``), with the bundled ILRS actors and with
an actors file written here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from narrative_diff.actors import load_actors, matcher_for
from narrative_diff.cli import main

TITLE = "Международная научная лунная станция"
BEFORE = (
    f"{TITLE}\n\n"
    "Россия и Китай совместно создадут станцию. Соединённые Штаты не участвуют в проекте. "
    "Представители США отказались от комментариев. "
    "Сотрудничество с Соединёнными Штатами не планируется.\n\n"
    "Проект открыт для всех заинтересованных стран.\n"
)
AFTER = (
    f"{TITLE}\n\n"
    "Китай создаст станцию вместе со многими странами. "
    "Станция будет построена без участия Соединенных Штатов и России.\n\n"
    "Проект открыт для всех заинтересованных стран. "
    "Заинтересованным странам предложено участие.\n"
)
CUSTOM = """\
[actors.usa]
name = "США"
aliases = ["Соединённые Штаты", "США"]

[actors.partners]
name = "Страны-партнёры"
kind = "generic"
aliases = ["страны-партнёры", "государства-члены"]
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)


def actor_block(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, before: str, after: str, *extra: str
) -> dict[str, dict[str, Any]]:
    """The ``summary.actors`` entries of ``compare A B --format json``, by actor key."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(before, encoding="utf-8")
    b.write_text(after, encoding="utf-8")
    code = main(["compare", str(a), str(b), "--format", "json", *extra])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    data = json.loads(out)
    assert (data["a"]["language"], data["b"]["language"]) == ("ru", "ru")
    return {entry["actor"]: entry for entry in data["summary"]["actors"]}


def counts(block: dict[str, dict[str, Any]]) -> dict[str, tuple[int, int]]:
    return {key: (entry["count_a"], entry["count_b"]) for key, entry in block.items()}


def test_bundled_actors_count_inflected_and_plural_russian_forms(capsys, tmp_path):
    block = actor_block(capsys, tmp_path, BEFORE, AFTER)
    assert counts(block) == {
        "china": (1, 1),  # Китай, Китай
        "russia": (1, 1),  # Россия, России (genitive)
        # Соединённые Штаты, США, Соединёнными Штатами → Соединенных Штатов
        "united-states": (3, 1),
        # заинтересованных стран → многими странами, заинтересованных стран,
        # Заинтересованным странам (plural oblique cases of two aliases)
        "several": (1, 3),
    }, "Russian plural and inflected forms of the bundled aliases must be counted"
    assert block["united-states"]["evidence_b"] == [
        "Станция будет построена без участия Соединенных Штатов и России."
    ]


def test_custom_actors_file_counts_plural_forms(capsys, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text(CUSTOM, encoding="utf-8")
    after = AFTER + "\nСтранам-партнёрам и государствам-членам направлены приглашения.\n"
    block = actor_block(capsys, tmp_path, BEFORE, after, "--actors", str(actors))
    assert counts(block) == {"usa": (3, 1), "partners": (0, 2)}
    assert block["partners"]["event"] == "APPEARED"


def test_matcher_finds_each_plural_form(tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text(CUSTOM, encoding="utf-8")
    text = (
        "Соединённые Штаты и США. Санкции Соединенных Штатов. Договор с Соединёнными Штатами. "
        "Письмо Соединённым Штатам. О Соединённых Штатах. Странами-партнёрами и "
        "государств-членов. Соединённый штат Техас."  # singular: another word, no match
    )
    found = [(m.actor, m.text) for m in matcher_for(load_actors(actors)).find(text)]
    assert found == [
        ("usa", "Соединённые Штаты"),
        ("usa", "США"),
        ("usa", "Соединенных Штатов"),
        ("usa", "Соединёнными Штатами"),
        ("usa", "Соединённым Штатам"),
        ("usa", "Соединённых Штатах"),
        ("partners", "Странами-партнёрами"),
        ("partners", "государств-членов"),
    ]


def test_bundled_matcher_finds_plural_generic_wording():
    text = "Проект открыт для многих стран, заинтересованных стран и других стран."
    found = [(m.actor, m.text) for m in matcher_for(load_actors()).find(text)]
    assert found == [
        ("several", "многих стран"),
        ("several", "заинтересованных стран"),
        ("several", "других стран"),
    ]
