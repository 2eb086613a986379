"""Deterministic document pairs of English prose with realistic edits, for bench/compare.py.

Run on its own to look at a pair::

    .venv/bin/python bench/corpus_gen.py --words 10000 --out /tmp/pair

Design. The text comes from a word-level Markov chain of order 2 trained offline on the English
prose at hand: the ILRS seeds (``seeds/ilrs/*.md``, YAML front matter stripped), the shared seed
articles (``/work/shared/seeds/*.txt``, if present) and the docstrings of the Python standard
library (read with ``ast``, never imported). Only sentences that look like prose are kept (no
code, no markup, 6-40 words); that gives about 9 400 sentences and 116 000 words, nearly all of
them from the docstrings: the seeds give only about 1 200 words once markup and quotations are
dropped, and alone would make the chain copy them verbatim over and over. The project README
is deliberately left out: it changes with every feature, and the benchmark documents (hence
the timings) would change with it.

Why a Markov chain rather than a template grammar: what a diff engine costs depends on how
often tokens repeat. An order-2 chain reproduces English's Zipfian token frequencies ("the",
"of", "a" everywhere, a long tail of rare words), natural sentence lengths and punctuation,
and almost never emits the same sentence twice; a small grammar has a tiny vocabulary and
repeats itself, which flatters or penalises engines in unrealistic ways. Generated sentences
are not repeated within a document (as in real documents).

A document is a ``# Title`` line, then paragraphs of 3-8 sentences (8-30 words each, one line
per paragraph, as extracted text usually is) with a ``## Heading`` line every 4-10 paragraphs,
until it reaches the requested word count (words = whitespace-separated tokens, headings
included). The edited version applies, all seeded:

- about 5% of sentences edited: 1-3 operations inside the sentence, each replacing a word,
  inserting 1-3 words or deleting 1-2 words (the first and last word are left alone);
- about 2% of paragraphs deleted and about 1% new paragraphs inserted (at least one of each);
- 3 paragraphs moved elsewhere (at least a tenth of the document away when possible);
- 1-2 sentences moved to another paragraph.

Deterministic: the same seed, sizes, seed files and Python version (the docstrings come from
the running interpreter's standard library) give byte-identical documents. compare.py prints a
fingerprint of the training text and of every pair, and warns when the training text is not
REFERENCE_FINGERPRINT (the one of CPython 3.11.7 and the seeds of the first measurements).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import random
import re
import sysconfig
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_SEEDS = Path("/work/shared/seeds")

REFERENCE_FINGERPRINT = "51a8649c61f9"
BOS, EOS = "\x02", "\x03"
MIN_WORDS, MAX_WORDS = 8, 30

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z])")
_CODE_LIKE = re.compile(
    r"[_=<>{}\[\]`*#@|\\/~^$]"  # markup, code and paths
    r"|\w?\.\w"  # dotted names and extensions (os.path, e.g., .py)
    r"|\b[a-z]+[A-Z]"  # camelCase
    r"|\(\)"  # calls
    r"|\.\.\."  # ellipses and doctest continuations
)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


def _prose_sentences(text: str) -> list[str]:
    """Sentences of ``text`` that look like prose: capitalised, full stop, no code, 6-40 words."""
    kept = []
    for sentence in _SENTENCE_SPLIT.split(" ".join(text.split())):
        words = sentence.split()
        if (
            6 <= len(words) <= 40
            and sentence[0].isupper()
            and sentence[-1] in ".!?"
            and not _CODE_LIKE.search(sentence)
        ):
            kept.append(sentence)
    return kept


def _markdown_paragraphs(text: str) -> list[str]:
    """Prose paragraphs of a Markdown/plain text: no front matter, code, headings or tables."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5 :] if end != -1 else text
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [
            _MD_LINK.sub(r"\1", line).strip()
            for line in block.splitlines()
            if not line.startswith(("#", "|", ">", "    ", "\t", "!["))
        ]
        paragraphs.append(" ".join(line.lstrip("-*0123456789. ") for line in lines))
    return paragraphs


def _docstring_paragraphs(path: Path) -> list[str]:
    """Prose paragraphs of every docstring in one source file (no doctests, no indented code)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    paragraphs = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        doc = ast.get_docstring(node)
        for block in re.split(r"\n\s*\n", doc or ""):
            lines = block.splitlines()
            if any(">>>" in line for line in lines) or any(
                line.startswith((" ", "\t")) for line in lines[1:]
            ):
                continue
            paragraphs.append(" ".join(line.strip() for line in lines))
    return paragraphs


def training_sentences() -> list[str]:
    """Every prose sentence of the local English text, in a fixed order."""
    paragraphs: list[str] = []
    seed_files = [
        *sorted((REPO / "seeds" / "ilrs").glob("*.md")),
        *sorted(SHARED_SEEDS.glob("*.txt")),
    ]
    for path in seed_files:
        if path.is_file():
            paragraphs += _markdown_paragraphs(path.read_text(encoding="utf-8"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idle_test", "site-packages", "dist-packages"}
    for path in sorted(stdlib.rglob("*.py")):
        if not skip & set(path.relative_to(stdlib).parts):
            paragraphs += _docstring_paragraphs(path)
    return [s for paragraph in paragraphs for s in _prose_sentences(paragraph)]


@dataclass
class Chain:
    """An order-2 word-level Markov chain over whitespace tokens (punctuation stays attached)."""

    successors: dict[tuple[str, str], list[str]]
    vocabulary: list[str]  # bare lowercase words, one entry per occurrence (frequency-weighted)
    fingerprint: str
    sentences: int
    words: int

    @classmethod
    def train(cls, sentences: list[str]) -> Chain:
        successors: dict[tuple[str, str], list[str]] = {}
        vocabulary = []
        words = 0
        for sentence in sentences:
            tokens = sentence.split()
            words += len(tokens)
            vocabulary += [t.lower() for t in tokens if t.isalpha()]
            padded = [BOS, BOS, *tokens, EOS]
            for i in range(len(padded) - 2):
                successors.setdefault((padded[i], padded[i + 1]), []).append(padded[i + 2])
        digest = hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:12]
        return cls(successors, vocabulary, digest, len(sentences), words)

    def sentence(self, rng: random.Random, seen: set[str] | None = None) -> str:
        """One new sentence of MIN_WORDS-MAX_WORDS words, not already in ``seen``."""
        for attempt in range(1000):
            state, words = (BOS, BOS), []
            while len(words) <= MAX_WORDS:
                token = rng.choice(self.successors[state])
                if token == EOS:
                    break
                words.append(token)
                state = (state[1], token)
            text = " ".join(words)
            if MIN_WORDS <= len(words) <= MAX_WORDS and (
                seen is None or text not in seen or attempt > 900
            ):
                if seen is not None:
                    seen.add(text)
                return text
        raise RuntimeError("the training text yields no sentences of the wanted length")

    def heading(self, rng: random.Random) -> str:
        words = [_PUNCT.sub("", w) for w in self.sentence(rng).split()[: rng.randint(2, 5)]]
        text = " ".join(w for w in words if w)
        return text[:1].upper() + text[1:]


Block = str | list[str]  # a heading line, or a paragraph as a list of sentences


@dataclass
class Pair:
    """Document A, its edited version B, and what was done to it."""

    a: str
    b: str
    edits: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)

    @property
    def words_a(self) -> int:
        return len(self.a.split())

    @property
    def words_b(self) -> int:
        return len(self.b.split())

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.a}\0{self.b}".encode()).hexdigest()[:12]

    def summary(self) -> str:
        e = self.edits
        return (
            f"{e['sentences edited']}/{e['sentences']} sentences edited, "
            f"{e['paragraphs deleted']}/{e['paragraphs']} paragraphs deleted, "
            f"{e['paragraphs inserted']} inserted, {e['paragraphs moved']} moved; "
            f"sentences moved: {e['sentences moved']}"
        )


def _paragraph(chain: Chain, rng: random.Random, seen: set[str]) -> list[str]:
    return [chain.sentence(rng, seen) for _ in range(rng.randint(3, 8))]


def _render(title: str, blocks: list[Block]) -> str:
    parts = [f"# {title}"]
    parts += [f"## {b}" if isinstance(b, str) else " ".join(b) for b in blocks]
    return "\n\n".join(parts) + "\n"


def _edit_sentence(sentence: str, chain: Chain, rng: random.Random) -> tuple[str, list[str]]:
    """Replace, insert or delete a few words strictly inside the sentence."""
    words = sentence.split()
    ops = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choices(["replace", "insert", "delete"], weights=[2, 1, 1])[0]
        if len(words) < 5:
            op = "replace"
        i = rng.randrange(1, len(words) - 1)
        if op == "replace":
            words[i] = rng.choice(chain.vocabulary)
        elif op == "insert":
            words[i:i] = [rng.choice(chain.vocabulary) for _ in range(rng.randint(1, 3))]
        else:
            del words[i : min(i + rng.randint(1, 2), len(words) - 1)]
        ops.append(op)
    return " ".join(words), ops


def make_pair(chain: Chain, words: int, seed: int | str = 0) -> Pair:
    """Document A of about ``words`` words and its edited version B."""
    rng = random.Random(f"narrative-diff-bench:{seed}:{words}")
    seen: set[str] = set()
    title = chain.heading(rng)
    blocks: list[Block] = []
    count = len(title.split()) + 1
    until_heading = rng.randint(0, 3)
    while count < words:
        if until_heading == 0:
            blocks.append(chain.heading(rng))
            count += len(blocks[-1].split()) + 1
            until_heading = rng.randint(4, 10)
        paragraph = _paragraph(chain, rng, seen)
        blocks.append(paragraph)
        count += sum(len(s.split()) for s in paragraph)
        until_heading -= 1
    pair = Pair(_render(title, blocks), "")

    # B starts as a copy of A (paragraphs copied so edits do not touch A's blocks).
    new: list[Block] = [b if isinstance(b, str) else list(b) for b in blocks]
    paragraphs = [i for i, b in enumerate(new) if isinstance(b, list)]
    n_sentences = sum(len(new[i]) for i in paragraphs)
    pair.edits.update(paragraphs=len(paragraphs), sentences=n_sentences)

    # Disjoint paragraph roles: deleted, moved, source of a moved sentence.
    n_deleted = max(1, round(0.02 * len(paragraphs)))
    n_moved_sentences = rng.randint(1, 2)
    roles = rng.sample(paragraphs, n_deleted + 3 + n_moved_sentences)
    deleted = set(roles[:n_deleted])
    moved = roles[n_deleted : n_deleted + 3]
    sentence_sources = roles[n_deleted + 3 :]
    kept = [i for i in paragraphs if i not in deleted]

    # ≈5% of the sentences in surviving paragraphs edited inside.
    slots = [(i, j) for i in kept for j in range(len(new[i]))]
    for i, j in sorted(rng.sample(slots, max(1, round(0.05 * n_sentences)))):
        new[i][j], ops = _edit_sentence(new[i][j], chain, rng)
        pair.log.append(f"block {i} sentence {j}: {', '.join(ops)}")
    pair.edits["sentences edited"] = len(pair.log)

    # 1-2 sentences moved to another surviving paragraph.
    for src in sentence_sources:
        dst = rng.choice([i for i in kept if i != src and i not in sentence_sources])
        j = rng.randrange(len(new[src]))
        sentence = new[src].pop(j)
        new[dst].insert(rng.randint(0, len(new[dst])), sentence)
        pair.log.append(f"sentence {j} of block {src} moved into block {dst}")
        pair.edits["sentences moved"] += 1

    # Deleted and moved paragraphs leave; new paragraphs come in; moved ones land far away.
    order = [i for i in range(len(new)) if i not in deleted and i not in moved]
    pair.log += [f"block {i} deleted" for i in sorted(deleted)]
    pair.edits["paragraphs deleted"] = len(deleted)
    result: list[Block] = [new[i] for i in order]
    for _ in range(max(1, round(0.01 * len(paragraphs)))):
        at = rng.randint(0, len(result))
        result.insert(at, _paragraph(chain, rng, seen))
        order.insert(at, -1)
        pair.log.append(f"new paragraph inserted at position {at}")
        pair.edits["paragraphs inserted"] += 1
    for i in moved:
        origin = sum(1 for k in order if 0 <= k < i)
        for _ in range(50):
            at = rng.randint(0, len(result))
            if abs(at - origin) >= len(result) // 10:
                break
        result.insert(at, new[i])
        order.insert(at, i)
        pair.log.append(f"block {i} moved from position {origin} to {at}")
        pair.edits["paragraphs moved"] += 1
    pair.b = _render(title, result)
    return pair


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--seed", default="0")
    parser.add_argument("--out", type=Path, required=True, help="folder for a.md, b.md, edits")
    args = parser.parse_args()
    chain = Chain.train(training_sentences())
    pair = make_pair(chain, args.words, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "a.md").write_text(pair.a, encoding="utf-8")
    (args.out / "b.md").write_text(pair.b, encoding="utf-8")
    (args.out / "edits.json").write_text(
        json.dumps({"summary": dict(pair.edits), "log": pair.log}, indent=1), encoding="utf-8"
    )
    print(f"training text {chain.fingerprint}: {chain.sentences} sentences, {chain.words} words")
    print(f"A {pair.words_a} words, B {pair.words_b} words; {pair.summary()}")


if __name__ == "__main__":
    main()
