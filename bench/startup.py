"""Start-up benchmark: whole-process time of light commands against ``python -c pass``.

Target (issue 2): ``narrative-diff --help`` and ``narrative-diff list`` under 0.3 s on a
2-core machine. Run from the repository root after installing the package::

    .venv/bin/python bench/startup.py [--runs 15]

Prints a Markdown table (median and min of N runs, seconds, and the ratio to the
``python -c pass`` anchor measured in the same run) ready for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
from pathlib import Path

from timing import print_table, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("narrative-diff", path=str(Path(sys.executable).parent)) or "narrative-diff"
    env = {**os.environ, "NARRATIVE_DIFF_CORPUS": str(Path("seeds").resolve())}
    cases = {
        "python -c pass (anchor)": [sys.executable, "-c", "pass"],
        "narrative-diff --help": [exe, "--help"],
        "narrative-diff list": [exe, "list"],
        "narrative-diff show v3": [exe, "show", "v3"],
    }
    results = {name: timed(cmd, args.runs, env) for name, cmd in cases.items()}
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {args.runs} runs each\n"
    )
    print_table(results, "python -c pass (anchor)", "narrative-diff", 0.3)


if __name__ == "__main__":
    main()
