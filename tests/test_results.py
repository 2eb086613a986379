"""Typed results: derived values, the published key order, one JSON policy, the renderer
registry, and commands as thin layers over the api."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.changes import ChangeRow
from narrative_diff.cli import main
from narrative_diff.report import RENDERERS
from narrative_diff.scoring import SCORE_COLUMNS
from narrative_diff.serialise import to_csv, to_json
from tests.helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
SEEDS = PINNED

ROW = ChangeRow(
    actor="russia",
    actor_name="Russia",
    kind="actor",
    from_id="s/a",
    to_id="s/b",
    from_date="2021-01-01",
    to_date="2022-01-01",
    count_from=6,
    count_to=0,
    words_from=100,
    words_to=100,
    prominence_from=4.0,
    prominence_to=0.0,
    share_of_voice_from=0.5,
    share_of_voice_to=0.0,
    prominence_change=-4.0,
    share_of_voice_change=-0.5,
    p_value=0.03125,
    prominence_ci=(-5.0, -3.0),
    share_of_voice_ci=(-0.6, -0.4),
)


def test_event_and_label_are_derived_from_the_stored_values():
    assert (ROW.event, ROW.label) == ("DISAPPEARED", "supported")
    assert replace(ROW, p_value=0.05).label == "directional"  # p must be below 0.05
    assert replace(ROW, p_value=0.0499).label == "supported"
    assert replace(ROW, prominence_ci=(-5.0, 0.0)).label == "directional"  # 0 inside
    assert replace(ROW, cross_language=True).label == "cross-language"
    assert replace(ROW, p_value=None, prominence_ci=None).label == ""  # nothing tested
    assert replace(ROW, count_from=0, count_to=0).label == ""  # 0 → 0: nothing to test
    assert replace(ROW, count_from=0, count_to=3).event == "APPEARED"
    assert replace(ROW, count_to=2).event == ""


def test_change_rows_publish_their_keys_in_order():
    keys = list(ROW.as_dict())
    assert keys[:7] == ["actor", "actor_name", "kind", "from", "to", "from_date", "to_date"]
    assert keys[-3:] == ["share_of_voice_change", "share_of_voice_ci", "label"]
    assert ROW.as_dict()["label"] == "supported" and ROW.as_dict()["from"] == "s/a"


def test_score_json_and_csv_carry_the_same_rows():
    """The CSV has SCORE_COLUMNS as header, and each cell is the JSON value as text."""
    result = api.score_series(api.open_corpus(SEEDS), "ilrs")
    data = json.loads(to_json(result.as_dict()))
    csv_lines = to_csv([r.as_dict() for r in result.rows], SCORE_COLUMNS).splitlines()
    assert csv_lines[0].split(",") == list(SCORE_COLUMNS)
    assert len(csv_lines) - 1 == len(data["scores"]) == len(result.rows)
    russia_v1 = next(r for r in data["scores"] if r["actor"] == "russia" and r["ref"] == "v1")
    assert (russia_v1["count"], russia_v1["prominence"]) == (9, 7.7374)
    frame = api.score_frame(result)
    assert list(frame.columns) == list(SCORE_COLUMNS)
    assert frame.loc[(frame.actor == "russia") & (frame.ref == "v1"), "count"].item() == 9
    changes = api.change_frame(result)
    gone = changes[(changes.actor == "russia") & (changes.event == "DISAPPEARED")]
    assert len(gone) == 2  # v2 → v3 and first → last


def test_json_policy_refuses_nan_and_keeps_unicode_and_order():
    assert to_json({"z": "俄罗斯", "a": None}, indent=None) == '{"z": "俄罗斯", "a": null}'
    with pytest.raises(ValueError, match="JSON compliant"):
        to_json({"x": math.nan})
    assert to_csv([], ["a", "b"]) == "a,b\n"  # an empty table still has its header


def test_the_markdown_renderer_draws_the_report():
    """The registry is the only way to a format; the Markdown one draws the findings, the
    table and the redline of the report model."""
    report = api.build_report(api.open_corpus(SEEDS), "ilrs")
    assert set(RENDERERS) == {"pdf", "html", "png", "md"}
    md = RENDERERS["md"].draw(report, None)()  # type: ignore[arg-type]  # md needs no art
    text = md[0].data.decode("utf-8")
    assert text.startswith(
        "# International Lunar Research Station (ILRS): how the narrative changed, v1 to v6\n"
    )
    assert "1. **Russia: 9 mentions in 2021-06 (v1), 2 in 2022-01 (v2)" in text
    assert "“Reconnaissance” renamed “Basic Model”" in text
    # the redline marks deletions and insertions, each the right way round
    assert (
        "The ILRS was ~~jointly initiated by China and Russia as equal collaborators~~"
        "<ins>launched together with Russia</ins>." in text
    )
    assert "| v1 | 2021-06-16 | Russia | 9 | 36.14 | 7.74 | 51% |  |" in text


def test_markdown_report_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "ilrs.md"
    assert main(["report", "--corpus", str(SEEDS), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## v2 → v3 (2022-01-28 → 2023-05-01)" in text
    assert "DISAPPEARED" in text
    assert f"wrote {out} (Markdown report" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", ["compare_rendered"]), ("md", ["compare_rendered"]), ("terminal", ["compare_refs"])],
)
def test_commands_call_the_api(monkeypatch, capsys, fmt, expected):
    """A command parses, calls one api function and prints: compare goes through
    api.compare_rendered for a format written out, api.compare_refs for the terminal."""
    calls: list[str] = []
    for name in ("compare_refs", "compare_rendered", "render_comparison"):

        def spy(*args, real=getattr(api, name), name=name, **kwargs):  # noqa: B008
            calls.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(api, name, spy)
    assert main(["compare", "v1", "v3", "--corpus", str(SEEDS), "-f", fmt]) == 0
    assert calls == expected
    assert "Basic Model" in capsys.readouterr().out


def test_help_groups_the_commands(capsys):
    """--help lists every command once, in three panels: the corpus, the comparison, then
    actors, scores and reports."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    panels = [out.index(title) for title in ("Corpus", "Compare ─", "Actors, scores and reports")]
    assert panels == sorted(panels)
    commands = ["list", "show", "add", "check", "init", "compare"]
    commands += ["actors", "score", "kwic", "chart", "report"]
    lines = [line.split()[1] for line in out.splitlines() if line.startswith("│ ")]
    assert [c for c in lines if c in commands] == commands


def test_interval_is_the_central_95_percent():
    """The bootstrap interval's bounds are the 2.5th and 97.5th percentiles (a one-line
    change of either once went unnoticed)."""
    import numpy as np

    from narrative_diff.changes import _interval

    assert _interval(np.arange(1001, dtype=float)) == (25.0, 975.0)


def test_a_refused_report_folder_is_named_by_errno(tmp_path, monkeypatch, capsys):
    """reports/ that the system will not create: permission-denied, exit 8."""
    import errno

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Path, "mkdir", refuse)
    assert main(["report", "--corpus", str(SEEDS)]) == 8
    err = capsys.readouterr().err
    assert err.startswith("narrative-diff: permission-denied: cannot create folder reports: ")
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fmt", "indent"), [("json", None), ("json", 2), ("md", None)])
def test_a_rendered_comparison_is_the_comparison_rendered(fmt, indent):
    """compare_rendered writes compact JSON's segments before the summary is made and
    joins the two: the text render_comparison gives for the whole comparison."""
    store = api.open_corpus(SEEDS)
    rendered = api.compare_rendered(store, "v1", "v3", fmt, indent=indent)
    whole = api.render_comparison(api.compare_refs(store, "v1", "v3"), fmt, indent=indent)
    assert rendered.text == whole
    assert rendered.comparison.summary.renames[0].after == "Basic Model"
