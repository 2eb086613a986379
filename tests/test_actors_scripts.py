"""Issue 12, actor matching: script folding, abbreviation compounds, numbered groups, one
mention per span, and the ``abbrev`` field of the actors file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff.actors import ActorSet, find_mentions, load_actors
from narrative_diff.errors import ActorsFileError
from narrative_diff.text import HAN


@pytest.fixture(scope="module")
def ilrs() -> ActorSet:
    return load_actors()


def found(text: str, actors: ActorSet) -> list[tuple[str, str]]:
    return [(m.actor, m.text) for m in find_mentions(text, actors)]


def counts(text: str, actors: ActorSet) -> Counter[str]:
    return Counter(m.actor for m in find_mentions(text, actors))


# --- script folding -----------------------------------------------------------------------


def test_traditional_names_match_and_quote_the_original(ilrs: ActorSet) -> None:
    text = "中國與俄羅斯；國家航天局和俄羅斯國家航天集團公司；白俄羅斯"
    got = [(m.actor, m.start, m.end, m.text) for m in find_mentions(text, ilrs)]
    assert got == [
        ("china", 0, 2, "中國"),
        ("russia", 3, 6, "俄羅斯"),
        ("china", 7, 12, "國家航天局"),
        ("russia", 13, 24, "俄羅斯國家航天集團公司"),
        ("belarus", 25, 29, "白俄羅斯"),  # the exclude works across scripts: not Russia
    ]


def test_traditional_compounds_and_traps(ilrs: ActorSet) -> None:
    assert found("中俄兩國；中國；俄亥俄；其中俄方", ilrs) == [
        ("china", "中"),
        ("russia", "俄"),
        ("china", "中國"),
        ("russia", "俄方"),
    ]


def test_opencc_is_imported_only_when_a_han_character_is_folded() -> None:
    plain = (
        "import sys\n"
        "from narrative_diff.actors import fold\n"
        "fold('Russia Россия')\n"
        "print('opencc' in sys.modules)\n"
        "fold('俄罗斯')\n"
        "print('opencc' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def _simplified_aliases() -> list[str]:
    aliases = {
        alias for actor in load_actors().actors for alias in actor.aliases if HAN.search(alias)
    }
    return sorted(aliases)


ILRS = load_actors()
GLUE = ["与", "和", "、", "，", "。", "两国", "合作", "的", "在", "中俄", "中巴", "中白", "中泰"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_simplified_aliases()) | st.sampled_from(GLUE), max_size=12))
def test_traditional_and_simplified_count_the_same(pieces: list[str]) -> None:
    actors = ILRS
    simplified = "".join(pieces)
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert len(traditional) == len(simplified)
    assert counts(traditional, actors) == counts(simplified, actors)


# --- compounds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中俄两国", {"china": 1, "russia": 1}),
        ("中白合作", {"china": 1, "belarus": 1}),
        ("中巴关系", {"china": 1, "pakistan": 1}),
        ("中泰双方", {"china": 1, "thailand": 1}),
        ("中俄白三国", {"china": 1, "russia": 1, "belarus": 1}),
        ("俄中", {"china": 1, "russia": 1}),
        ("中俄国际月球科研站", {"china": 1, "russia": 1}),  # 俄国 (Russia's alias) keeps it
        ("白俄", {"belarus": 1}),  # Belarus, not Belarus + Russia
        ("白俄罗斯", {"belarus": 1}),
        ("中白俄罗斯", {"china": 1, "belarus": 1}),
        ("巴西", {}),  # Brazil, not Pakistan
        ("中巴西部", {}),
        ("巴基斯坦", {"pakistan": 1}),
        ("泰国", {"thailand": 1}),  # via the alias, not as a compound
        ("中国", {"china": 1}),
        ("其中。中心。中央。中部。中文。中期。", {}),
        ("俄亥俄", {}),  # Ohio
        ("中俄亥俄", {}),
        ("其中俄方", {"russia": 1}),
        ("中美洲", {}),
        ("美中不足", {}),
        ("中美合作", {"china": 1, "united-states": 1}),
        ("中中", {}),  # one actor twice is no compound
    ],
)
def test_compounds(ilrs: ActorSet, text: str, expected: dict[str, int]) -> None:
    assert counts(text, ilrs) == Counter(expected)


def test_compound_members_claim_one_character_each(ilrs: ActorSet) -> None:
    got = [(m.actor, m.alias, m.start, m.end) for m in find_mentions("支持中俄白合作", ilrs)]
    assert got == [
        ("china", "中", 2, 3),
        ("russia", "俄", 3, 4),
        ("belarus", "白", 4, 5),
    ]


# --- the generic bucket -------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "17 countries",
        "more than 10 countries",
        "over 40 international partners",
        "ten countries",
        "十余个国家",
        "17个国家",
        "多个国家",
        "多国",
        "несколько стран",
        "17 стран",
        "более 10 странами",
    ],
)
def test_numbered_groups(ilrs: ActorSet, phrase: str) -> None:
    text = f"The ILRS, with {phrase}, 合作。"
    assert found(text, ilrs) == [("several", phrase)]


def test_numbered_group_counts_once_and_two_countries_do_not(ilrs: ActorSet) -> None:
    text = "17 countries and international organisations; 中俄两国; both countries; 2030年"
    assert counts(text, ilrs) == Counter({"several": 1, "china": 1, "russia": 1})


# --- one mention per span -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "China National Space Administration (CNSA)",
        "CNSA (China National Space Administration)",
        "中国国家航天局（CNSA）",
        "中國國家航天局 ( CNSA )",
        'CNSA ("China National Space Administration")',
        "中国国家航天局（“CNSA”）",
    ],
)
def test_an_alias_and_its_parenthesised_alias_count_once(ilrs: ActorSet, text: str) -> None:
    assert counts(text, ilrs) == Counter({"china": 1})
    assert find_mentions(text, ilrs)[0].start == 0  # the first one stays


@pytest.mark.parametrize(
    ("text", "aliases"),
    [  # quotation marks around the name do not make the abbreviation a second mention
        ('State Space Corporation "Roscosmos" (ROSCOSMOS)', ["Roscosmos"]),
        ("Госкорпорация «Роскосмос» (ROSCOSMOS) сообщила", ["Роскосмос"]),
        ("«Роскосмос»(«ROSCOSMOS»)", ["Роскосмос"]),
    ],
)
def test_quoted_names_and_their_abbreviation_count_once(
    ilrs: ActorSet, text: str, aliases: list[str]
) -> None:
    assert [m.text for m in find_mentions(text, ilrs)] == aliases


def test_parentheses_of_another_actor_or_with_more_text_count(ilrs: ActorSet) -> None:
    assert counts("China (Russia)", ilrs) == Counter({"china": 1, "russia": 1})
    assert counts("CNSA (with China)", ilrs) == Counter({"china": 2})
    assert counts("CNSA, China", ilrs) == Counter({"china": 2})


@pytest.mark.parametrize(
    "text",
    [
        "Space Day of China",
        "China Military Online",
        "China Daily",
        "China Central Television",
        "Russia Today",
        "中国航天日",
    ],
)
def test_proper_names_of_non_state_things(ilrs: ActorSet, text: str) -> None:
    assert found(text, ilrs) == []


# --- the bundled partners -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Thailand", "thailand"),
        ("泰國", "thailand"),
        ("Таиланда", "thailand"),
        ("Kazakhstan", "kazakhstan"),
        ("哈萨克斯坦", "kazakhstan"),
        ("Казахстаном", "kazakhstan"),
        ("International Lunar Observatory Association", "iloa"),
        ("埃及", "egypt"),
        ("阿聯酋", "uae"),
        ("Объединёнными Арабскими Эмиратами", "uae"),
    ],
)
def test_new_partners(ilrs: ActorSet, text: str, actor: str) -> None:
    assert found(text, ilrs) == [(actor, text)]


def test_every_bundled_abbrev_is_one_han_character(ilrs: ActorSet) -> None:
    listed = {a.key: a.abbrev for a in ilrs.actors if a.abbrev}
    assert listed == {
        "china": ("中",),
        "russia": ("俄",),
        "pakistan": ("巴",),
        "egypt": ("埃",),
        "belarus": ("白",),
        "united-states": ("美",),
        "thailand": ("泰",),
        "kazakhstan": ("哈",),
    }


# --- the abbrev field ---------------------------------------------------------------------


def load_error(tmp_path: Path, body: str) -> str:
    path = tmp_path / "actors.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    with pytest.raises(ActorsFileError) as caught:
        load_actors(path)
    assert caught.value.hint
    return caught.value.message.replace(str(path), "F")


@pytest.mark.parametrize(
    ("abbrev", "shown"),
    [('"中"', "'中'"), ('["中国"]', "'中国'"), ('["A"]', "'A'"), ("[1]", "1"), ('[""]', "''")],
)
def test_bad_abbrev(tmp_path: Path, abbrev: str, shown: str) -> None:
    body = f'[actors.a]\nname = "A"\naliases = ["A1"]\nabbrev = {abbrev}\n'
    assert load_error(tmp_path, body) == (
        f"F: actor 'a': 'abbrev' must be a list of single Han characters, not {shown}"
    )


def test_abbrev_claimed_by_two_actors(tmp_path: Path) -> None:
    body = """
        [actors.a]
        name = "A"
        aliases = ["A1"]
        abbrev = ["中"]
        [actors.b]
        name = "B"
        aliases = ["B1"]
        abbrev = ["中"]
        """
    assert load_error(tmp_path, body) == "F: actors 'a' and 'b' both claim the abbrev '中'"


def test_abbrev_in_a_user_file(tmp_path: Path) -> None:
    path = tmp_path / "actors.toml"
    path.write_text(
        '[actors.a]\nname = "A"\naliases = ["甲国"]\nabbrev = ["甲"]\n'
        '[actors.b]\nname = "B"\naliases = ["乙国"]\nabbrev = ["乙"]\n',
        encoding="utf-8",
    )
    actors = load_actors(path)
    assert found("甲乙两国；甲；乙丙", actors) == [("a", "甲"), ("b", "乙")]


def test_one_scan_sees_every_character_that_makes_a_text_cyrillic_or_han() -> None:
    """``find`` looks for Cyrillic (in the text) and Han (in its folded form) only where
    ``actors._NEITHER`` finds a character: every character that is Cyrillic, or folds to
    a Han one (a Kangxi radical, an enclosed ideograph), must be in it. Checked over all
    of Unicode, as the fold reads it (Unicode's data, which a new Python may change)."""
    from narrative_diff import actors

    table = actors._Fold(casefold=True)
    missed = []
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if (HAN.match(table[code]) or actors._CYRILLIC.match(char)) and not actors._NEITHER.match(
            char
        ):
            missed.append(f"U+{code:04X}")
        if len(table) > 50_000:
            table.clear()
    assert missed == []
