"""Scoring benchmark: ``narrative-diff score`` on series of 50 to 500 snapshots of 5,000 words.

Target (issue 4): 500 snapshots × 5,000 words × 20 actors scored in under 10 s on a 2-core
machine, near-linear in corpus size. Run from the repository root::

    .venv/bin/python bench/score.py [--sizes 50,100,250,500] [--runs 3]

Each snapshot is a generated document (bench/corpus_gen.py's Markov chain over English
docstrings and the ILRS seeds) into which actor names are planted at random sentences, so
every snapshot has mentions of several actors; the actors file is the bundled ILRS one plus
three more actors (20 in all). The series is written to a temporary corpus, and the whole
process ``narrative-diff score --format csv`` is timed (output to a file), median of
``--runs``; peak memory from /usr/bin/time when present.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_gen import Chain, make_pair, training_sentences

ROOT = Path(__file__).resolve().parents[1]
NAMES = [
    "Russia",
    "China",
    "Roscosmos",
    "CNSA",
    "several countries",
    "Pakistan",
    "Egypt",
    "Venezuela",
    "ESA",
    "NASA",
    "international partners",
    "Belarus",
    "APSCO",
    "Japan",
    "India",
    "Brazil",
]
EXTRA_ACTORS = """
[actors.japan]
name = "Japan"
aliases = ["Japan", "JAXA", "日本"]

[actors.india]
name = "India"
aliases = ["India", "ISRO", "印度"]

[actors.brazil]
name = "Brazil"
aliases = ["Brazil", "巴西"]
"""


def build_corpus(root: Path, snapshots: int, words: int, chain: Chain) -> None:
    """Write ``snapshots`` dated snapshots of about ``words`` words into ``root/bench``."""
    from narrative_diff.corpus import Corpus
    from narrative_diff.snapshot import Snapshot

    rng = random.Random(snapshots)
    corpus = Corpus(root)
    start = date(2000, 1, 1)
    for n in range(snapshots):
        text = make_pair(chain, words, seed=n).a
        paragraphs = text.split("\n\n")
        for _ in range(25):  # plant mentions in random paragraphs
            k = rng.randrange(1, len(paragraphs))
            if not paragraphs[k].startswith("#"):
                paragraphs[k] += f" {rng.choice(NAMES)} joined the work."
        snap = Snapshot.create(
            series="bench",
            slug=f"s{n:04d}",
            date=start + timedelta(days=n),
            title=f"Snapshot {n}",
            body="\n\n".join(paragraphs),
            language="en",
        )
        corpus.add(snap)


def timed(
    cmd: list[str], runs: int, *, fresh_folder: bool = False, env: dict[str, str] | None = None
) -> tuple[float, float | None]:
    """Median wall seconds and peak MiB (GNU time) of ``cmd``; with ``fresh_folder``, each
    run starts in a new empty working folder (for commands that write files there);
    ``env``: the environment (e.g. PYTHONPATH to time another checkout's code)."""
    times, peaks = [], []
    gnu_time = shutil.which("time") or "/usr/bin/time"
    for _ in range(runs):
        with tempfile.NamedTemporaryFile() as out, tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            cwd = folder if fresh_folder else None
            if Path(gnu_time).exists():
                done = subprocess.run(
                    [gnu_time, "-f", "%M", *cmd],
                    stdout=out,
                    stderr=subprocess.PIPE,
                    text=True,
                    check=True,
                    cwd=cwd,
                    env=env,
                )
                peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
            else:
                subprocess.run(cmd, stdout=out, check=True, cwd=cwd, env=env)
            times.append(time.perf_counter() - started)
    return statistics.median(times), max(peaks) if peaks else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,250,500")
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    exe = str(Path(sys.executable).parent / "narrative-diff")
    chain = Chain.train(training_sentences())
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        actors = Path(tmp) / "actors.toml"
        bundled = (ROOT / "src" / "narrative_diff" / "data" / "actors-ilrs.toml").read_text()
        actors.write_text(bundled + EXTRA_ACTORS, encoding="utf-8")
        for size in sizes:
            root = Path(tmp) / f"corpus{size}"
            root.mkdir()
            build_corpus(root, size, args.words, chain)
            cmd = [
                exe,
                "score",
                "bench",
                "--actors",
                str(actors),
                "--format",
                "csv",
                "--corpus",
                str(root),
            ]
            seconds, peak = timed(cmd, args.runs)
            results.append((size, seconds, peak))
            print(f"measured {size} snapshots", file=sys.stderr)
    print(
        f"Command: `{' '.join(['.venv/bin/python', 'bench/score.py', *sys.argv[1:]])}` "
        f"({args.words} words per snapshot, 20 actors, median of {args.runs})\n"
    )
    print("| snapshots | words | seconds | s per 100 snapshots | peak MiB |")
    print("|---|---|---|---|---|")
    for size, seconds, peak in results:
        peak_text = f"{peak:.0f}" if peak else "—"
        print(
            f"| {size} | {size * args.words:,} | {seconds:.2f} | {100 * seconds / size:.2f} | "
            f"{peak_text} |"
        )
    biggest = max(results)
    verdict = "✓" if biggest[1] < 10 else "✗"
    print(f"\nTarget: {biggest[0]} snapshots under 10 s: {verdict} ({biggest[1]:.2f} s)")


if __name__ == "__main__":
    main()
