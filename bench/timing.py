"""What the whole-process benchmarks share: timing fresh processes and the Markdown table."""

from __future__ import annotations

import statistics
import subprocess
import time


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall time of ``runs`` fresh processes (after one warm-up run, which also writes the
    bytecode an installed package has: PYTHONDONTWRITEBYTECODE would make every run
    compile the sources of an editable install again)."""
    env = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, capture_output=True, env=env, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - start)
    return times


def print_table(results: dict[str, list[float]], anchor: str, prefix: str, limit: float) -> None:
    """Median and minimum per command, the ratio to ``anchor``, and the target for the
    commands whose name starts with ``prefix`` (under ``limit`` seconds)."""
    base = statistics.median(results[anchor])
    print("| command | median s | min s | × python -c pass | target |")
    print("|---|---|---|---|---|")
    for name, times in results.items():
        med = statistics.median(times)
        target = f"< {limit} s" if name.startswith(prefix) else ""
        verdict = "" if not target else (" ✓" if med < limit else " ✗")
        print(
            f"| `{name}` | {med:.3f} | {min(times):.3f} | {med / base:.1f}× | {target}{verdict} |"
        )
