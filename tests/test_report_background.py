"""Charts drawn in a second process beside the PDF's text (report/background.py): the same
files as drawing them in one process, and nothing lost when the second process fails.

The :class:`Drawer` tests use small module-level draw functions (the child gets them by
pickling, which names them by module), so they say exactly what the child did.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff import beside as background
from narrative_diff.beside import WORKERS_ENV, Drawer

from .helpers import PINNED

needs_fork = pytest.mark.skipif(
    not background.available(), reason="drawing beside needs Linux, fork and two cores"
)


def named(job: str) -> list[bytes]:
    """A job's result says which process made it."""
    return [job.encode(), str(os.getpid()).encode()]


def failing(job: str) -> list[bytes]:
    if job == "svg":
        raise ValueError(f"cannot draw {job} in {os.getpid()}")
    return named(job)


def warning(job: str) -> list[bytes]:
    warnings.warn(f"glyph missing in {job}", UserWarning, stacklevel=1)
    return named(job)


def nothing() -> None:
    return None


def dying() -> None:
    os._exit(9)  # the child is killed before it gets its jobs


@needs_fork
def test_jobs_are_drawn_by_the_child_in_order():
    drawer = Drawer(nothing)
    try:
        drawer.start(named, ["png", "svg"])
        png, svg = drawer.get("png"), drawer.get("svg")
    finally:
        drawer.close()
    assert png[0] == b"png" and svg[0] == b"svg"
    assert int(png[1]) == int(svg[1]) != os.getpid()  # one child drew both


@needs_fork
def test_a_dead_child_leaves_the_drawing_to_the_parent():
    drawer = Drawer(dying)
    try:
        drawer.start(named, ["png", "svg"])
        assert drawer.get("png") == [b"png", str(os.getpid()).encode()]
        assert drawer.get("svg")[1] == str(os.getpid()).encode()
    finally:
        drawer.close()


@needs_fork
def test_an_error_in_the_child_is_raised_by_the_parent_drawing_again():
    drawer = Drawer(nothing)
    try:
        drawer.start(failing, ["png", "svg", "card"])
        assert int(drawer.get("png")[1]) != os.getpid()
        with pytest.raises(ValueError, match=f"cannot draw svg in {os.getpid()}$"):
            drawer.get("svg")
        # what the child did not reach is drawn here
        assert drawer.get("card") == [b"card", str(os.getpid()).encode()]
    finally:
        drawer.close()


@needs_fork
def test_the_childs_warnings_are_raised_in_the_parent():
    drawer = Drawer(nothing)
    try:
        drawer.start(warning, ["png"])
        with pytest.warns(UserWarning, match="glyph missing in png"):
            result = drawer.get("png")
    finally:
        drawer.close()
    assert int(result[1]) != os.getpid()


@needs_fork
def test_a_drawer_never_started_ends_at_once():
    drawer = Drawer(nothing)
    drawer.close()
    assert not drawer._process.is_alive()
    assert drawer._process.exitcode is not None


class Tally:
    """Work that keeps what its jobs found: ``count`` remembers the process, ``add`` (given
    a number) answers with it, the number and how many jobs this object has done."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, job: str, given: int | None = None) -> tuple[int, int | None, int]:
        self.done += 1
        return os.getpid(), given, self.done


@needs_fork
def test_a_later_order_reuses_the_childs_work_and_is_given_values():
    drawer = Drawer(nothing)
    try:
        drawer.start(Tally(), ["count"])
        drawer.start(None, ["add", "more"], given={"add": 40})
        first, added, more = drawer.get("count"), drawer.get("add"), drawer.get("more")
    finally:
        drawer.close()
    assert first[0] == added[0] == more[0] != os.getpid()  # one child, one object
    assert (first[1:], added[1:], more[1:]) == ((None, 1), (40, 2), (None, 3))


@needs_fork
def test_a_job_given_a_value_is_done_here_with_it_when_the_child_dies():
    drawer = Drawer(dying)
    try:
        drawer.start(Tally(), ["count"])
        drawer.start(None, ["add"], given={"add": 2})
        assert drawer.get("add") == (os.getpid(), 2, 1)
    finally:
        drawer.close()


@needs_fork
def test_a_job_never_ordered_is_drawn_here_at_once():
    drawer = Drawer(nothing)
    try:
        drawer.start(named, ["png"])
        assert drawer.get("svg") == [b"svg", str(os.getpid()).encode()]
        assert int(drawer.get("png")[1]) != os.getpid()
    finally:
        drawer.close()


#: Where :func:`slow_finish` writes once it has slept (set before the fork: inherited).
FINISHED: list[Path] = []


def slow_finish() -> None:
    import time

    time.sleep(0.6)
    FINISHED[0].write_text("finished", encoding="utf-8")


@needs_fork
def test_a_child_done_with_its_jobs_ends_on_its_own_after_its_finish(tmp_path):
    """close() lets a child that has sent everything end at its end of file, after its
    finish (which a stop would skip), and waits for that; a child with no finish is not
    waited for."""
    import time

    FINISHED[:] = [tmp_path / "finished"]
    drawer = Drawer(nothing, slow_finish)
    drawer.start(named, ["png"])
    assert int(drawer.get("png")[1]) != os.getpid()
    drawer.close()
    assert drawer._process.exitcode == 0  # ended, not stopped
    assert FINISHED[0].read_text(encoding="utf-8") == "finished"
    quick = Drawer(nothing)
    quick.start(named, ["png"])
    quick.get("png")
    began = time.perf_counter()
    quick.close()
    assert time.perf_counter() - began < 0.3
    quick._process.join(timeout=10)
    assert quick._process.exitcode == 0


def test_one_worker_means_no_second_process(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "1")
    assert not background.available()


@needs_fork
def test_drawing_beside_gives_the_same_files_as_drawing_in_one_process(tmp_path, monkeypatch):
    """Every default output, byte for byte, with the charts drawn in a second process
    (and that process was really used) and without it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    started: list[Drawer] = []
    real_start = Drawer.start

    def spy(self: Drawer, draw, jobs) -> None:
        started.append(self)
        real_start(self, draw, jobs)

    monkeypatch.setattr(Drawer, "start", spy)
    outputs: dict[str, dict[str, bytes]] = {}
    for name, workers in (("beside", ""), ("alone", "1")):
        monkeypatch.setenv(WORKERS_ENV, workers)
        folder = tmp_path / name
        folder.mkdir()
        monkeypatch.chdir(folder)
        written = api.report_series(api.open_corpus(PINNED), "ilrs")
        outputs[name] = {item.path.name: Path(item.path).read_bytes() for item in written}
    assert len(started) == 1  # the first run only
    assert sorted(outputs["beside"]) == sorted(outputs["alone"])
    assert len(outputs["beside"]) == 8  # the PDF, the HTML, the card, three charts, two heat-maps
    for name, data in outputs["beside"].items():
        assert data == outputs["alone"][name], name


@needs_fork
def test_close_never_waits_for_a_child_that_got_no_jobs():
    """A draw that cannot be pickled is done here; close() still ends the child."""
    drawer = Drawer(nothing)
    drawer.start(lambda job: [job.encode()], ["png"])  # a lambda does not pickle
    assert drawer.get("png") == [b"png"]
    drawer.close()
    assert drawer._process.exitcode is not None


@needs_fork
def test_a_refused_fork_leaves_the_drawing_here(tmp_path, monkeypatch):
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    monkeypatch.chdir(tmp_path)
    written = api.report_series(api.open_corpus(PINNED), "ilrs", "ilrs.pdf")
    assert [item.path.name for item in written] == ["ilrs.pdf"]
    assert (tmp_path / "ilrs.pdf").read_bytes().startswith(b"%PDF")


def test_a_daemonic_process_draws_itself(monkeypatch):
    import multiprocessing

    class Pooled:
        daemon = True

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Pooled())
    assert not background.available()


class Picky(UserWarning):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def picky(job: str) -> list[bytes]:
    warnings.warn(Picky(f"odd warning in {job}", 3), stacklevel=1)
    return named(job)


@needs_fork
def test_a_warning_class_that_needs_more_arguments_comes_back_as_a_user_warning():
    drawer = Drawer(nothing)
    try:
        drawer.start(picky, ["png"])
        with pytest.warns(UserWarning, match="odd warning in png"):
            drawer.get("png")
    finally:
        drawer.close()


@needs_fork
def test_a_killed_parent_takes_the_child_with_it(tmp_path):
    """SIGKILL gives the parent no time to stop the child: the child sees the pipes
    close and ends, so whoever reads the command's output is not kept waiting."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "narrative_diff", "report", "--corpus", str(PINNED)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    ends = time.monotonic() + 20
    child = ""
    while time.monotonic() < ends and not child:
        time.sleep(0.02)
        child = children.read_text().strip() if children.exists() else ""
    assert child, "the report forked no child"
    time.sleep(0.3)  # the child is importing matplotlib or waiting for its jobs
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=20)  # returns once the child has closed the output pipes
    ends = time.monotonic() + 10
    while Path(f"/proc/{child.split()[0]}").exists() and time.monotonic() < ends:
        time.sleep(0.05)
    stat = Path(f"/proc/{child.split()[0]}/stat")
    assert not stat.exists() or stat.read_text().split()[2] == "Z"


def test_every_format_sets_its_text_before_any_waits_for_an_image(tmp_path, monkeypatch):
    """The PDF's and the HTML page's text are both set before the first image is asked
    for: the drawing goes on meanwhile; the images go in last, each format's in turn."""
    from narrative_diff.report import html, pdf
    from narrative_diff.report.renderers import Art

    said: list[str] = []
    for module, fmt in ((pdf, "pdf"), (html, "html")):

        def set_text(report, fonts, real=module.set_text, fmt=fmt):
            with_images = real(report, fonts)
            said.append(f"text {fmt}")
            return with_images

        monkeypatch.setattr(module, "set_text", set_text)
    real_made = Art.made

    def made(self: Art, job: str) -> list[bytes]:
        said.append(f"image {job}")
        return real_made(self, job)

    monkeypatch.setattr(Art, "made", made)
    monkeypatch.chdir(tmp_path)
    stages: list[str] = []
    written = api.report_series(
        api.open_corpus(PINNED), "ilrs", progress=lambda stage, done, total: stages.append(stage)
    )
    assert len(written) == 8
    shown = list(dict.fromkeys(stages))
    at = shown.index("laying out the PDF")
    assert shown[at:] == [
        "laying out the PDF",
        "writing the HTML",
        "putting in the charts",
        "drawing the summary card",
        "writing the files",
    ]
    assert said[:2] == ["text pdf", "text html"]
    assert said[2:] == ["image png", "image heat"] * 2 + ["image card", "image png", "image heat"]


@needs_fork
def test_work_given_when_the_child_is_made_is_inherited_not_sent():
    text = "x" * 1000

    def closure(job: str) -> list[bytes]:  # a closure cannot be pickled: it must be inherited
        return [job.encode(), str(len(text)).encode(), str(os.getpid()).encode()]

    drawer = Drawer(nothing, draw=closure)
    try:
        drawer.start(None, ["one"])
        got = drawer.get("one")
    finally:
        drawer.close()
    assert got[:2] == [b"one", b"1000"] and int(got[2]) != os.getpid()


def refusing(job: str) -> list[bytes]:
    """In the child, a user's error; in the parent (were it asked again), a result."""
    from narrative_diff.errors import UsageProblem

    if os.getpid() != PARENT[0]:
        raise UsageProblem(f"{job} refused", hint="fix the input", slug="pattern-budget")
    return named(job)


PARENT = [os.getpid()]


@needs_fork
def test_a_users_error_in_the_child_is_raised_as_it_is_not_worked_out_again():
    PARENT[0] = os.getpid()
    drawer = Drawer(nothing)
    try:
        drawer.start(refusing, ["png"])
        with pytest.raises(Exception) as raised:
            drawer.get("png")
    finally:
        drawer.close()
    error = raised.value
    assert (type(error).__name__, error.slug, error.hint) == (
        "UsageProblem",
        "pattern-budget",
        "fix the input",
    )
    assert str(error) == "png refused; fix the input"


@needs_fork
def test_a_child_busy_with_a_long_job_ends_with_its_killed_parent(tmp_path):
    """SIGKILL runs no clean-up and a busy child reads no pipe: the kernel ends it."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import time, sys\n"
        "from narrative_diff.beside import Drawer\n"
        "def busy(job):\n"
        "    time.sleep(60)\n"
        "    return job\n"
        "d = Drawer(lambda: None, draw=busy)\n"
        "d.start(None, ['x'])\n"
        "print(d._process.pid, flush=True)\n"
        "d.get('x')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    ends = time.monotonic() + 5
    stat = Path(f"/proc/{child}/stat")
    while stat.exists() and stat.read_text().split()[2] != "Z" and time.monotonic() < ends:
        time.sleep(0.05)
    assert not stat.exists() or stat.read_text().split()[2] == "Z"
