"""Report benchmark: ``narrative-diff report`` on the ILRS seeds and on a long series.

Targets (issue 5), on a 2-core machine: the ILRS report in under 10 s; a 50-snapshot series
of 5,000-word documents in under 60 s. Issue 15: the ILRS report under 3 s, measured against
the figure of an earlier commit in the same run (``--against REV``: a git worktree of REV,
its code put first on PYTHONPATH, the same installed libraries; the runs of the two take
turns, after one untimed run of each, with bytecode written as an installed package has).
Run from the repository root::

    .venv/bin/python bench/report.py [--snapshots 50] [--words 5000] [--runs 3]
    .venv/bin/python bench/report.py --ilrs-only --against 0ee4a95 --runs 5

Each run is the whole process ``narrative-diff report SERIES`` in an empty folder, writing
the default outputs (reports/<series>.pdf, .html, the card and three chart PNGs); median of
``--runs``, peak memory from /usr/bin/time when present. Two long series are measured:

* *evolving*: each snapshot is the previous one with about 5% of its sentences replaced,
  reworded, deleted or added, and one paragraph moved (how official texts change);
* *unrelated*: every snapshot is a different generated text (the worst case for alignment).

Documents come from bench/corpus_gen.py's Markov chain; actor names are planted at random.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_gen import Chain, make_pair, training_sentences
from score import NAMES, build_corpus, timed

ROOT = Path(__file__).resolve().parents[1]


def _alternated(
    command: list[str], trees: dict[str, Path | None], runs: int
) -> dict[str, tuple[float, float | None]]:
    """Median seconds and peak MiB of ``command`` with each tree's code first on the path
    (None: the installed package), the runs of the trees taking turns (a busy spell of a
    shared machine then slows each alike), after one untimed run of each: it writes the
    bytecode and fills the file cache, as the package's installation and earlier use
    would. PYTHONDONTWRITEBYTECODE is dropped: with it, every run compiles the sources of
    an editable install again (about 0.25 s a process)."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = {
        name: base if src is None else {**base, "PYTHONPATH": str(src)}
        for name, src in trees.items()
    }
    # each tree reads its own bundled corpus: code reads another tree's as a corpus it may
    # write a score cache into
    commands = {
        name: [*command, "--corpus", str((src or ROOT / "src") / "narrative_diff" / "bundled")]
        for name, src in trees.items()
    }
    times: dict[str, list[float]] = {name: [] for name in trees}
    peaks: dict[str, list[float]] = {name: [] for name in trees}
    for turn in range(runs + 1):
        for name, env in envs.items():
            seconds, peak = timed(commands[name], 1, fresh_folder=True, env=env)
            if turn:  # the first turn warms up
                times[name].append(seconds)
                if peak is not None:
                    peaks[name].append(peak)
    return {
        name: (statistics.median(times[name]), max(peaks[name]) if peaks[name] else None)
        for name in trees
    }


def build_evolving(root: Path, snapshots: int, words: int, chain: Chain) -> None:
    """``snapshots`` versions of one document, each an edit of the one before."""
    from narrative_diff.corpus import Corpus
    from narrative_diff.snapshot import Snapshot

    rng = random.Random(7)
    corpus = Corpus(root)
    paragraphs = make_pair(chain, words, seed=1).a.split("\n\n")
    for k in range(1, len(paragraphs)):
        if not paragraphs[k].startswith("#") and rng.random() < 0.4:
            paragraphs[k] += f" {rng.choice(NAMES)} joined the work."
    for n in range(snapshots):
        if n:
            paragraphs = _edit(paragraphs, chain, rng)
        corpus.add(
            Snapshot.create(
                series="bench",
                slug=f"s{n:04d}",
                date=date(2010, 1, 1) + timedelta(days=30 * n),
                title=f"Version {n}",
                body="\n\n".join(paragraphs),
                language="en",
            )
        )


def _edit(paragraphs: list[str], chain: Chain, rng: random.Random) -> list[str]:
    out = list(paragraphs)
    body = [k for k, p in enumerate(out) if not p.startswith("#")]
    for k in rng.sample(body, max(1, len(body) // 20)):
        sentences = out[k].split(". ")
        i = rng.randrange(len(sentences))
        action = rng.random()
        if action < 0.4:  # reword: replace a few words
            words = sentences[i].split()
            for _ in range(min(3, len(words))):
                words[rng.randrange(len(words))] = rng.choice(chain.sentence(rng).split())
            sentences[i] = " ".join(words)
        elif action < 0.6:
            sentences[i] = chain.sentence(rng).rstrip(".")
        elif action < 0.8 and len(sentences) > 1:
            del sentences[i]
        else:
            sentences.insert(i, f"{rng.choice(NAMES)} {chain.sentence(rng).rstrip('.').lower()}")
        out[k] = ". ".join(sentences)
    a, b = rng.sample(body, 2)  # one paragraph moves
    out.insert(b, out.pop(a))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=50)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ilrs-only", action="store_true", help="only the ILRS report")
    parser.add_argument("--against", help="also time the ILRS report at this git revision")
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "narrative-diff")
    pinned = ROOT / "src" / "narrative_diff" / "bundled"
    words = sum(len(p.read_text().split()) for p in (pinned / "ilrs").glob("*.md"))
    command = [exe, "report"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"ILRS seeds, this tree": None}
        if args.against:
            tree = Path(tmp) / "tree"
            git = ["git", "-C", str(ROOT), "worktree"]
            subprocess.run([*git, "add", "-q", "--detach", str(tree), args.against], check=True)
            trees = {f"ILRS seeds at {args.against}": tree / "src", **trees}
        try:
            measured = _alternated(command, trees, args.runs)
        finally:
            if args.against:
                subprocess.run([*git, "remove", "--force", str(tree)], check=True)
    for name, (seconds, peak) in measured.items():
        target = 3 if args.ilrs_only or name != "ILRS seeds, this tree" else 10
        rows.append((name, 6, words, seconds, peak, target))
    print("measured the ILRS report", file=sys.stderr)
    if args.ilrs_only:
        _table(rows, args)
        if args.against:
            print(f"\nthis tree / {args.against}: {rows[-1][3] / rows[0][3]:.2f}")
        return
    chain = Chain.train(training_sentences())
    with tempfile.TemporaryDirectory() as tmp:
        for name, builder in (("evolving", build_evolving), ("unrelated", build_corpus)):
            root = Path(tmp) / name
            root.mkdir()
            builder(root, args.snapshots, args.words, chain)
            total = sum(len(p.read_text().split()) for p in (root / "bench").glob("*.md"))
            seconds, peak = timed(
                [exe, "report", "bench", "--corpus", str(root)], args.runs, fresh_folder=True
            )
            rows.append((f"{name} series", args.snapshots, total, seconds, peak, 60))
            print(f"measured the {name} series", file=sys.stderr)
            shutil.rmtree(root)
    _table(rows, args)


def _table(
    rows: list[tuple[str, int, int, float, float | None, int]], args: argparse.Namespace
) -> None:
    print(
        f"Command: `{' '.join(['.venv/bin/python', 'bench/report.py', *sys.argv[1:]])}` "
        f"(whole `narrative-diff report` process, default outputs, median of {args.runs})\n"
    )
    print("| series | snapshots | words (files) | seconds | target | of target | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for name, snaps, words, seconds, peak, target in rows:
        peak_text = f"{peak:.0f}" if peak else "—"
        mark = "✓" if seconds < target else "✗"
        print(
            f"| {name} | {snaps} | {words:,} | {seconds:.2f} | {target} s | "
            f"{seconds / target:.0%} {mark} | {peak_text} |"
        )


if __name__ == "__main__":
    main()
