"""Memory benchmark (issue 13, class 2): peak RSS of ``score`` and ``report`` on long snapshots.

Target: ``score`` and ``report`` of a series of 100,000-sentence snapshots under 1 GB of
peak resident memory. Run from the repository root (a few minutes at 100,000)::

    .venv/bin/python bench/memory.py [--sentences 10000,100000] [--commands score,report]

For each size it writes a corpus of two snapshots of that many one-line sentences (random
words around actor names, so that nearly every sentence names an actor: the worst case of
the bootstrap), then runs each command as a fresh process under ``/usr/bin/time -v`` and
prints its wall time and peak resident set size ("Maximum resident set size"), as a
Markdown table for bench/README.md. Never a unit test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = ROOT / ".venv" / "bin" / "narrative-diff"
WORDS = ["China", "Russia", "the", "station", "lunar", "partners", "agency", "Roscosmos"]
WORDS += ["CNSA", "NASA", "Europe", "builds", "joins", "plans", "research", "base", "moon"]
WORDS += ["orbit", "invites", "countries"]


def write_corpus(folder: Path, sentences: int) -> None:
    """Two snapshots of ``sentences`` one-line sentences each, the second edited."""
    subprocess.run([str(EXE), "init", str(folder)], check=True, capture_output=True)
    rng = random.Random(sentences)
    for n, date in enumerate(("2024-01-01", "2024-06-01")):
        lines = []
        for i in range(sentences):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
            if n and i % 7 == 4:
                words = [w.replace("China", "Europe") for w in words]
            text = " ".join(words)
            lines.append(text[0].upper() + text[1:] + ".")
        source = folder.parent / f"big{n}.txt"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        add = [str(EXE), "add", str(source), "-s", "big", "--date", date, "--language", "en"]
        subprocess.run(
            [*add, "--corpus", str(folder)],
            check=True,
            capture_output=True,
        )


def measure(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB (from /usr/bin/time -v) and the exit code."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:  # a score table of 100,000 sentences is long
        done = subprocess.run(
            ["/usr/bin/time", "-v", *argv], stdout=out, stderr=subprocess.PIPE, text=True
        )
    wall = time.perf_counter() - began
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return wall, int(found.group(1)) / 1024 if found else float("nan"), done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", default="10000,100000")
    parser.add_argument("--commands", default="score,report")
    args = parser.parse_args()
    if not Path("/usr/bin/time").exists():
        sys.exit("bench/memory.py needs GNU time at /usr/bin/time (apt-get install time)")
    print("| sentences per snapshot | command | wall s | peak RSS MB | exit |")
    print("|---|---|---|---|---|")
    for size in (int(s) for s in args.sentences.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            write_corpus(corpus, size)
            for command in args.commands.split(","):
                argv = [str(EXE), command, "big", "--corpus", str(corpus)]
                if command == "score":
                    argv += ["-f", "csv"]
                elif command == "report":
                    argv += ["-o", str(Path(tmp) / "report.html")]
                wall, peak, code = measure(argv)
                print(f"| {size:,} | `{command}` | {wall:.1f} | {peak:,.0f} | {code} |")
                sys.stdout.flush()
            shutil.rmtree(corpus)


if __name__ == "__main__":
    main()
