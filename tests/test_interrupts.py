"""Interrupted and concurrent work, in real processes: Ctrl-C (SIGINT) and SIGTERM during
``add`` and ``report`` leave no partial snapshot, no half-written report and no temporary
file; ten ``add`` processes at once all land, exactly once each."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from narrative_diff.check import check_corpus
from narrative_diff.corpus import Corpus

from .helpers import PINNED, add_command, tree_digest

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).parent / "narrative-diff")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(PINNED, root)
    return root


def slow_html(folder: Path) -> Path:
    """A page that takes several seconds to extract (30 MB of text in one paragraph)."""
    path = folder / "long.html"
    with path.open("wb") as out:
        out.write(b"<html><body><p>")
        chunk = b"The station is proposed by China and built with partners. " * 1000
        for _ in range(30_000_000 // len(chunk)):
            out.write(chunk)
        out.write(b"</p></body></html>")
    return path


def add_args(source: Path, corpus: Path, *extra: str) -> list[str]:
    """``narrative-diff add SOURCE`` into the ilrs series of ``corpus``, as a process."""
    return [EXE, *add_command(source, corpus, *extra)]


def interrupt(argv: list[str], after: float, sig: int, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``argv``, send ``sig`` after ``after`` seconds, and return how it ended; the
    process must still be running when the signal is sent (else the test proves nothing)."""
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(after)
    assert proc.poll() is None, "the command ended before the signal: make it slower"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


@pytest.mark.parametrize(
    ("sig", "code", "word"),
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "terminated"),
    ],
)
def test_interrupted_add_leaves_the_corpus_as_it_was(corpus, tmp_path, sig, code, word):
    source = slow_html(tmp_path)
    before = tree_digest(corpus)
    done = interrupt(
        add_args(source, corpus, "--max-bytes", "60000000"),
        after=1.5,
        sig=sig,
        cwd=tmp_path,
    )
    assert done.returncode == code, done.stderr
    assert done.stderr.strip() == f"narrative-diff: {word}; nothing was half-written"
    assert tree_digest(corpus) == before
    assert not list(corpus.rglob("*.tmp"))


def _has_child(pid: int) -> bool:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return children.exists() and bool(children.read_text().split())


def interrupt_at_work(argv: list[str], sig: int, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``argv`` (a report) and send ``sig`` 0.3 s after it has forked its drawing
    process: it is then building the report or setting its text while the charts are
    drawn, whatever the machine's speed, and writes its files a second or more later.
    Without a second process (one core, no /proc), a second after the start."""
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    began = time.monotonic()
    while not _has_child(proc.pid) and time.monotonic() - began < 1.0:
        time.sleep(0.005)
    time.sleep(0.3)
    assert proc.poll() is None, "the command ended before the signal"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_report_leaves_no_file(tmp_path, sig):
    done = interrupt_at_work([EXE, "report", "--corpus", str(PINNED)], sig, tmp_path)
    assert done.returncode in (130, 143), done.stderr
    assert "Traceback" not in done.stderr
    written = (
        sorted(p.name for p in (tmp_path / "reports").iterdir())
        if (tmp_path / "reports").exists()
        else []
    )
    assert written == []  # no report at all: not a PDF without its HTML, never half a file


def test_ten_concurrent_adds_all_land_once(corpus, tmp_path):
    sources = []
    for n in range(10):
        path = tmp_path / f"statement-{n}.txt"
        path.write_text(f"# Statement {n}\n\nThe ILRS statement number {n} names China.\n")
        sources.append(path)
    procs = [
        subprocess.Popen(
            add_args(path, corpus, "--slug", f"statement-{n}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, path in enumerate(sources)
    ]
    results = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        results.append((proc.returncode, err))
    assert [code for code, _ in results] == [0] * 10, results
    snaps = Corpus(corpus).snapshots("ilrs")
    added = sorted(s.slug for s in snaps if s.slug.startswith("statement-"))
    assert added == sorted(f"statement-{n}" for n in range(10))
    _, problems = check_corpus(Corpus(corpus))
    assert problems == []
    assert not list(corpus.rglob("*.tmp"))


@pytest.mark.parametrize("args", [["list"], ["score"], ["compare", "v1", "v2", "-f", "json"]])
def test_a_full_disk_for_the_output_is_one_line(args, tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [EXE, *args, "--corpus", str(PINNED)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
    assert done.returncode == 7
    assert done.stderr == (
        "narrative-diff: cannot-write: could not write to standard output: No space left on "
        "device; what the command changed (e.g. an add) is complete, check with "
        "'narrative-diff list'\n"
    )


@pytest.mark.parametrize("args", [["list"], ["score"], ["kwic", "russia"]])
def test_a_closed_pipe_is_not_an_error(args, tmp_path):
    assert read_one_line([EXE, *args, "--corpus", str(PINNED)], tmp_path) == (0, b"")


def read_one_line(argv: list[str], cwd: Path) -> tuple[int, bytes]:
    """Run ``argv``, read one line of its output and close the pipe (like ``| head -1``):
    its exit code and what it said on stderr."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_pipe_closed_between_two_pieces_is_not_an_error(tmp_path, fmt):
    """3,150 score rows: CSV is printed in pieces of 2,000 rows, JSON in pieces of 64 Ki
    characters, and the reader goes after the first line. The second piece's write fails
    inside the command, not at the final flush (where the CLI already took a closed pipe
    for exit 0); typer, left to it, exits 1."""
    import datetime as dt

    from .helpers import make_snapshot

    (tmp_path / "corpus").mkdir()
    corpus = Corpus(tmp_path / "corpus")
    body = "China and Russia signed it. The ILRS has {n} partner countries. Egypt joined."
    for n in range(1, 151):
        day = dt.date(2030, 1, 1) + dt.timedelta(days=n)
        corpus.add(make_snapshot("big", f"s{n:03d}", day.isoformat(), body.format(n=n)))
    argv = [EXE, "score", "big", "-f", fmt, "--corpus", str(corpus.root)]
    assert read_one_line(argv, tmp_path) == (0, b"")


@pytest.mark.parametrize("name", ["KeyboardInterrupt", "Terminated"])
def test_an_interruption_inside_a_weakref_callback_reaches_the_command(monkeypatch, name):
    """Python can only print "Exception ignored" (with a traceback) for an exception raised
    in a weakref callback, which is where a signal lands when matplotlib or lxml are
    collecting: the hook raises it again, a millisecond later, in the command's code."""
    import weakref

    from narrative_diff import signals

    error = signals.Terminated if name == "Terminated" else KeyboardInterrupt
    printed: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", signals._redeliver(printed.append))
    alarm = signal.getsignal(signal.SIGALRM)
    try:
        with pytest.raises(error), signals.running():

            class Node:
                pass

            def callback(_ref: object) -> None:
                raise error  # as the signal handler does when the signal lands here

            node = Node()
            ref = weakref.ref(node, callback)
            del node  # the callback runs; its exception is "unraisable"
            time.sleep(2)  # interrupted within a millisecond
        assert ref() is None
    finally:
        signal.signal(signal.SIGALRM, alarm)
    assert printed == []  # nothing printed: no "Exception ignored", no traceback


def _spawned_workers() -> int:
    """Processes started by a spawn pool (their command line runs ``spawn_main``)."""
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            count += b"spawn_main" in cmdline.read_bytes()
        except OSError:
            continue
    return count


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts processes through /proc")
def test_interrupted_backfill_with_a_pool_is_one_line_and_leaves_no_worker(http_server, tmp_path):
    """Ctrl-C while captures are read in worker processes: one line, exit 130, every
    record line whole, every snapshot readable, and no worker left behind."""
    import json

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from add import news_page
    finally:
        sys.path.remove(str(ROOT / "bench"))
    page_url = "http://example.org/lunar.html"
    rows = [["timestamp", "original", "statuscode", "digest", "mimetype"]]
    page = news_page()
    for k in range(60):
        stamp = f"2024{1 + k // 28:02d}{1 + k % 28:02d}000000"
        rows.append([stamp, page_url, "200", f"D{k}", "text/html"])
        body = page.replace(f"met for the {k}th time", f"met for the {k}th time, again,")
        http_server.route(f"/web/{stamp}id_/{page_url}", body.encode())
    http_server.route("/cdx/search/cdx", json.dumps(rows).encode(), "application/json")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    before = _spawned_workers()
    argv = [EXE, "backfill", page_url, "--series", "lunar", "--archive", http_server.url("")]
    argv += ["--interval", "0", "--language", "en", "-c", str(corpus)]
    done = interrupt(argv, after=3.0, sig=signal.SIGINT, cwd=tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "narrative-diff: interrupted; nothing was half-written"
    time.sleep(1.0)
    assert _spawned_workers() <= before
    record = corpus / ".watch" / "backfill-lunar.jsonl"
    lines = record.read_text().splitlines() if record.exists() else []
    assert all(json.loads(line)["outcome"] == "added" for line in lines)
    _, problems = check_corpus(Corpus(corpus))
    assert problems == []


def test_a_pipe_closed_in_a_long_comparison_is_not_an_error(tmp_path):
    """compare -f json writes a long comparison in pieces (the segments, then the summary
    once it is made): a reader that goes after the first kilobyte (``| head -c 1000``) ends
    the command with exit 0 and nothing on stderr, as a closed pipe does elsewhere."""
    para = "The station is built by China together with Russia. Several countries take part."
    first = "# Plan\n\n" + "\n\n".join(f"{para} Step {n} follows." for n in range(3000)) + "\n"
    paths = tmp_path / "a.md", tmp_path / "b.md"
    paths[0].write_text(first, encoding="utf-8")
    paths[1].write_text(first.replace("Step 7 ", "Phase 7 "), encoding="utf-8")
    argv = [EXE, "compare", *map(str, paths), "-f", "json"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    assert proc.stdout.read(1000).startswith(b'{"schema_version": ')
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert (proc.wait(timeout=120), err) == (0, b"")


#: The console entry point with an exit handler and a file it never closes (flushed only
#: when the interpreter frees its objects at the end): what a quick end skips, and keeps.
ENDING = """
import atexit, sys
note = open(sys.argv.pop(1), "w")
note.write("freed at the end")
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.argv = ["narrative-diff", *sys.argv[1:]]
from narrative_diff.entry import run
run()
"""


@pytest.mark.parametrize(
    ("args", "code", "quick"),
    [
        (["compare", "v1", "v3", "-f", "json"], 0, True),
        (["compare", "v1", "v3", "-f", "json", "--exit-code"], 1, True),
        (["compare", "v1", "v3", "-f", "md", "-o", "out.md"], 0, True),
        (["list"], 0, False),
    ],
)
def test_a_comparison_ends_the_process_without_freeing_it(tmp_path, args, code, quick):
    """After a comparison the process ends at once (os._exit): its output whole, its exit
    code kept, the exit handlers run, and the interpreter's freeing of every object (a
    million for a long comparison) skipped; other commands end as Python ends."""
    note = tmp_path / "note"
    done = subprocess.run(
        [sys.executable, "-c", ENDING, str(note), *args, "--corpus", str(PINNED)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == code, done.stderr
    assert "exit handler ran" in done.stderr
    assert note.read_text() == ("" if quick else "freed at the end")
    if args[-1] == "json" or "--exit-code" in args:
        assert json.loads(done.stdout)["summary"]["narrative_change"] is True
    if "-o" in args:
        assert (tmp_path / "out.md").read_text(encoding="utf-8").startswith("# ")
