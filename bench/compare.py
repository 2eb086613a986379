"""Whole-document comparison benchmark: ``narrative-diff compare`` against git and difflib.

Targets (the compare issue): 200k words compared in under 2 s, near-linear growth with document
size, peak memory under 1 GB; issue 17: at 200k words within 6× the read-and-tokenise floor
measured in the same run. Run from the repository root::

    .venv/bin/python bench/compare.py [--sizes 1000,10000,50000,200000] [--runs 3] [--cap 60]
                                      [--keep DIR] [--seed 0]

What it measures. For each size it generates a pair of English Markdown documents (document A
and an edited B: ≈5% of sentences edited, ≈2% of paragraphs deleted, ≈1% inserted, 3 moved,
1-2 sentences moved; see bench/corpus_gen.py) and times fresh processes of

- ``narrative-diff compare A B --format json`` (the engine under test);
- ``git diff --no-index --word-diff=porcelain A B`` (anchor: a fast C word diff; exit 1 means
  "differences");
- ``wdiff --statistics A B`` (anchor: GNU wdiff, when installed; Debian's ``wdiff``);
- ``difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()`` on the token lists
  ``re.findall(r"\\w+|[^\\w\\s]", text)``, in ``python -c`` (anchor: a flat quadratic diff);
- the same ``python -c`` that only reads and tokenises both files (the floor any Python
  engine pays).

Wall time is the median of ``--runs`` runs (one untimed warm-up first; engines in a shuffled
order within each round; a run over 10 s is not repeated). Any run over ``--cap`` seconds is
killed and reported as "> cap" (in practice only difflib), and so is a size where the previous
size's time, scaled linearly, already exceeds the cap. Peak memory is the child's maximum
resident set size from ``/usr/bin/time -f '%e %M'`` (or, without GNU time, from ``os.wait4`` in a
small launcher process). Not ``os.wait4`` on a direct child: a child started with vfork or fork
inherits this process's high-water mark, which would report git at the size of this script.
Outputs go to a temporary file. The pairs are written to a temporary folder, or to ``--keep``.

Prints Markdown ready for bench/README.md: the pairs, the table, seconds per 1k words, the
target checks, the exact command line, the machine and the date. Absolute times vary between
machines; the ratios to the anchors measured in the same run are what to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import corpus_gen

REPO = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"
SLOW_S = 10.0  # a run slower than this is not repeated at that size
TARGET_S_200K = 2.0
#: Issue 17: compare within this many times the read-and-tokenise floor at 200k words.
TARGET_FLOOR_RATIO = 6.0
TARGET_PEAK_MIB = 1024.0
# Near-linear: seconds per extra 1k words from the second-largest to the largest size at most
# LINEAR_FACTOR × those from the smallest to the second-largest (differences cancel start-up).
LINEAR_FACTOR = 2.0
NEGLIGIBLE_S = 0.05  # or the whole rise over the last interval is below this

TOKENS = r're.compile(r"\w+|[^\w\s]").findall'
READ = 'open(sys.argv[{}], encoding="utf-8").read()'
FLOOR_CODE = (
    f"import re, sys; tok = {TOKENS}; a = tok({READ.format(1)}); b = tok({READ.format(2)}); "
    "print(len(a), len(b))"
)
DIFFLIB_CODE = (
    f"import difflib, re, sys; tok = {TOKENS}; a = tok({READ.format(1)}); "
    f"b = tok({READ.format(2)}); "
    "ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(); print(len(ops))"
)
# Fallback when GNU time is missing: spawn, wait4, write "seconds max_rss_kib" to argv[1].
LAUNCHER_CODE = (
    "import os, sys, time; t = time.perf_counter(); "
    "pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ); "
    "_, status, ru = os.wait4(pid, 0); elapsed = time.perf_counter() - t; "
    'open(sys.argv[1], "w").write(f"{elapsed} {ru.ru_maxrss}\\n"); '
    "sys.exit(os.waitstatus_to_exitcode(status))"
)


@dataclass
class Engine:
    key: str
    label: str
    argv: Callable[[Path, Path], list[str]]
    ok_codes: frozenset[int]
    available: bool = True
    why_not: str = ""


@dataclass
class Cell:
    """One engine at one size: its runs, or why there are none."""

    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    status: str = ""  # "" when measured; else "not available", "> cap", "error …"

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and not self.status else None

    @property
    def peak_mib(self) -> float | None:
        return max(self.peak_kib) / 1024 if self.peak_kib and not self.status else None


class TimedOut(Exception):
    pass


def narrative_diff_exe() -> str:
    venv = REPO / ".venv" / "bin" / "narrative-diff"
    return str(venv) if venv.exists() else shutil.which("narrative-diff") or "narrative-diff"


def engines() -> list[Engine]:
    exe = narrative_diff_exe()
    python = sys.executable
    return [
        Engine(
            "compare",
            "engine under test",
            lambda a, b: [exe, "compare", str(a), str(b), "--format", "json"],
            frozenset({0, 1}),  # 1 is FINDINGS (docs/messages.md): a change, not a failure
        ),
        Engine(
            "git",
            "anchor: C word diff",
            lambda a, b: ["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)],
            frozenset({0, 1}),
        ),
        Engine(
            "wdiff",
            "anchor: GNU wdiff, a word diff over diff(1)",
            lambda a, b: ["wdiff", "--statistics", str(a), str(b)],
            frozenset({0, 1}),
            available=shutil.which("wdiff") is not None,
            why_not="" if shutil.which("wdiff") else "wdiff is not installed (apt install wdiff)",
        ),
        Engine(
            "difflib",
            "anchor: flat token diff, quadratic",
            lambda a, b: [python, "-c", DIFFLIB_CODE, str(a), str(b)],
            frozenset({0}),
        ),
        Engine(
            "floor",
            "read + tokenise both files: the floor of any Python engine",
            lambda a, b: [python, "-c", FLOOR_CODE, str(a), str(b)],
            frozenset({0}),
        ),
    ]


def check_available(engine: Engine, env: dict[str, str]) -> None:
    """Mark ``compare`` unavailable when the command does not exist (yet)."""
    if engine.key != "compare":
        return
    cmd = [engine.argv(Path("A"), Path("B"))[0], "compare", "--help"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        engine.available, engine.why_not = False, str(exc)
        return
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        engine.available = False
        engine.why_not = lines[-1] if lines else f"exit {result.returncode}"


def measure(
    argv: list[str], out: Path, cap: float | None, env: dict[str, str]
) -> tuple[float, int, int]:
    """(wall seconds, peak RSS KiB, exit code) of one fresh process writing to ``out``."""
    stats = out.with_suffix(".rusage")
    if os.access(GNU_TIME, os.X_OK):
        wrapped = [GNU_TIME, "-f", "%e %M", "-o", str(stats), *argv]
    else:
        wrapped = [sys.executable, "-c", LAUNCHER_CODE, str(stats), *argv]
    with out.open("wb") as stdout, out.with_suffix(".stderr").open("wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, stdout=stdout, stderr=stderr, env=env, start_new_session=True
        )
        # The cap is kept by a timer: ``proc.wait(timeout=...)`` polls, sleeping up to
        # 0.05 s between looks, so every time it measured lay on a grid (0.0635 s, then
        # every 0.05 s after it) up to 0.05 s late. A plain wait returns when the process ends.
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the wrapper and the engine under it

        timer = threading.Timer(cap, kill) if cap is not None else None
        if timer is not None:
            timer.start()
        try:
            code = proc.wait()
        finally:
            if timer is not None:
                timer.cancel()
        elapsed = time.perf_counter() - start
        if killed.is_set():
            raise TimedOut
    lines = stats.read_text().strip().splitlines()  # GNU time may add a status line first
    fields = lines[-1].split() if lines else ["nan", "0"]
    if wrapped[0] != GNU_TIME:
        elapsed = float(fields[0])
    return elapsed, int(fields[1]), code


def first_error_line(out: Path) -> str:
    lines = out.with_suffix(".stderr").read_text(errors="replace").strip().splitlines()
    return lines[-1][:120] if lines else "no message"


def run_benchmark(
    pairs: dict[int, tuple[Path, Path]],
    all_engines: list[Engine],
    runs: int,
    cap: float,
    env: dict[str, str],
    work: Path,
    seed: str,
) -> tuple[dict[str, dict[int, Cell]], list[str]]:
    """Measure every engine at every size; also return notes worth printing."""
    rng = random.Random(f"order:{seed}")
    notes: list[str] = []
    cells: dict[str, dict[int, Cell]] = {e.key: {} for e in all_engines}
    sizes = sorted(pairs)
    live = [e for e in all_engines if e.available]
    for e in all_engines:
        if not e.available:
            for size in sizes:
                cells[e.key][size] = Cell(status="not available")
    # Warm-up (page cache, .pyc files) on the smallest pair, untimed.
    for e in live:
        with contextlib.suppress(TimedOut):
            measure(e.argv(*pairs[sizes[0]]), work / "warmup.out", cap, env)
    for index, size in enumerate(sizes):
        a, b = pairs[size]
        todo: dict[str, Engine] = {}
        for e in live:
            cell = cells[e.key][size] = Cell()
            previous = cells[e.key].get(sizes[index - 1]) if index else None
            if previous and previous.status.startswith("> cap"):
                cell.status = "> cap"
                notes.append(f"{e.key} at {size:,} words skipped: a smaller size hit the cap.")
            elif previous and previous.median and previous.median * size / sizes[index - 1] > cap:
                cell.status = "> cap"
                notes.append(
                    f"{e.key} at {size:,} words skipped: {previous.median:.1f} s at "
                    f"{sizes[index - 1]:,} words × {size / sizes[index - 1]:g} (linear growth, "
                    f"a lower bound) already exceeds the {cap:g} s cap."
                )
            else:
                todo[e.key] = e
        for round_ in range(runs):
            order = list(todo.values())
            rng.shuffle(order)
            for e in order:
                cell = cells[e.key][size]
                if cell.status or (round_ and cell.seconds and max(cell.seconds) > SLOW_S):
                    continue
                out = work / f"{e.key}-{size}.out"
                try:
                    seconds, peak, code = measure(e.argv(a, b), out, cap, env)
                except TimedOut:
                    cell.status = "> cap"
                    notes.append(f"{e.key} at {size:,} words: killed after {cap:g} s.")
                    continue
                if code not in e.ok_codes:
                    cell.status = f"error (exit {code})"
                    notes.append(f"{e.key} at {size:,} words: exit {code}: {first_error_line(out)}")
                    continue
                cell.seconds.append(seconds)
                cell.peak_kib.append(peak)
                if e.key == "compare" and len(cell.seconds) == 1:
                    notes += check_json(out, size)
        for e in todo.values():
            cell = cells[e.key][size]
            if not cell.status and len(cell.seconds) < runs:
                notes.append(
                    f"{e.key} at {size:,} words: {len(cell.seconds)} run(s) only "
                    f"(over {SLOW_S:g} s each)."
                )
        print(f"measured {size:,} words", file=sys.stderr, flush=True)
    return cells, notes


def check_json(out: Path, size: int) -> list[str]:
    try:
        json.loads(out.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"compare at {size:,} words: output is not valid JSON ({exc})."]
    return []


def fmt_s(cell: Cell) -> str:
    if cell.status:
        return cell.status
    median = cell.median
    assert median is not None
    return f"{median:.3f}" if median < 10 else f"{median:.1f}"


def fmt_mib(cell: Cell) -> str:
    return "" if cell.peak_mib is None else f"{cell.peak_mib:.0f}"


def ratio(num: Cell, den: Cell) -> str:
    if num.median is None or den.median is None:
        return "—"
    r = num.median / den.median
    return f"{r:.1f}×" if r >= 1 else f"{r:.2g}×"


def print_report(
    cells: dict[str, dict[int, Cell]],
    all_engines: list[Engine],
    sizes: list[int],
    notes: list[str],
) -> None:
    compare = cells["compare"]
    header = ["size (words)"]
    for e in all_engines:
        header += [f"{e.key} s", f"{e.key} MiB"]
    header += ["compare / git", "compare / wdiff", "compare / difflib", "compare / floor"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for size in sizes:
        row = [f"{size:,}"]
        for e in all_engines:
            row += [fmt_s(cells[e.key][size]), fmt_mib(cells[e.key][size])]
        anchors = ("git", "wdiff", "difflib", "floor")
        row += [ratio(compare[size], cells[k][size]) for k in anchors]
        print("| " + " | ".join(row) + " |")

    print("\nSeconds per 1k words (whole process, so start-up weighs on small sizes):\n")
    print("| engine | " + " | ".join(f"{s:,}" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for e in all_engines:
        per = [
            "—" if cells[e.key][s].median is None else f"{cells[e.key][s].median / s * 1000:.4f}"
            for s in sizes
        ]
        print(f"| {e.key} | " + " | ".join(per) + " |")
    marginal = marginal_costs(compare, sizes)
    if marginal:
        print(
            "\ncompare, marginal seconds per 1k words (start-up cancels out): "
            + ", ".join(f"{lo:,}→{hi:,}: {m:.4f}" for lo, hi, m in marginal)
        )

    print("\nTargets (narrative-diff compare):\n")
    for line in target_checks(compare, sizes, cells.get("floor")):
        print(f"- {line}")
    if notes:
        print("\nNotes:\n")
        for note in notes:
            print(f"- {note}")


def marginal_costs(cells: dict[int, Cell], sizes: list[int]) -> list[tuple[int, int, float]]:
    measured = [(s, cells[s].median) for s in sizes if cells[s].median is not None]
    return [
        (lo, hi, (t_hi - t_lo) / (hi - lo) * 1000)
        for (lo, t_lo), (hi, t_hi) in itertools.pairwise(measured)
    ]


def target_checks(
    cells: dict[int, Cell], sizes: list[int], floor: dict[int, Cell] | None = None
) -> list[str]:
    mark = {True: "✓", False: "✗"}
    checks = []
    big, low = cells.get(200_000), (floor or {}).get(200_000)
    if big is not None and low is not None and big.median and low.median:
        ratio_floor = big.median / low.median
        ok = ratio_floor <= TARGET_FLOOR_RATIO
        checks.append(
            f"200k words within {TARGET_FLOOR_RATIO:g}× the read-and-tokenise floor (issue 17): "
            f"{mark[ok]} ({ratio_floor:.1f}×: {big.median:.3f} s against {low.median:.3f} s)"
        )
    big = cells.get(200_000)
    if big is None:
        checks.append(f"200k words under {TARGET_S_200K:g} s: not measured (size not requested)")
    elif big.status == "not available":
        checks.append(f"200k words under {TARGET_S_200K:g} s: not measured (not available)")
    elif big.median is None:
        checks.append(f"200k words under {TARGET_S_200K:g} s: ✗ ({big.status})")
    else:
        ok = big.median < TARGET_S_200K
        checks.append(f"200k words under {TARGET_S_200K:g} s: {mark[ok]} ({big.median:.3f} s)")
    measured = [(s, cells[s].median) for s in sizes if cells[s].median is not None]
    if len(measured) < 3:
        checks.append("near-linear growth: not measured (needs 3 measured sizes)")
    else:
        (n0, t0), (n1, t1), (n2, t2) = measured[0], measured[-2], measured[-1]
        before, after = (t1 - t0) / (n1 - n0) * 1000, (t2 - t1) / (n2 - n1) * 1000
        ok = after <= LINEAR_FACTOR * before or t2 - t1 < NEGLIGIBLE_S
        growth = f"{after / before:.1f}×" if before > 0 else "no measurable cost before"
        checks.append(
            f"near-linear growth: {mark[ok]} (marginal s/1k words {before:.4f} over "
            f"{n0:,}→{n1:,}, {after:.4f} over {n1:,}→{n2:,}: {growth}; at most "
            f"{LINEAR_FACTOR:g}× passes, as does a rise under {NEGLIGIBLE_S:g} s; linear is 1×, "
            "quadratic about 5× for 1k→50k→200k)"
        )
    peaks = [c.peak_mib for c in cells.values() if c.peak_mib is not None]
    if not peaks:
        checks.append("peak memory under 1 GB: not measured")
    else:
        ok = max(peaks) < TARGET_PEAK_MIB
        missing = [f"{s:,}" for s in sizes if cells[s].peak_mib is None]
        unmeasured = f"; no figure at {', '.join(missing)} words" if missing else ""
        checks.append(f"peak memory under 1 GB: {mark[ok]} (max {max(peaks):.0f} MiB{unmeasured})")
    return checks


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}, {git}, "
        f"narrative-diff at commit {head or 'unknown'}"
    )


@contextlib.contextmanager
def pair_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
    else:
        with tempfile.TemporaryDirectory(prefix="nd-bench-pairs-") as tmp:
            yield Path(tmp)


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] < 100:
        raise argparse.ArgumentTypeError("sizes are word counts of at least 100, e.g. 1000,10000")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1000, 10_000, 50_000, 200_000], metavar="N,N,…"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per engine and size (median)")
    parser.add_argument(
        "--cap", type=float, default=60.0, help="time cap of any one run, seconds (difflib hits it)"
    )
    parser.add_argument("--keep", type=Path, help="write the generated pairs to this folder")
    parser.add_argument("--seed", default="0", help="seed of the generated documents")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    all_engines = engines()
    with tempfile.TemporaryDirectory(prefix="nd-bench-") as tmp:
        work = Path(tmp)
        (work / "corpus").mkdir()
        # Refs are files on disk; an empty corpus keeps the user's corpus out of it.
        env = {
            **os.environ,
            "NARRATIVE_DIFF_CORPUS": str(work / "corpus"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,  # no diff.algorithm etc. from the user's config
        }
        for e in all_engines:
            check_available(e, env)
        print("generating pairs…", file=sys.stderr, flush=True)
        chain = corpus_gen.Chain.train(corpus_gen.training_sentences())
        with pair_folder(args.keep) as folder:
            pairs: dict[int, tuple[Path, Path]] = {}
            generated = []
            for size in args.sizes:
                pair = corpus_gen.make_pair(chain, size, args.seed)
                a, b = folder / f"words-{size}-a.md", folder / f"words-{size}-b.md"
                a.write_text(pair.a, encoding="utf-8")
                b.write_text(pair.b, encoding="utf-8")
                if args.keep is not None:
                    (folder / f"words-{size}-edits.json").write_text(
                        json.dumps({"summary": dict(pair.edits), "log": pair.log}, indent=1),
                        encoding="utf-8",
                    )
                pairs[size] = (a, b)
                generated.append((size, pair))
            cells, notes = run_benchmark(
                pairs, all_engines, args.runs, args.cap, env, work, args.seed
            )
    elapsed = time.perf_counter() - started
    load = f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"

    print(f"## narrative-diff compare benchmark, {when}\n")
    print(f"Command: `{shlex.join([sys.executable, *sys.argv])}`\n")
    print(f"Machine: {machine()}; {load} (other work on the machine skews the seconds)\n")
    print("Engines (A and B are the generated pair; every command's stdout goes to a file):\n")
    for e in all_engines:
        cmd = shlex.join(e.argv(Path("A.md"), Path("B.md")))
        suffix = f" — not available: {e.why_not}" if not e.available else ""
        print(f"- {e.key} ({e.label}): `{cmd}`{suffix}")
    how = f"`{GNU_TIME} -f '%e %M'`" if os.access(GNU_TIME, os.X_OK) else "a launcher's os.wait4"
    print(
        f"\nMedian wall seconds of {args.runs} run(s) after a warm-up; peak RSS in MiB from {how}; "
        f"runs capped at {args.cap:g} s. Training text {chain.fingerprint} "
        f"({chain.sentences:,} sentences, {chain.words:,} words), seed {args.seed!r}.\n"
    )
    if chain.fingerprint != corpus_gen.REFERENCE_FINGERPRINT:
        print(
            f"**Warning:** the training text is not the reference one "
            f"({corpus_gen.REFERENCE_FINGERPRINT}): other seed files or another Python version. "
            "The documents differ from earlier runs; compare ratios, not seconds.\n"
        )
    print("| size | words A | words B | edits | pair |")
    print("|---|---|---|---|---|")
    for size, pair in generated:
        print(
            f"| {size:,} | {pair.words_a:,} | {pair.words_b:,} | {pair.summary()} "
            f"| {pair.fingerprint()} |"
        )
    print()
    print_report(cells, all_engines, args.sizes, notes)
    print(f"\nWhole benchmark: {elapsed:.0f} s.")
    if args.keep is not None:
        print(f"Pairs kept in {args.keep}.")


if __name__ == "__main__":
    main()
