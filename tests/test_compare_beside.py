"""A long comparison makes its summary, and what it reads of each text alone (readability,
actors, word indexes), in a second process (api.compare_refs, narrative_diff.beside),
while this one cuts the sentences, aligns, diffs, reads the changed segments and writes
the segments: the same output, byte for byte, as one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from narrative_diff import beside, scoring, shifts
from narrative_diff.api import comparing
from narrative_diff.segment import WordIndex

from .test_cli import run

pytestmark = pytest.mark.usefixtures("isolated")

needs_fork = pytest.mark.skipif(
    not beside.available(), reason="work beside needs Linux, fork and two cores"
)


def long_pair(folder, paragraphs: int = 120) -> tuple[str, str]:
    """Two English texts of about 3,000 words (120 paragraphs) that name actors
    differently."""
    para = (
        "The station is built by China together with Russia, and several countries "
        "take part. Roscosmos and CNSA signed the plan in Moscow. "
    )
    a = "# Plan\n\n" + "\n\n".join(f"{para} Step {n} follows." for n in range(paragraphs))
    a += "\n"
    b = a.replace("together with Russia", "with partners").replace("Step 7 ", "Phase 7 ")
    b += "\nPakistan and Egypt joined the work in 2024.\n"
    paths = folder / "a.md", folder / "b.md"
    for path, text in zip(paths, (a, b), strict=True):
        path.write_text(text, encoding="utf-8")
    return str(paths[0]), str(paths[1])


@needs_fork
def test_a_long_comparison_beside_prints_what_one_process_prints(capsys, tmp_path, monkeypatch):
    first, second = long_pair(tmp_path)
    # what one process computes itself, the parent leaves to the child
    parent, computed_here = os.getpid(), []
    watched = (
        (shifts, "readability_change"),
        (scoring, "actor_changes"),
        (WordIndex, "of_words"),
        (shifts, "summary_of"),
    )
    for module, name in watched:

        def here_or_there(*args, real=getattr(module, name), name=name, **kwargs):  # noqa: B008
            if os.getpid() == parent:
                computed_here.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, here_or_there)
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    alone = {fmt: run(capsys, "compare", first, second, "-f", fmt) for fmt in ("json", "md")}
    assert [code for code, _, _ in alone.values()] == [0, 0]
    assert set(computed_here) == {name for _, name in watched}  # (the watch sees them)
    computed_here.clear()
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS")
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    for fmt in ("json", "md"):  # (compact JSON is written while the summary is made)
        assert run(capsys, "compare", first, second, "-f", fmt) == alone[fmt]
    assert computed_here == []
    assert (
        '"event": "APPEARED", "evidence_a": [], "evidence_b": ["Pakistan and Egypt'
        in (alone["json"][1])
    )


@needs_fork
@pytest.mark.parametrize("job", ["prepare", "sentences", "summary"])
@pytest.mark.parametrize("fmt", ["json", "md"])
def test_a_comparison_whose_child_fails_is_made_here(capsys, tmp_path, monkeypatch, job, fmt):
    first, second = long_pair(tmp_path)
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    code, alone, _ = run(capsys, "compare", first, second, "-f", fmt)
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS")
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    parent = os.getpid()
    real = getattr(comparing.Beside, job)

    def dying_in_the_child(*args):
        if os.getpid() != parent:
            os._exit(3)  # killed, out of memory: the parent does the work itself
        return real(*args)

    monkeypatch.setattr(comparing.Beside, job, dying_in_the_child)
    code, pair, err = run(capsys, "compare", first, second, "-f", fmt)
    assert (code, err) == (0, "") and pair == alone


def test_a_short_comparison_stays_in_one_process(capsys, tmp_path, monkeypatch):
    first, second = long_pair(tmp_path)
    monkeypatch.setattr(beside, "Drawer", lambda *a, **k: pytest.fail("forked"))
    code, out, err = run(capsys, "compare", first, second, "-f", "json")
    assert (code, err) == (0, "") and '"actors"' in out


@needs_fork
def test_a_refusal_in_the_second_process_is_the_commands_not_worked_out_again(
    capsys, tmp_path, monkeypatch
):
    from narrative_diff.errors import ActorsFileError

    first, second = long_pair(tmp_path)
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    parent, asked_here = os.getpid(), []
    real = scoring.actor_changes

    def over_budget(*args, **kwargs):
        if os.getpid() == parent:
            asked_here.append(1)
            return real(*args, **kwargs)
        raise ActorsFileError(
            "pattern 'N countries' took more than its budget",
            hint="simplify it",
            slug="pattern-budget",
        )

    monkeypatch.setattr(scoring, "actor_changes", over_budget)
    code, out, err = run(capsys, "compare", first, second, "-f", "json")
    lines = err.strip().splitlines()
    assert (code, out, asked_here) == (3, "", [])
    assert lines == [
        "narrative-diff: pattern-budget: pattern 'N countries' took more than its budget; "
        "simplify it"
    ]


@needs_fork
def test_stored_snapshots_are_read_before_the_second_process_is_made(capsys, tmp_path, monkeypatch):
    """Files on disk: the process is made before they are read (it loads its libraries
    meanwhile) and sent the texts; stored snapshots: made once they are read. Both give
    what one process gives."""
    first, second = long_pair(tmp_path)
    assert run(capsys, "init", "store")[0] == 0
    for path, date in ((first, "2024-01-01"), (second, "2024-02-01")):
        code, _, err = run(capsys, "add", path, "-s", "plan", "-d", date, "-c", "store")
        assert code == 0, err
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    code, alone, err = run(capsys, "compare", "plan:v1", "plan:v2", "-f", "json", "-c", "store")
    assert code == 0, err
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS")
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    made: list[str] = []
    real_early, real_drawer = comparing._beside_early, beside.Drawer

    def early(*refs):
        made.append("early" if (drawer := real_early(*refs)) else "not early")
        return drawer

    def drawer(*args, **kwargs):
        made.append("made")
        return real_drawer(*args, **kwargs)

    monkeypatch.setattr(comparing, "_beside_early", early)
    monkeypatch.setattr(beside, "Drawer", drawer)
    code, pair, err = run(capsys, "compare", "plan:v1", "plan:v2", "-f", "json", "-c", "store")
    assert (code, err) == (0, "") and pair == alone
    assert made == ["not early", "made"]
    made.clear()
    code, files, err = run(capsys, "compare", first, second, "-f", "json")
    assert (code, err) == (0, "") and made == ["made", "early"]
    assert files.split('"options"')[1] == alone.split('"options"')[1]  # (refs and ids differ)


@needs_fork
def test_the_texts_are_sent_without_waiting_for_the_second_process(capsys, tmp_path, monkeypatch):
    """The second process takes its work only once it has loaded its libraries; the texts
    (more than a pipe holds) are sent meanwhile, and this process goes on aligning."""
    import time

    first, second = long_pair(tmp_path, paragraphs=1000)  # each text more than a pipe holds
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    code, alone, _ = run(capsys, "compare", first, second, "-f", "json")
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS")
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(comparing, "_warm_up", lambda: time.sleep(1.5))
    spent: list[float] = []
    real_start = beside.Drawer.start

    def start(self, *args, **kwargs):
        began = time.perf_counter()
        real_start(self, *args, **kwargs)
        spent.append(time.perf_counter() - began)

    monkeypatch.setattr(beside.Drawer, "start", start)
    code, pair, err = run(capsys, "compare", first, second, "-f", "json")
    assert (code, err) == (0, "") and pair == alone
    # the texts, the sentence cuts, then the changed segments
    assert len(spent) == 3 and max(spent) < 0.5


def test_chinese_texts_are_not_indexed_by_word(tmp_path):
    """The summary reads no word index for Chinese (no capitals, no modal words to count):
    the second process does not make one; for English it does, before it is asked."""
    from narrative_diff.api import document_snapshot

    para = "国际月球科研站由中国与俄罗斯共同发起。多国参与建设。"
    a = "# 计划\n\n" + "\n\n".join(f"{para}第{n}步。" for n in range(200)) + "\n"
    paths = tmp_path / "a.md", tmp_path / "b.md"
    for path, text in zip(paths, (a, a.replace("与俄罗斯共同发起", "发起")), strict=True):
        path.write_text(text, encoding="utf-8")
    chinese = comparing.Beside(*map(document_snapshot, paths), None)
    chinese.prepare()
    assert "word_indexes" not in vars(chinese) and "words" in vars(chinese.b)
    english = comparing.Beside(*(document_snapshot(Path(p)) for p in long_pair(tmp_path)), None)
    english.prepare()
    assert "word_indexes" in vars(english)


def test_the_second_process_reads_the_sentences_as_this_one_cut_them(tmp_path, monkeypatch):
    """Job ``sentences`` is given each text's sentence cuts: it does not run the sentence
    splitter, and its readability and actor block are what one process computes."""
    from narrative_diff import segment as segment_module
    from narrative_diff.api import document_snapshot
    from narrative_diff.compare import segment_pair

    a, b = (document_snapshot(Path(p)) for p in long_pair(tmp_path, paragraphs=30))
    actors = comparing.load_actors()
    alone = comparing.Beside(a, b, actors)
    expected = alone.readability, alone.actor_block
    cuts = tuple(segment_module.sentence_cuts(side) for side in segment_pair(a, b))
    monkeypatch.setattr(segment_module, "split_sentences", lambda *_: pytest.fail("cut again"))
    half = comparing.Beside(a, b, actors)
    half(comparing.PREPARE)
    half(comparing.SENTENCES, cuts)
    assert (half.readability, half.actor_block) == expected and expected[1]
    assert half.segmented == alone.segmented


def test_the_summary_from_the_changes_alone_is_the_summary(tmp_path):
    """What the second process is sent (the segments that changed, the count of each op)
    gives the summary one process makes from every segment."""
    from narrative_diff.api import document_snapshot
    from narrative_diff.compare import compare, pair

    a, b = (document_snapshot(Path(p)) for p in long_pair(tmp_path, paragraphs=30))
    paired = pair(a, b)
    changed = paired.changed()
    assert 0 < len(changed.segments) < len(paired.segments)
    whole = compare(a, b).summary
    assert comparing.Beside(a, b, None).summary(changed) == whole


def test_the_changed_segments_handed_on_first_are_what_the_pair_gives(tmp_path):
    """pair(on_changed=…) makes the segments that changed first and hands them on before
    the unchanged ones: the same Changed, and then the same segments, as without."""
    from narrative_diff.api import document_snapshot
    from narrative_diff.compare import pair

    a, b = (document_snapshot(Path(p)) for p in long_pair(tmp_path, paragraphs=30))
    handed: list[object] = []
    early = pair(a, b, on_changed=handed.append)
    plain = pair(a, b)
    assert handed == [plain.changed()] and early.segments == plain.segments
    assert plain.changed().counts["unchanged"] > 0 < len(plain.changed().segments)


@needs_fork
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_pattern_fails_the_comparison_in_one_line_in_either_process(
    capsys, tmp_path, monkeypatch, workers
):
    """compare reads the actors file's shape at once and compiles its aliases and patterns
    where they are used: for a long comparison, beside this process. A pattern that does
    not compile fails the command with the same line either way, and nothing is printed;
    with two processes this one never compiles it."""
    from narrative_diff import actors as actors_module

    first, second = long_pair(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[actors.x]\nname = "X"\naliases = ["X"]\npatterns = ["(x"]\n', encoding="utf-8")
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", workers)
    parent, compiled_here = os.getpid(), []
    real = actors_module.ActorMatcher.__init__

    def watched(self, *args):
        if os.getpid() == parent:
            compiled_here.append(1)
        return real(self, *args)

    monkeypatch.setattr(actors_module.ActorMatcher, "__init__", watched)
    code, out, err = run(capsys, "compare", first, second, "-f", "json", "--actors", str(bad))
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        f"narrative-diff: invalid-actors: {bad}: actor 'x' has an invalid pattern '(x': "
        "missing ), unterminated subpattern at position 0; fix the actors file; "
        "'narrative-diff actors --actors FILE' checks it"
    ]
    assert bool(compiled_here) == (workers == "1")


@needs_fork
def test_a_bad_pattern_found_beside_stops_the_comparison_before_the_alignment(
    capsys, tmp_path, monkeypatch
):
    """The second process checks the actors first: once its refusal has come, this
    process stops before aligning the pair for nothing (here it is made to wait for it)."""
    import time

    from narrative_diff import compare as compare_module

    first, second = long_pair(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[actors.x]\nname = "X"\naliases = ["X"]\npatterns = ["(x"]\n', encoding="utf-8")
    monkeypatch.setattr(comparing, "BESIDE_MIN_CHARS", 0)
    real_cut, paired = compare_module.segment_pair, []

    def slow_cut(*args):
        time.sleep(1.5)  # (the second process's warm-up and its refusal come meanwhile)
        return real_cut(*args)

    monkeypatch.setattr(compare_module, "segment_pair", slow_cut)
    monkeypatch.setattr(compare_module, "pair", lambda *a, **k: paired.append(1))
    code, out, err = run(capsys, "compare", first, second, "-f", "json", "--actors", str(bad))
    assert (code, out, paired) == (3, "", [])
    assert "invalid pattern '(x'" in err and len(err.splitlines()) == 1
