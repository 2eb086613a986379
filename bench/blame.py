"""``blame`` benchmark (issue 18): the latest snapshot of a 50-snapshot series of 5,000-word
documents in under 5 s, whole process, on a 2-core machine.

The series is bench/report.py's *evolving* one (each snapshot the previous with about 5%
of its sentences replaced, reworded, deleted or added and one paragraph moved), so that
every step of the chain has moves and edits to follow. Also timed: ``history --sentence``
of a first-snapshot sentence (the same chain, followed forward) and ``history --phrase``
(no alignment: a search per snapshot), and ``blame latest`` on bench/score.py's series of
unrelated snapshots (every sentence goes through the similarity search: the worst case).
Run from the repository root::

    .venv/bin/python bench/blame.py [--snapshots 50] [--words 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_gen import Chain, training_sentences
from report import build_evolving
from score import build_corpus
from timing import timed

TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=int, default=50)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("narrative-diff"))
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "corpus"
        root.mkdir()
        build_evolving(root, args.snapshots, args.words, Chain.train(training_sentences()))
        commands = {
            "blame latest": [exe, "blame", "latest", "-c", str(root), "-f", "json"],
            "history --sentence 5@v1": [
                exe, "history", "--sentence", "5@v1", "-c", str(root), "-f", "json",
            ],
            "history --phrase constructor": [
                exe, "history", "--phrase", "constructor", "-c", str(root), "-f", "json",
            ],
        }  # fmt: skip
        unrelated = Path(folder) / "unrelated"
        unrelated.mkdir()
        build_corpus(unrelated, args.snapshots, args.words, Chain.train(training_sentences()))
        commands["blame latest (unrelated snapshots)"] = [
            exe, "blame", "latest", "-c", str(unrelated), "-f", "json",
        ]  # fmt: skip
        results = {name: timed(cmd, args.runs, env) for name, cmd in commands.items()}
    print(
        f"Command: `.venv/bin/python bench/blame.py --snapshots {args.snapshots} "
        f"--words {args.words} --runs {args.runs}`"
    )
    print()
    print(
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f} after; median of "
        f"{args.runs} whole processes after a warm-up"
    )
    print()
    print("| command | median s | min s | target |")
    print("|---|---|---|---|")
    for name, times in results.items():
        med = statistics.median(times)
        target = (
            (f"< {TARGET_S:g} s " + ("✓" if med < TARGET_S else "✗"))
            if name == "blame latest"
            else ""
        )
        print(f"| `{name}` | {med:.2f} | {min(times):.2f} | {target} |")


if __name__ == "__main__":
    main()
