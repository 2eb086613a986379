"""Before/after check for refactors: the JSON of ``compare`` and ``score`` must not change.

Writes the output of every command below into OUT, one file each, running the package found
under SRC (a checkout's ``src``), so that two trees can be compared with ``diff -r``::

    git worktree add /tmp/base <old-commit>
    .venv/bin/python bench/corpus_gen.py --words 10000 --out /tmp/pairs/w10000   # once
    .venv/bin/python bench/same_output.py --src /tmp/base/src --pairs /tmp/pairs --out /tmp/old
    .venv/bin/python bench/same_output.py --src src --pairs /tmp/pairs --out /tmp/new
    diff -r /tmp/old /tmp/new && echo identical

The commands: ``compare -f json`` on every pair of the ILRS seeds, on every golden pair in
``fixtures/pairs`` and on each generated pair under ``--pairs`` (a folder of folders holding
``a.md`` and ``b.md``; generate them once, since bench/corpus_gen.py trains on the repository's
own docstrings); ``score -f json`` (and ``--between v2 v5``) and ``kwic -f json`` on the seeds;
``score -f json`` on a two-snapshot series made of each generated pair.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(src: Path, args: list[str], out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src.resolve()), "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(
        [sys.executable, "-m", "narrative_diff", *args],
        env=env,
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    out.write_bytes(done.stdout + f"\n--- exit {done.returncode}\n".encode() + done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    opts = parser.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    seeds = ["-c", str(ROOT / "seeds")]
    for i, j in itertools.combinations(range(1, 7), 2):
        run(
            opts.src, ["compare", f"v{i}", f"v{j}", "-f", "json", *seeds], opts.out / f"ilrs-{i}{j}"
        )
    run(opts.src, ["score", "-f", "json", *seeds], opts.out / "ilrs-score")
    run(opts.src, ["score", "--between", "v2", "v5", "-f", "json", *seeds], opts.out / "ilrs-v2v5")
    run(opts.src, ["kwic", "russia", "-f", "json", *seeds], opts.out / "ilrs-kwic")
    for before in sorted((ROOT / "fixtures" / "pairs").glob("*.before")):
        after = before.with_suffix(".after")
        run(opts.src, ["compare", str(before), str(after), "-f", "json"], opts.out / before.stem)
    for folder in sorted(p for p in opts.pairs.iterdir() if (p / "a.md").is_file()):
        a, b = folder / "a.md", folder / "b.md"
        run(opts.src, ["compare", str(a), str(b), "-f", "json"], opts.out / f"bench-{folder.name}")
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            shutil.copytree(ROOT / "seeds", corpus, ignore=shutil.ignore_patterns("ilrs"))
            for n, path in enumerate((a, b), start=1):
                add = ["add", str(path), "-s", "bench", "-d", f"2024-0{n}-01", "-c", str(corpus)]
                run(opts.src, [*add, "--language", "en"], Path(tmp) / "log")
            score = ["score", "bench", "-f", "json", "-c", str(corpus)]
            run(opts.src, score, opts.out / f"bench-score-{folder.name}")


if __name__ == "__main__":
    main()
