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

Two more measurements (issue 17), each on one generated series of ``--words`` words per
snapshot, output compared byte for byte between runs (a difference stops the benchmark)::

    .venv/bin/python bench/score.py --cache 10000 --words 2000
    .venv/bin/python bench/score.py --cache 2000 --words 2000 --format json
    .venv/bin/python bench/score.py --engines 2000 --words 2000

``--cache N``: ``score`` cold (empty score cache), warm (every result cached), and after
one snapshot is added; ``--engines N``: with the cache off, one process
(``NARRATIVE_DIFF_WORKERS=1``), the local pool (every core), and ``--engine dask`` (a
LocalCluster, one worker per core). Each run is one whole process timed by
``/usr/bin/time -f '%e %M'`` (wall seconds, peak RSS), with the default pattern budget
(it grows with the text searched; before, these runs had to raise it: docs/scale.md).
``--format``: what the runs print, csv (the score table only: no change statistics are
computed for it) or json (the table and the change statistics).
"""

from __future__ import annotations

import argparse
import hashlib
import os
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


def write_series(root: Path, snapshots: int, words: int, chain: Chain, *, first: int = 0) -> None:
    """Write snapshots ``first`` .. ``first + snapshots - 1`` of a generated series straight
    into ``root/bench`` (the files ``add`` would write, without its per-add checks: 10,000
    adds re-read the series each time); mentions planted as in :func:`build_corpus`."""
    from narrative_diff.snapshot import Snapshot

    folder = root / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    start = date(2000, 1, 1)
    for n in range(first, first + snapshots):
        rng = random.Random(n)
        paragraphs = make_pair(chain, words, seed=n).a.split("\n\n")
        for _ in range(25):
            k = rng.randrange(1, len(paragraphs))
            if not paragraphs[k].startswith("#"):
                paragraphs[k] += f" {rng.choice(NAMES)} joined the work."
        snap = Snapshot.create(
            series="bench",
            slug=f"s{n:05d}",
            date=start + timedelta(days=n),
            title=f"Snapshot {n}",
            body="\n\n".join(paragraphs),
            language="en",
        )
        (folder / f"s{n:05d}.md").write_text(snap.to_markdown(), encoding="utf-8")


def run_once(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """One whole process under ``/usr/bin/time -f '%e %M'``: wall seconds, peak MiB, and
    the SHA-256 of its stdout (to check that every way of scoring prints the same)."""
    with tempfile.NamedTemporaryFile() as out:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", *cmd],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=env,
        )
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
        seconds, peak = done.stderr.strip().splitlines()[-1].split()
        digest = hashlib.sha256(Path(out.name).read_bytes()).hexdigest()
    return float(seconds), int(peak) / 1024, digest


#: The format ``score`` prints in --cache and --engines runs (``--format``): csv prints the
#: score table only and computes no change statistics; json computes and prints them too.
FORMAT = {"name": "csv"}


def _score_cmd(exe: str, actors: Path, root: Path, *extra: str) -> list[str]:
    fmt = FORMAT["name"]
    return [exe, "score", "bench", "--actors", str(actors), "-f", fmt, "--corpus", str(root)]


def _table(title: str, rows: list[tuple[str, float, float, str]], anchor: float) -> None:
    print(f"| {title} | seconds | × first | peak MiB | output |")
    print("|---|---|---|---|---|")
    digests = {digest for *_, digest in rows}
    for name, seconds, peak, digest in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / anchor:.2f} | {peak:.0f} | {digest[:12]} |")
    if len(digests) != 1:
        raise SystemExit("the runs printed different output")


def bench_cache(size: int, words: int, chain: Chain, exe: str, actors: Path, tmp: Path) -> None:
    """Cold, warm and one-added ``score`` of one series (the score cache's benchmark)."""
    root = tmp / "cache-corpus"
    write_series(root, size, words, chain)
    cmd = _score_cmd(exe, actors, root)
    env = dict(os.environ)
    cold = run_once(cmd, env)
    warm = run_once(cmd, env)
    warm2 = run_once(cmd, env)
    write_series(root, 1, words, chain, first=size)
    added = run_once(cmd, env)
    fresh = run_once([*cmd, "--no-cache"], env)
    print(f"{size:,} snapshots × {words:,} words, 20 actors; score -f {FORMAT['name']}\n")
    _table("run", [("cold (empty cache)", *cold), ("warm", *warm), ("warm again", *warm2)], cold[0])
    print()
    _table("run", [(f"{size + 1:,}th added", *added), ("same, --no-cache", *fresh)], added[0])
    ratio = min(warm[0], warm2[0]) / cold[0]
    print(f"\nWarm / cold: {ratio:.0%} (target under 30%: {'✓' if ratio < 0.3 else '✗'})")


def bench_engines(size: int, words: int, chain: Chain, exe: str, actors: Path, tmp: Path) -> None:
    """One process, the pool, and Dask on the same series, the cache off."""
    root = tmp / "engine-corpus"
    write_series(root, size, words, chain)
    cmd = [*_score_cmd(exe, actors, root), "--no-cache"]
    env = dict(os.environ)
    serial = run_once(cmd, {**env, "NARRATIVE_DIFF_WORKERS": "1"})
    pool = run_once(cmd, env)
    dask = run_once([*cmd, "--engine", "dask"], env)
    cores = len(os.sched_getaffinity(0))
    print(
        f"{size:,} snapshots × {words:,} words, 20 actors, {cores} cores; "
        f"score -f {FORMAT['name']}\n"
    )
    rows = [
        ("local, one process (NARRATIVE_DIFF_WORKERS=1)", *serial),
        (f"local, pool of {cores}", *pool),
        (f"dask, LocalCluster of {cores} workers", *dask),
    ]
    _table("engine", rows, serial[0])


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
    parser.add_argument("--cache", type=int, metavar="N", help="cold/warm cache run of N")
    parser.add_argument("--engines", type=int, metavar="N", help="engine comparison on N")
    parser.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="what --cache and --engines runs print (json adds the change statistics)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    exe = str(Path(sys.executable).parent / "narrative-diff")
    chain = Chain.train(training_sentences())
    FORMAT["name"] = args.format
    if args.cache or args.engines:
        print(f"Command: `{' '.join(['.venv/bin/python', 'bench/score.py', *sys.argv[1:]])}`\n")
        with tempfile.TemporaryDirectory() as tmp:
            actors = Path(tmp) / "actors.toml"
            bundled = (ROOT / "src" / "narrative_diff" / "data" / "actors-ilrs.toml").read_text()
            actors.write_text(bundled + EXTRA_ACTORS, encoding="utf-8")
            if args.cache:
                bench_cache(args.cache, args.words, chain, exe, actors, Path(tmp))
            if args.engines:
                bench_engines(args.engines, args.words, chain, exe, actors, Path(tmp))
        return
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
