"""``backfill`` benchmark: reading captures in one process or in a pool (issue 17).

A fake CDX archive on 127.0.0.1 (http.server in a thread) lists ``--captures`` captures of
one news page of about 150 KB (bench/add.py's invented page), each with a different
paragraph reworded, so every capture is fetched, extracted and added. The whole process
``narrative-diff backfill URL --interval 0`` is timed into a fresh corpus with
``NARRATIVE_DIFF_WORKERS=1`` (every capture read in this process) and without it (a pool of
worker processes reads them while the next is fetched). With the default ``--interval 1``
a capture's reading fits in the wait between two requests, so no pool is used: this
measures the case of one's own archive (pywb) asked without pauses. Run from the
repository root::

    .venv/bin/python bench/backfill.py [--captures 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from add import news_page

PAGE = "http://example.org/lunar.html"


def captures(count: int) -> dict[str, bytes]:
    """timestamp → page: the news page with paragraph k reworded in capture k."""
    page = news_page()
    return {
        f"2024{1 + k // 28:02d}{1 + k % 28:02d}000000": page.replace(
            f"met for the {k}th time", f"met for the {k}th time, and again in April,"
        ).encode()
        for k in range(count)
    }


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    rows = [["timestamp", "original", "statuscode", "digest", "mimetype"]]
    rows += [[t, PAGE, "200", f"D{t}", "text/html"] for t in pages]
    index = json.dumps(rows).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/cdx/"):
                body, kind = index, "application/json"
            else:
                stamp = self.path.split("/")[2].removesuffix("id_")
                body, kind = pages.get(stamp, b""), "text/html; charset=utf-8"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(exe: str, base: str, workers: str | None) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if workers:
        env["NARRATIVE_DIFF_WORKERS"] = workers
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        cmd = [exe, "backfill", PAGE, "--series", "lunar", "--archive", base]
        cmd += ["--interval", "0", "--language", "en", "-c", str(corpus), "-q"]
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=True)
        took = time.perf_counter() - start
        added = len(list((corpus / "lunar").glob("*.md")))
    if added != len(PAGES):
        sys.exit(f"expected {len(PAGES)} snapshots, got {added}")
    return took


PAGES: dict[str, bytes] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captures", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    PAGES.update(captures(args.captures))
    server = serve(PAGES)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    exe = str(Path(sys.executable).with_name("narrative-diff"))
    run(exe, base, "1")  # warm-up: bytecode, caches
    times: dict[str, list[float]] = {"one process": [], "pool": []}
    for _ in range(args.runs):  # alternated, so that load on the machine hits both
        times["one process"].append(run(exe, base, "1"))
        times["pool"].append(run(exe, base, None))
    one, pooled = (statistics.median(times[k]) for k in ("one process", "pool"))
    size = len(next(iter(PAGES.values())))
    command = f".venv/bin/python bench/backfill.py --captures {args.captures} --runs {args.runs}"
    print(f"Command: `{command}`")
    print()
    print(
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}; {args.captures} captures of {size:,} bytes, each added; "
        f"median of {args.runs}"
    )
    print()
    print("| reading | median s | per capture s |")
    print("|---|---|---|")
    for name, med in (("one process", one), ("pool", pooled)):
        print(f"| {name} | {med:.2f} | {med / args.captures:.3f} |")
    print()
    print(f"pool / one process: {pooled / one:.2f}")


if __name__ == "__main__":
    main()
