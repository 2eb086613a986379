"""``add`` benchmark: whole-process time of adding a 150 KB HTML page (issue 11).

Target: under 0.5 s whole process, fallback extractions included. Three pages of about
150 KB, written here (invented text): a news page whose main text is found at once, a
mirror-like page whose main text holds too little of the page's prose (so the recall and
whole-page fallbacks run), and the news page with ``--extract full``. Anchors measured in
the same run: ``python -c pass`` and ``narrative-diff show v3`` (a light command). Run from
the repository root after installing the package::

    .venv/bin/python bench/add.py [--runs 11] [--exe path/to/narrative-diff]

``--exe`` times another install (e.g. a worktree of an older commit) on the same pages.
Prints a Markdown table (median and min of N fresh processes after one warm-up, seconds).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import print_table, timed

SIZE = 150_000
TOPICS = ("landing sites", "relay satellites", "power systems", "sample return", "rovers")


def _paragraph(n: int) -> str:
    topic = TOPICS[n % len(TOPICS)]
    return (
        f"Paragraph {n}: the working group on {topic} met for the {n}th time and agreed "
        f"that the lunar station's {topic} would be reviewed by every partner agency before "
        f"the design freeze, with test campaigns planned in {2025 + n % 10} and reports "
        "published on the agencies' websites."
    )


def _links(n: int) -> str:
    return "".join(
        f'<li><a href="/news/{i}">Headline number {i} of the day</a></li>' for i in range(n)
    )


def news_page() -> str:
    """An agency news page: navigation, a sidebar of links, the article in <article>."""
    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Lunar station update</title>"
        "<meta property='article:published_time' content='2024-04-23'></head><body>"
        f"<nav><ul>{_links(40)}</ul></nav><aside><h3>Popular</h3><ul>{_links(30)}</ul></aside>"
        "<article><h1>Lunar station update</h1>"
    )
    body, n = [], 0
    while len(head) + sum(map(len, body)) < SIZE:
        body.append(f"<p>{_paragraph(n)}</p>\n")
        n += 1
    return head + "".join(body) + "</article><footer>Press office</footer></body></html>"


def mirror_page() -> str:
    """A mirror (shaped like fixtures/captures/mirror-spam.html): a block of spam
    paragraphs, then the article as bare text nodes and <font>/<span> runs at body level,
    split by <br><br>. The main text is the spam (coverage 0.03): the recall step runs."""
    head = (
        "<html><head><title>Mirror</title><meta name='date' content='2024-04-23'></head><body>"
        "<div class='ad'>"
        + "".join(
            f"<p>Free spins and bonus offers number {i}, click here today, best deals on "
            "lunar holidays and rockets, book now and pay later, limited offer, call now</p>"
            for i in range(30)  # enough that trafilatura's precision mode takes the ad
        )
        + "</div>"
    )
    body, n = [], 0
    while len(head) + sum(map(len, body)) < SIZE:
        text = _paragraph(n)
        cut = text.index(":") + 1
        body.append(f"<font><span>{text[:cut]}</span>{text[cut:]}</font>\n<br><br>\n")
        n += 1
    return head + "".join(body) + "</body></html>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--exe", help="narrative-diff to time (default: this environment's)")
    args = parser.parse_args()
    exe = args.exe or shutil.which("narrative-diff", path=str(Path(sys.executable).parent))
    env = {**os.environ, "NARRATIVE_DIFF_CORPUS": str(Path("seeds").resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "news.html").write_text(news_page(), encoding="utf-8")
        (folder / "mirror.html").write_text(mirror_page(), encoding="utf-8")
        corpus = folder / "corpus"
        subprocess.run([str(exe), "init", str(corpus)], capture_output=True, check=True)
        add = [str(exe), "add", "--date", "2024-04-23", "-c", str(corpus), "--replace", "-s"]
        cases = {
            "python -c pass (anchor)": [sys.executable, "-c", "pass"],
            "narrative-diff show v3 (anchor)": [str(exe), "show", "v3"],
            "add news page (main text)": [*add, "news", str(folder / "news.html")],
            "add mirror page (fallbacks run)": [*add, "mirror", str(folder / "mirror.html")],
            "add news page --extract full": [
                *add,
                "full",
                str(folder / "news.html"),
                "--extract",
                "full",
            ],
        }
        if args.exe:  # an older install may not know --extract
            cases.pop("add news page --extract full")
        sizes = {p.name: p.stat().st_size for p in folder.glob("*.html")}
        results = {name: timed(cmd, args.runs, env) for name, cmd in cases.items()}
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {args.runs} runs each; pages: "
        + ", ".join(f"{name} {size:,} bytes" for name, size in sorted(sizes.items()))
        + "\n"
    )
    print_table(results, "python -c pass (anchor)", "add", 0.5)


if __name__ == "__main__":
    main()
