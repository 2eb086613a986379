"""`narrative-diff compare` as a user runs it on the shipped ILRS series and on files."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import PINNED

from .test_cli import run

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads(
    (resources.files("narrative_diff") / "schemas" / "compare-1.2.schema.json").read_text()
)


@pytest.fixture(autouse=True)
def _in_checkout(monkeypatch, tmp_path):
    """Run from a folder like the checkout's root as shipped: ./seeds is the pinned series
    (never the checkout's own seeds/, which may hold a user's snapshots)."""
    shutil.copytree(PINNED, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)


def test_v1_v3_summary_first_shows_the_story(capsys):
    code, out, err = run(capsys, "compare", "v1", "v3")
    assert (code, err) == (0, "")
    summary, passages = out.split("Changed passages", 1)
    assert "NARRATIVE CHANGE" in summary.splitlines()[4]
    assert "“Reconnaissance” → “Basic Model” (1×, consistency 1.00)" in summary
    assert "“Russia as equal collaborators” → “built in partnership with several countries”" in (
        summary
    )
    written_out = summary.split("Named in a, not in b (written out)")[1].splitlines()[1]
    assert "Russia (4)" in written_out and "Roscosmos (3)" in written_out  # 3 + "Russia's"
    assert "Luna-25 (1)" in written_out
    assert "[edited 0.73] ¶6  The first phase is [-Reconnaissance-]{+Basic Model+}." in passages
    assert "[deleted] a¶8  [-The Chang'e-4, Chang'e-6, Chang'e-7 and Chang'e-8 missions" in passages


def test_json_output_validates_against_the_schema(capsys):
    code, out, _ = run(capsys, "compare", "v2", "v3", "--format", "json")
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert (data["a"]["ref"], data["b"]["ref"]) == ("v2", "v3")
    assert data["summary"]["narrative_change"] is True
    pairs = [(p["before"], p["after"]) for p in data["summary"]["replaced_phrases"]]
    assert (
        "was launched together with Russia",
        "is proposed by China and built in partnership with several countries",
    ) in pairs
    for seg in data["segments"]:
        assert "".join(t for op, t in seg["diff"] if op <= 0) == seg["a_text"]
        assert "".join(t for op, t in seg["diff"] if op >= 0) == seg["b_text"]


def test_exit_code_reports_a_narrative_change(capsys):
    assert run(capsys, "compare", "v1", "v3", "--exit-code", "-f", "json")[0] == 1
    code, out, _ = run(capsys, "compare", "v2", "ilrs/2022-01-white-paper", "--exit-code")
    assert code == 0 and "name the same snapshot" in out
    copy = Path.cwd() / "white-paper-copy.md"  # the same text outside the corpus: compared
    copy.write_bytes((PINNED / "ilrs" / "2022-01-white-paper.md").read_bytes())
    code, out, _ = run(capsys, "compare", "v2", copy, "--exit-code")
    assert code == 0 and "no narrative change: 12 unchanged (sentences)" in out


def test_noise_only_files_are_no_narrative_change(capsys, tmp_path):
    before = tmp_path / "before.txt"
    after = tmp_path / "after.txt"
    before.write_text(
        'Joint statement\n\nThe "ILRS" is open to all partners - jointly\nbuilt and operated.\n'
    )
    after.write_text(
        "Joint statement\n\nThe “ILRS” is open to all partners – jointly built and operated.\n"
    )
    code, out, _ = run(capsys, "compare", before, after, "--exit-code", "--plain")
    assert code == 0
    assert "no narrative change: 2 unchanged (sentences)" in out
    assert "Changed passages (0)" in out


def test_ignore_case_and_punctuation(capsys, tmp_path):
    before, after = tmp_path / "a.md", tmp_path / "b.md"
    before.write_text("# Note\n\nThe ILRS, a lunar station, is OPEN to partners.\n")
    after.write_text("# Note\n\nThe ilrs a lunar station is open to partners\n")
    assert run(capsys, "compare", before, after, "--exit-code")[0] == 1
    assert (
        run(
            capsys, "compare", before, after, "--exit-code", "--ignore-case", "--ignore-punctuation"
        )[0]
        == 0
    )


def test_markdown_and_html_outputs(capsys, tmp_path):
    target = tmp_path / "shift.md"
    code, out, err = run(capsys, "compare", "v1", "v3", "-f", "md", "-o", target)
    assert (code, out, err) == (0, "", f"wrote {target}\n")
    text = target.read_text()
    assert text.startswith("# Comparison: v1 → v3\n")
    assert "The first phase is ~~Reconnaissance~~<ins>Basic Model</ins>." in text
    code, out, _ = run(capsys, "compare", "v1", "v3", "-f", "html")
    assert "<del>Reconnaissance</del>" in out and "<ins>Basic Model</ins>" in out
    assert "Content-Security-Policy" in out and "<script" not in out


def test_html_escapes_document_text(capsys, tmp_path):
    before, after = tmp_path / "a.md", tmp_path / "b.md"
    before.write_text("# Note\n\nThe station is open.\n")
    after.write_text(
        "# Note\n\nThe station is <script>alert(1)</script> open <img src=x onerror=alert(2)>.\n"
    )
    code, out, _ = run(capsys, "compare", before, after, "-f", "html")
    assert code == 0
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_side_by_side_plain(capsys):
    code, out, _ = run(capsys, "compare", "v1", "v3", "--side-by-side", "--plain")
    assert code == 0
    row = next(line for line in out.splitlines() if "[-Reconnaissance-]" in line)
    assert "{+Basic Model+}" in row  # both columns on one line


def test_different_languages_warn(capsys):
    code, _, err = run(capsys, "compare", "v5", "v6", "-f", "json")
    assert code == 0
    assert err == (
        "warning: comparing en with zh: word changes across languages are translations, not edits\n"
    )


def test_unknown_ref_and_empty_document_are_one_line_errors(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "v1", "v42")
    assert (code, out) == (4, "")
    assert err == "narrative-diff: unknown-ref: no snapshot 'v42' in series ilrs; it has v1 to v6\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    code, _, err = run(capsys, "compare", "v1", empty)
    assert code == 3
    assert err.startswith("narrative-diff: empty-document: ") and err.count("\n") == 1


def test_bad_format_is_a_usage_error(capsys):
    code, _, err = run(capsys, "compare", "v1", "v2", "-f", "pdf")
    assert code == 2
    assert err == (
        "narrative-diff: bad-option: --format 'pdf' is not one of terminal, md, html, "
        "json; e.g. --format terminal\n"
    )


def test_a_diff_budget_that_is_not_a_number_is_refused(capsys):
    code, out, err = run(capsys, "compare", "v1", "v2", "--diff-timeout", "nan")
    assert (code, out) == (2, "")
    assert err == (
        "narrative-diff: bad-option: --diff-timeout nan is not a number of seconds; "
        "e.g. --diff-timeout 5 (0: no limit)\n"
    )


def test_a_diff_that_hits_its_budget_says_so(capsys, tmp_path):
    from narrative_diff.diff import diff_text
    from narrative_diff.similarity import DiffOptions

    words = [f"w{i}" for i in range(4000)]
    a = " ".join(words)
    b = " ".join(reversed(words))
    result = diff_text(a, b, DiffOptions(timeout=0.001))
    assert result.budget_hit
    assert result.b_text == b  # coarser, never wrong
    before, after = tmp_path / "a.txt", tmp_path / "b.txt"
    before.write_text(f"# T\n\n{a}.\n")
    after.write_text(f"# T\n\n{b}.\n")
    code, _, err = run(
        capsys,
        "compare",
        before,
        after,
        "-f",
        "json",
        "--diff-timeout",
        "0.001",
        "--threshold",
        "0.05",
    )
    assert code == 0
    assert "warning: a word diff hit its time budget" in err


@pytest.mark.parametrize(
    ("no_color", "marker"), [(True, "[-Reconnaissance-]"), (False, "\x1b[9;31mReconnaissance")]
)
def test_terminal_colour_and_no_color(no_color, marker):
    import io

    from rich.console import Console

    from narrative_diff import api
    from narrative_diff.render.compare_terminal import print_comparison

    result = api.compare_refs(api.open_corpus(PINNED), "v1", "v3")
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, no_color=no_color, width=200)
    print_comparison(result, console)
    assert marker in out.getvalue()
