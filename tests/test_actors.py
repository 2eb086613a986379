"""Actors file and alias matching: planted mentions with every known trap, in three languages."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff.actors import (
    ActorMatcher,
    ActorSet,
    Match,
    find_mentions,
    load_actors,
    russian_forms,
)
from narrative_diff.errors import ActorNotFound, ActorsFileError, SourceNotFound
from narrative_diff.snapshot import Snapshot
from tests.helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
SEEDS = PINNED / "ilrs"
PARTNERS = (
    "venezuela", "pakistan", "south-africa", "egypt", "belarus", "azerbaijan", "serbia",
    "nicaragua", "senegal", "apsco", "ilrsco", "esa", "united-states",
)  # fmt: skip


@pytest.fixture(scope="module")
def ilrs() -> ActorSet:
    return load_actors()


def spans(text: str, actors: ActorSet) -> list[tuple[str, int, int, str]]:
    return [(m.actor, m.start, m.end, m.text) for m in find_mentions(text, actors)]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "actors.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def load_error(tmp_path: Path, body: str) -> str:
    with pytest.raises(ActorsFileError) as caught:
        load_actors(write(tmp_path, body))
    assert caught.value.slug == "invalid-actors"
    line = caught.value.one_line()
    assert "\n" not in line
    assert caught.value.hint  # every refusal says how to fix it
    return caught.value.message.replace(str(tmp_path / "actors.toml"), "F")


# --- the bundled file ---------------------------------------------------------------------


def test_bundled_file_has_the_ilrs_actors(ilrs: ActorSet) -> None:
    assert ilrs.source == "bundled: actors-ilrs.toml"
    keys = [actor.key for actor in ilrs.actors]
    assert keys[:3] == ["china", "russia", "several"]
    assert set(PARTNERS) <= set(keys)
    assert ilrs.get("several").kind == "generic"
    assert {actor.kind for actor in ilrs.actors if actor.key != "several"} == {"actor"}
    russia = ilrs.get("russia")
    assert {"Russia", "Roscosmos", "俄罗斯", "俄方", "Россия", "Роскосмос"} <= set(russia.aliases)
    assert {"白俄罗斯", "Prussian", "俄亥俄", "Белоруссия"} <= set(russia.exclude)
    china = ilrs.get("china")
    assert {"China Daily", "Chinatown", "其中方案"} <= set(china.exclude)
    assert {"CNSA", "中国", "中方", "Китай"} <= set(china.aliases)
    for actor in ilrs.actors:  # no single Han character is an alias
        assert all(len(alias) > 1 for alias in actor.aliases), actor.key


def test_get_by_key_or_name(ilrs: ActorSet) -> None:
    assert ilrs.get("south-africa").name == "South Africa"
    assert ilrs.get("south africa").key == "south-africa"
    assert ilrs.get("RUSSIA").key == "russia"
    with pytest.raises(ActorNotFound) as caught:
        ilrs.get("mars")
    assert caught.value.slug == "unknown-actor"
    assert str(caught.value).startswith(
        "no actor 'mars' in bundled: actors-ilrs.toml; known actors: china, russia, several, "
    )


# --- planted mentions: English ------------------------------------------------------------

ENGLISH = (
    "The Russian Federation and China signed it. A Prussian officer visited Chinatown. "
    "She bought fine china. The CNSA, not the cnsa; PRC, not prc. Russians backed "
    "Sino-Russian ties. A China Daily editorial praised several countries and "
    "international partners. ESA met NASA, not the esa of Mesa or a casino-hotel."
)


def test_english_traps(ilrs: ActorSet) -> None:
    assert spans(ENGLISH, ilrs) == [
        ("russia", 4, 22, "Russian Federation"),  # one mention, not "Russian" + more
        ("china", 27, 32, "China"),
        # Prussian, Chinatown: no match (word boundaries and exclusions)
        ("china", 98, 103, "china"),  # lowercase "fine china" counts: documented
        ("china", 109, 113, "CNSA"),  # "cnsa" does not: acronyms are case-sensitive
        ("china", 129, 132, "PRC"),  # "prc" does not
        ("russia", 143, 151, "Russians"),
        ("china", 159, 163, "Sino"),  # pattern
        ("russia", 164, 171, "Russian"),
        # "China Daily" is excluded from China: a newspaper, not the state actor
        ("several", 210, 227, "several countries"),
        ("several", 232, 254, "international partners"),
        ("esa", 256, 259, "ESA"),
        ("united-states", 264, 268, "NASA"),
    ]


def test_word_boundaries_without_exclusions(ilrs: ActorSet) -> None:
    # no exclude covers these: only the boundary rule keeps them out
    assert spans("Indochina, Borussia Dortmund, Chinas, RussiaX, Russia_1", ilrs) == []
    assert spans("(Russia)-China/ESA.", ilrs) == [
        ("russia", 1, 7, "Russia"),
        ("china", 9, 14, "China"),
        ("esa", 15, 18, "ESA"),
    ]


def test_alias_that_fired_is_reported(ilrs: ActorSet) -> None:
    found = find_mentions("Russian Federation, Sino-US ties, 中俄", ilrs)
    assert [(m.alias, m.text) for m in found] == [
        ("Russian Federation", "Russian Federation"),
        ("Sino(?<!\\wSino)(?=-)", "Sino"),
        ("US", "US"),
        ("中", "中"),  # an abbreviation in a compound: the character as listed
        ("俄", "俄"),
    ]


def test_whitespace_and_han_neighbours(ilrs: ActorSet) -> None:
    text = "the Russian\n  Federation; 与ESA合作; ＣＮＳＡ"
    assert spans(text, ilrs) == [
        ("russia", 4, 24, "Russian\n  Federation"),
        ("esa", 27, 30, "ESA"),  # Han neighbours are boundaries for Latin aliases
        ("china", 34, 38, "ＣＮＳＡ"),  # full-width capitals are capitals
    ]


# --- planted mentions: Chinese ------------------------------------------------------------

CHINESE = (
    "中方俄方共同建设。白俄罗斯加入。俄亥俄州。其中方案。中俄合作，俄中友好。"
    "俄罗斯联邦航天局。其中俄方。中俄亥俄州。中美洲。美中不足。中美合作。"
)


def test_chinese_traps(ilrs: ActorSet) -> None:
    assert spans(CHINESE, ilrs) == [
        ("china", 0, 2, "中方"),  # adjacent 中方俄方: two mentions
        ("russia", 2, 4, "俄方"),
        ("belarus", 9, 13, "白俄罗斯"),  # not Russia; 俄亥俄 (Ohio) and 其中方案: nothing
        ("china", 26, 27, "中"),  # 中俄 counts for both, one character each
        ("russia", 27, 28, "俄"),
        ("russia", 31, 32, "俄"),  # 俄中 likewise
        ("china", 32, 33, "中"),
        ("russia", 36, 44, "俄罗斯联邦航天局"),  # one mention, the longest alias
        ("russia", 47, 49, "俄方"),  # 其中俄方: 其中 is "among which", not China
        # 中俄亥俄州 (central Ohio), 中美洲 (Central America), 美中不足 (idiom): nothing
        ("china", 65, 66, "中"),  # 中美
        ("united-states", 66, 67, "美"),
    ]


def test_words_that_contain_an_alias_are_not_mentions(ilrs: ActorSet) -> None:
    """Traps found in review: a two-character alias inside a longer unrelated word."""
    text = "发展中国家。更多国际组织。集中方式。完美方案。CONTACT US. ABOUT US"
    assert spans(text, ilrs) == []
    # the real thing next to them still counts
    assert [a for a, *_ in spans("中国与发展中国家。the US and China.", ilrs)] == [
        "china",
        "united-states",
        "china",
    ]


def test_exclusion_vetoes_only_its_own_actor(tmp_path: Path) -> None:
    alone = load_actors(
        write(
            tmp_path,
            """
            [actors.russia]
            name = "Russia"
            aliases = ["俄罗斯"]
            exclude = ["白俄罗斯"]
            """,
        )
    )
    assert spans("白俄罗斯和俄罗斯", alone) == [("russia", 5, 8, "俄罗斯")]
    (tmp_path / "b").mkdir()
    both = load_actors(
        write(
            tmp_path / "b",
            """
            [actors.russia]
            name = "Russia"
            aliases = ["俄罗斯"]
            exclude = ["白俄罗斯"]

            [actors.belarus]
            name = "Belarus"
            aliases = ["白俄"]
            """,
        )
    )
    # Russia's exclusion overlaps Belarus's match 白俄 but vetoes only Russia
    assert spans("白俄罗斯和俄罗斯", both) == [
        ("belarus", 0, 2, "白俄"),
        ("russia", 5, 8, "俄罗斯"),
    ]


def test_exclusions_in_capitals_are_case_sensitive(tmp_path: Path) -> None:
    body = '[actors.c]\nname = "C"\naliases = ["China"]\nexclude = ["CHINA DAILY"]\n'
    actors = load_actors(write(tmp_path, body))
    assert spans("CHINA DAILY; China Daily", actors) == [("c", 13, 18, "China")]


def test_vetoed_match_does_not_hide_a_shorter_one(tmp_path: Path) -> None:
    actors = load_actors(
        write(
            tmp_path,
            """
            [actors.ny]
            name = "New York"
            aliases = ["New York", "New"]
            exclude = ["York City"]
            """,
        )
    )
    assert spans("New York City, New York", actors) == [
        ("ny", 0, 3, "New"),
        ("ny", 15, 23, "New York"),
    ]


# --- planted mentions: Russian ------------------------------------------------------------

RUSSIAN = (
    "Россия, России, Россией, Россию; Роскосмосом; Китаем; российского; Российской "
    "Федерации; Белоруссия; белорусский; Беларусь; российско-китайское; РФ и рф; с Египтом."
)


def test_russian_inflection_and_traps(ilrs: ActorSet) -> None:
    found = find_mentions(RUSSIAN, ilrs)
    assert [(m.actor, m.alias, m.text, m.start) for m in found] == [
        ("russia", "Россия", "Россия", 0),
        ("russia", "Россия", "России", 8),
        ("russia", "Россия", "Россией", 16),
        ("russia", "Россия", "Россию", 25),
        ("russia", "Роскосмос", "Роскосмосом", 33),
        ("china", "Китай", "Китаем", 46),
        ("russia", "российский", "российского", 54),
        ("russia", "Российская Федерация", "Российской Федерации", 67),
        ("belarus", "Белоруссия", "Белоруссия", 89),  # not Russia
        ("belarus", "белорусский", "белорусский", 101),
        ("belarus", "Беларусь", "Беларусь", 114),
        ("russia", "[Рр]оссийско(?<!\\w[Рр]оссийско)(?=-)", "российско", 124),
        ("china", "китайский", "китайское", 134),
        ("russia", "РФ", "РФ", 145),  # "рф" does not count: acronym
        ("egypt", "Египет", "Египтом", 156),  # a fleeting vowel, which stem rules miss
    ]


def test_russian_forms() -> None:
    assert russian_forms("Россия") == {"россия", "россии", "россию", "россией"}
    assert {"китай", "китая", "китаю", "китаем", "китае"} <= russian_forms("Китай")
    assert "российской федерации" in russian_forms("Российская Федерация")
    assert russian_forms("Никарагуа") == {"никарагуа"}
    assert {"других стран", "другим странам"} <= russian_forms("другие страны")
    assert "другой страны" not in russian_forms("другие страны")  # number is kept


def test_yo_and_e_match_each_other(ilrs: ActorSet) -> None:
    text = "международные партнеры и международными партнёрами"
    assert [m.text for m in find_mentions(text, ilrs)] == [
        "международные партнеры",
        "международными партнёрами",
    ]


def test_the_bundled_forms_never_clash() -> None:
    """The bundled file's Russian forms are generated lazily (on the first Cyrillic text),
    so this test is their load-time check."""
    from narrative_diff.actors import matcher_for

    matcher_for(load_actors()).expand()


def test_pymorphy3_is_imported_only_for_cyrillic_text(tmp_path: Path) -> None:
    """Russian aliases are declined on the first text with Cyrillic in it: scoring English
    or Chinese text with the bundled actors never loads pymorphy3's dictionary."""
    latin = write(tmp_path, '[actors.a]\nname = "A"\naliases = ["Alpha", "阿尔法"]\n')
    code = (
        "import sys; from narrative_diff.actors import load_actors, find_mentions; "
        f"load_actors({str(latin)!r}); print('pymorphy3' in sys.modules); "
        "ilrs = load_actors(); print('pymorphy3' in sys.modules); "
        "print(len(find_mentions('Russia and 俄罗斯 and Roscosmos.', ilrs))); "
        "print('pymorphy3' in sys.modules); "
        "print([m.text for m in find_mentions('с Россией и Китаем', ilrs)]); "
        "print('pymorphy3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "False",
        "False",
        "3",
        "False",
        "['Россией', 'Китаем']",
        "True",
    ]


def test_clashing_russian_forms_are_refused_when_the_file_is_loaded(tmp_path: Path) -> None:
    """Two actors whose aliases decline to the same form: loading the file says so (for
    'actors' as for 'score'); only the bundled file, checked by the tests, declines its
    Russian aliases lazily."""
    clash = write(
        tmp_path,
        '[actors.a]\nname = "A"\naliases = ["Россия"]\n'
        '[actors.b]\nname = "B"\naliases = ["России"]\n',
    )
    with pytest.raises(ActorsFileError, match="coincide in 'россии'"):
        load_actors(clash)  # a user's file is checked in full when it is loaded
    result = subprocess.run(
        [sys.executable, "-m", "narrative_diff", "actors", "-a", str(clash)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "coincide in 'россии'" in result.stderr
    assert "Traceback" not in result.stderr


# --- Unicode normalisation ------------------------------------------------------------------


def test_composed_and_decomposed_forms_match(tmp_path: Path) -> None:
    actors = load_actors(write(tmp_path, '[actors.tr]\nname = "Türkiye"\naliases = ["Türkiye"]\n'))
    composed, decomposed = "in T\u00fcrkiye.", "in Tu\u0308rkiye, TU\u0308RKIYE."
    assert find_mentions(composed, actors) == [Match("tr", "Türkiye", 3, 10, "T\u00fcrkiye")]
    assert spans(decomposed, actors) == [
        ("tr", 3, 11, "Tu\u0308rkiye"),
        ("tr", 13, 21, "TU\u0308RKIYE"),
    ]
    decomposed_alias = write(tmp_path, '[actors.tr]\nname = "T"\naliases = ["Tu\u0308rkiye"]\n')
    assert spans(composed, load_actors(decomposed_alias)) == [("tr", 3, 10, "T\u00fcrkiye")]


FRAGMENTS = [
    "Russia", "Russian Federation", "Prussian", "China", "china", "CNSA", "cnsa", "中方",
    "俄方", "中俄", "俄中", "白俄罗斯", "俄亥俄", "其中方案", "России", "Россией",
    "Белоруссия", "Tu\u0308rkiye", "\u0308", " ", "\n", "-", "ﬁ", "ß", "İ", "…", "Ё",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=12).map("".join))
def test_matches_never_overlap_and_quote_the_text(text: str) -> None:
    found = find_mentions(text, load_actors())
    for match in found:
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.text
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start


# --- the shipped seeds ------------------------------------------------------------------


def seed_counts(name: str, actors: ActorSet) -> Counter[str]:
    body = Snapshot.from_markdown((SEEDS / name).read_text(encoding="utf-8")).body
    return Counter(match.actor for match in find_mentions(body, actors))


def test_russia_disappears_from_the_seeds_in_2023(ilrs: ActorSet) -> None:
    v1 = seed_counts("2021-06-roadmap-guide.md", ilrs)
    v2 = seed_counts("2022-01-white-paper.md", ilrs)
    v3 = seed_counts("2023-05-cnsa-presentation.md", ilrs)
    assert v1["russia"] == 9 and v2["russia"] == 2 and v3["russia"] == 0
    # "China National Space Administration (CNSA)" is one mention (v3: 9 before the span
    # rule); so is 'State Space Corporation "Roscosmos" (ROSCOSMOS)' (v1: 10 before)
    assert v1["several"] == 3 and v3["several"] == 4 and v3["china"] == 8


def test_belarus_in_the_chinese_seed_is_not_russia(ilrs: ActorSet) -> None:
    body = Snapshot.from_markdown((SEEDS / "2025-04-china-initiated.md").read_text()).body
    assert "白俄罗斯" in body
    found = find_mentions(body, ilrs)
    assert [m.text for m in found if m.actor == "belarus"] == ["白俄罗斯"]
    assert [m for m in found if m.actor == "russia"] == []


# --- invalid actors files -----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFound) as caught:
        load_actors(tmp_path / "nope.toml")
    assert caught.value.slug == "no-such-file"
    assert caught.value.message == f"actors file not found: {tmp_path / 'nope.toml'}"


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, '[actors.a]\nname = "A\naliases = []\n')
    assert message == "F: not valid TOML: Illegal character '\\n' (at line 2, column 10)"


def test_unknown_key(tmp_path: Path) -> None:
    message = load_error(tmp_path, '[actors.a]\nname = "A"\nalias = ["A"]\n')
    assert message == (
        "F: actor 'a' has unknown key 'alias'; allowed keys: name, aliases, exclude, patterns, "
        "kind, abbrev"
    )


def test_alias_claimed_by_two_actors(tmp_path: Path) -> None:
    body = """
        [actors.russia]
        name = "Russia"
        aliases = ["Russia"]

        [actors.rus]
        name = "Rus"
        aliases = ["RUSSIA"]
        """
    assert load_error(tmp_path, body) == (
        "F: actors 'russia' and 'rus' both claim the alias 'Russia' (written 'RUSSIA' in 'rus')"
    )


def test_invalid_pattern(tmp_path: Path) -> None:
    body = '[actors.a]\nname = "A"\naliases = ["A1"]\npatterns = ["(中"]\n'
    assert load_error(tmp_path, body) == (
        "F: actor 'a' has an invalid pattern '(中': "
        "missing ), unterminated subpattern at position 0"
    )


@pytest.mark.parametrize("pattern", ["x*", "(?<=中)", "a|"])
def test_pattern_matching_the_empty_string(tmp_path: Path, pattern: str) -> None:
    body = f'[actors.a]\nname = "A"\naliases = ["A1"]\npatterns = ["{pattern}"]\n'
    assert load_error(tmp_path, body) == (
        f"F: actor 'a' has a pattern that can match the empty string: '{pattern}'"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[actors.a]\naliases = ["A1"]\n', "F: actor 'a' has no 'name'"),
        ('[actors.a]\nname = "A"\n', "F: actor 'a' has no 'aliases'"),
        (
            '[actors.a]\nname = "A"\naliases = "A1"\n',
            "F: actor 'a': 'aliases' must be a list of non-empty strings, not 'A1'",
        ),
        (
            '[actors.a]\nname = "A"\naliases = ["A1", 2]\n',
            "F: actor 'a': 'aliases' must be a list of non-empty strings, not 2",
        ),
        ('[actors.a]\nname = "A"\naliases = []\n', "F: actor 'a': 'aliases' must not be empty"),
        (
            '[actors.a]\nname = "A"\nkind = "group"\naliases = ["A1"]\n',
            "F: actor 'a': 'kind' must be \"actor\" or \"generic\", not 'group'",
        ),
        (
            '[actors.a]\nname = "A"\naliases = ["俄"]\n',
            "F: actor 'a': single Han character alias '俄'; use 'abbrev' for compounds",
        ),
        (
            '[actors.a]\nname = "A"\naliases = ["China"]\nexclude = ["china"]\n',
            "F: exclude 'china' of actor 'a' vetoes its alias 'China'",
        ),
        (
            '[actors.A]\nname = "A"\naliases = ["A1"]\n',
            "F: actor key 'A' must be lower-case letters, digits, '-' or '_'",
        ),
        (
            "title = 'x'\n",
            "F: unknown top-level key 'title'; the file holds only [actors.KEY] tables",
        ),
        ("", "F: no actors: add at least one [actors.KEY] table"),
    ],
)
def test_invalid_files(tmp_path: Path, body: str, message: str) -> None:
    assert load_error(tmp_path, body) == message


def test_matcher_compiles_once_and_is_reusable(ilrs: ActorSet) -> None:
    matcher = ActorMatcher(ilrs)
    assert matcher.find("Russia") == matcher.find("Russia") == find_mentions("Russia", ilrs)
    assert matcher.find("") == []


_PIECES = (
    "China", "china", "Russia", "Prussia", "russian", "CNSA", "ESA", "mesa", "Roscosmos",
    "UAE", "several countries", "17 countries", "Sino-Russian", "Russia Today", "Belarus",
    "#ILRS", "x#ilrs", "«Луна»", "Луна", "_", "9", "é", " ", "  ", "\n", ".", "-", "'s",
    "US", "us", "use", "USA", "U.S.", "ü", "Ä", "(", "\u00a0",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_aliases_are_found_where_their_starts_are_looked_for_first(text: str) -> None:
    """In a text without Han characters, an alias is tried only where a word starts and
    a word ends after it (or, for one that does not begin with a letter or digit,
    anywhere): the same mentions as trying every position."""
    body = """
        [actors.ilrs]
        name = "ILRS tag"
        aliases = ["#ILRS", "«Луна»"]
        [actors.russia]
        name = "Russia"
        aliases = ["Russia", "Russian", "Roscosmos"]
        exclude = ["Russia Today"]
        [actors.esa]
        name = "ESA"
        aliases = ["ESA", "European Space Agency"]
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        actors = load_actors(write(Path(folder), body))
    fast, slow = ActorMatcher(actors), ActorMatcher(actors)
    slow._starts_regexes = lambda: ()  # type: ignore[method-assign]  # every position
    assert fast.find(text) == slow.find(text)
    bundled = load_actors()
    fast, slow = ActorMatcher(bundled), ActorMatcher(bundled)
    slow._starts_regexes = lambda: ()  # type: ignore[method-assign]
    assert fast.find(text) == slow.find(text)


@pytest.mark.parametrize("pattern", ["(?a)Luna\\w*", "(?ai)luna", "(?i)luna", "Luna"])
def test_a_pattern_runs_with_the_flags_it_writes_as_re_reads_them(
    tmp_path: Path, pattern: str
) -> None:
    """re's ASCII bit is regex's VERSION1 bit: an "(?a)" pattern must not turn into a
    version-1 pattern (other set syntax, full case folding)."""
    import re

    import regex

    body = f"""
        [actors.luna]
        name = "Luna"
        aliases = ["Zeta Station"]
        patterns = ['{pattern}']
    """
    matcher = ActorMatcher(load_actors(write(tmp_path, body)))
    compiled = matcher._patterns[0][2]
    assert not compiled.flags & regex.V1
    assert bool(compiled.flags & regex.ASCII) == bool(re.compile(pattern).flags & re.ASCII)
    text = "Luna-25 and LUNA lunaé Lunaé"
    found = [(m.start, m.end) for m in matcher.find(text)]
    assert found == [m.span() for m in re.finditer(pattern, text)]
