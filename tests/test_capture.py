"""Issue 11, the capture path end to end: mojibake repaired, real titles only, page dates,
ids that give way for a second version, mixed languages and the Chinese script, and the
extraction record in the front matter and in ``check``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.errors import CorpusError, UsageProblem
from narrative_diff.ingest import extract_bytes
from narrative_diff.ingest.language import chinese_script, identify
from narrative_diff.snapshot import Extraction, Snapshot

from .helpers import raises_slug

ROOT = Path(__file__).resolve().parents[1]
CLEAN = (ROOT / "fixtures" / "captures" / "encoding" / "clean.html").read_bytes()
DOUBLE = (ROOT / "fixtures" / "captures" / "encoding" / "double-encoded.html").read_bytes()


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def store(tmp_path: Path) -> api.Corpus:
    return api.init_corpus(tmp_path / "corpus")


# ------------------------------------------------------------------ mojibake
def test_the_fixture_really_is_double_encoded() -> None:
    assert "MayagÃ¼ez" in DOUBLE.decode("utf-8")
    assert "Mayagüez" in CLEAN.decode("utf-8")


def test_double_encoded_page_is_repaired_and_says_so() -> None:
    clean = extract_bytes(CLEAN, name="clean.html")
    double = extract_bytes(DOUBLE, name="double.html")
    assert double.body == clean.body
    assert double.extraction == clean.extraction  # repaired before extraction: same coverage
    assert "Mayagüez" in double.body and "Ã" not in double.body
    assert double.title == clean.title == "Ground stations in Mayagüez and Bayamón"
    assert clean.repairs == ()
    assert double.repairs == ("mojibake repaired by ftfy (encode latin-1, decode utf-8)",)
    assert double.raw == DOUBLE  # the capture is kept byte for byte


def test_clean_page_and_its_double_encoded_copy_compare_without_renames(
    tmp_path: Path,
) -> None:
    (tmp_path / "clean.html").write_bytes(CLEAN)
    (tmp_path / "double.html").write_bytes(DOUBLE)
    store = api.open_corpus(None)
    result = api.compare_refs(store, str(tmp_path / "clean.html"), str(tmp_path / "double.html"))
    assert result.summary.renames == ()
    assert result.summary.replaced_phrases == ()
    assert not result.narrative_change


def test_repair_is_recorded_in_the_provenance(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    page = tmp_path / "double.html"
    page.write_bytes(DOUBLE)
    code, _out, err = _run(capsys, "add", page, "-s", "pr", "-d", "2024-03-01", "-c", store.root)
    assert code == 0, err
    assert "note: mojibake repaired by ftfy (encode latin-1, decode utf-8)" in err
    snap = api.get_snapshot(api.open_corpus(store.root), "pr:v1")
    assert "mojibake repaired by ftfy" in (snap.provenance or "")
    assert snap.path is not None
    raw = snap.path.parent / (snap.raw_file or "")
    assert raw.read_bytes() == DOUBLE


# ------------------------------------------------------------------ titles
STATEMENT = (
    "The two agencies will keep the station open to every interested partner, the statement "
    "says, and will publish the engineering requirements next year.\n\n"
    "A second paragraph describes the schedule of the first missions and the landing sites "
    "that were studied by the joint working group.\n"
)


def test_a_file_name_is_never_a_title(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "russia-statement.txt"
    source.write_text(STATEMENT)
    code, out, err = _run(capsys, "add", source, "-s", "st", "-d", "2024-05-02", "-c", store.root)
    assert code == 0, err
    assert "added st/2024-05-russia-statement as st:v1" in out  # the id may use the name
    snap = api.get_snapshot(api.open_corpus(store.root), "st:v1")
    assert snap.title is None
    assert not snap.body.startswith("#")
    assert "title:" not in (snap.path or Path()).read_text().split("---")[1]
    rows = api.keyword_in_context(api.open_corpus(store.root), "russia", "st")
    assert rows == []
    scores = api.score_series(api.open_corpus(store.root), "st").rows
    russia = [row for row in scores if row.actor == "russia"]
    assert [(row.count, row.prominence) for row in russia] == [(0, 0.0)]
    code, out, _ = _run(capsys, "list", "st", "-c", store.root, "--format", "csv")
    row = out.splitlines()[1].split(",")
    assert row[0] == "v1" and row[2:5] == ["2024-05-02", "st/2024-05-russia-statement", ""]
    code, out, _ = _run(capsys, "list", "st", "-c", store.root)
    assert "(no title)" in out.splitlines()[1]


def test_title_given_or_found_is_kept(tmp_path: Path) -> None:
    got = extract_bytes(b"# Joint statement\n\n" + STATEMENT.encode(), name="x.md")
    assert got.title == "Joint statement"
    untitled = extract_bytes(STATEMENT.encode(), name="russia-statement.txt")
    assert untitled.title is None


def test_document_file_compared_without_title_has_no_invented_heading(tmp_path: Path) -> None:
    source = tmp_path / "russia-statement.txt"
    source.write_text(STATEMENT)
    snap = api.get_snapshot(api.open_corpus(None), str(source))
    assert snap.title is None and not snap.body.startswith("# ")
    assert snap.display_title == "(no title)"


# ------------------------------------------------------------------ dates
def _page(date_meta: str) -> bytes:
    return (
        "<html><head><title>Lunar station partners</title>"
        f"{date_meta}</head><body><article><h1>Lunar station partners</h1>"
        "<p>The agencies said on Tuesday that the lunar station would be open to every "
        "interested country, and that the first phase would begin before the end of the "
        "decade.</p><p>Engineers presented the landing sites that the working group had "
        "studied over the past year, with a schedule for the first two missions.</p>"
        "</article></body></html>"
    ).encode()


def test_the_page_date_is_used_without_date_and_said(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(_page('<meta property="article:published_time" content="2024-04-23">'))
    code, out, err = _run(capsys, "add", page, "-s", "web", "-c", store.root)
    assert code == 0, err
    assert "note: date 2024-04-23 taken from the page's metadata (pass --date to set it)" in err
    assert "(2024-04-23," in out
    snap = api.get_snapshot(api.open_corpus(store.root), "web:v1")
    assert snap.date == dt.date(2024, 4, 23)
    assert "Date from the page's metadata." in (snap.provenance or "")


def test_date_option_wins_over_the_page(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(_page('<meta property="article:published_time" content="2024-04-23">'))
    code, out, err = _run(capsys, "add", page, "-s", "x", "-d", "2024-05-01", "-c", store.root)
    assert code == 0 and "(2024-05-01," in out and "taken from the page" not in err


@pytest.mark.parametrize(
    ("meta", "slug", "words"),
    [
        ("", "date-missing", "the page's metadata has no usable one"),
        (
            '<meta property="article:published_time" content="2091-01-01">',
            "date-in-future",
            "2091-01-01, is in the future",
        ),
    ],
)
def test_no_usable_page_date_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
    store: api.Corpus,
    tmp_path: Path,
    meta: str,
    slug: str,
    words: str,
) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(_page(meta))
    before = sorted(p.name for p in store.root.rglob("*"))
    code, out, err = _run(capsys, "add", page, "-s", "ilrs", "-c", store.root)
    assert code == 2 and out == ""
    assert err.startswith(f"narrative-diff: {slug}: ") and words in err
    assert err.endswith("--date YYYY-MM-DD\n")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in store.root.rglob("*")) == before


# ------------------------------------------------------------------ ids
def test_same_month_versions_get_distinct_ids_without_slug(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    ids = []
    for n, day in enumerate(("2024-05-02", "2024-05-20", "2024-05-20", "2024-05-20")):
        source = tmp_path / f"v{n}.md"
        source.write_text(f"# Partners update\n\nVersion {n} of the partner list. " + STATEMENT)
        code, out, err = _run(capsys, "add", source, "-s", "up", "-d", day, "-c", store.root)
        assert code == 0, err
        ids.append(out.splitlines()[1].split()[1])  # after the "corpus …" line
        if n:
            assert f"is taken: this version is {ids[-1]}" in err
    assert ids == [
        "up/2024-05-partners-update",
        "up/2024-05-20-partners-update",
        "up/2024-05-20-partners-update-2",
        "up/2024-05-20-partners-update-3",
    ]
    code, out, _ = _run(capsys, "check", "-c", store.root)
    assert code == 0 and "0 problem(s)" in out


def test_a_chosen_slug_still_refuses_to_overwrite(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "a.md"
    source.write_text("# Update\n\n" + STATEMENT)
    argv = ("add", source, "-s", "up", "-d", "2024-05-02", "--slug", "mine", "-c", store.root)
    assert _run(capsys, *argv)[0] == 0
    source.write_text("# Update\n\nChanged. " + STATEMENT)
    code, _, err = _run(capsys, *argv)
    assert code == 5 and "id-exists: snapshot up/mine already exists" in err


def test_the_same_text_twice_is_still_a_duplicate_not_a_new_version(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "a.md"
    source.write_text("# Update\n\n" + STATEMENT)
    argv = ("add", source, "-s", "up", "-d", "2024-05-02", "-c", store.root)
    assert _run(capsys, *argv)[0] == 0
    code, _, err = _run(capsys, *argv)
    assert code == 5 and "duplicate-content" in err


# ------------------------------------------------------------------ languages
BILINGUAL = (
    "# 国际月球科研站合作伙伴新闻稿\n\n" + "国际月球科研站是中国发起、多国参与建设的大型科学设施，"
    "欢迎所有感兴趣的国家和国际组织加入。"
    * 4
    + "\n\n"
    + (
        "The International Lunar Research Station is a large scientific facility proposed "
        "by China and built with several countries; all interested partners are welcome. "
    )
    * 2
    + "\n"
)


def test_a_bilingual_release_is_recorded_not_refused(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    found = identify(BILINGUAL)
    assert (found.language, found.languages) == ("zh", ("zh", "en"))
    source = tmp_path / "release.md"
    source.write_text(BILINGUAL)
    code, _out, err = _run(capsys, "add", source, "-s", "zh", "-d", "2024-05-02", "-c", store.root)
    assert code == 0, err
    assert "note: languages zh, en: recorded as zh" in err
    text = (api.get_snapshot(api.open_corpus(store.root), "zh:v1").path or Path()).read_text()
    assert "language: zh\nlanguages:\n- zh\n- en\n" in text


def test_traditional_chinese_is_tagged_and_can_be_overridden(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    text = "# 國際月球科研站\n\n國際月球科研站由中國與俄羅斯共同發起，歡迎各國參與建設。\n"
    assert extract_bytes(text.encode(), name="t.md").language == "zh-Hant"
    simplified = "# 国际月球科研站\n\n国际月球科研站由中国与俄罗斯共同发起，欢迎各国参与建设。\n"
    assert extract_bytes(simplified.encode(), name="s.md").language == "zh"
    assert chinese_script("月球科研站") == "zh"  # no character tells: simplified by default
    source = tmp_path / "t.md"
    source.write_text(text)
    argv = ("add", source, "-s", "zh", "-d", "2024-05-02", "-c", store.root)
    code, out, _err = _run(capsys, *argv, "--language", "zh-Hans")
    added = out.splitlines()[1]  # after the "corpus …" line
    assert code == 0 and added.split("(", 1)[1].startswith("2024-05-02, ")
    assert ", zh-Hans, hash " in added


# ------------------------------------------------------------------ the front matter
def test_extraction_and_languages_round_trip_through_the_store(tmp_path: Path) -> None:
    snap = Snapshot.create(
        series="s",
        slug="a",
        date=dt.date(2024, 1, 2),
        title=None,
        body="Text only.",
        language="zh",
        languages=("zh", "en"),
        extraction=Extraction("recall", 0.93),
    )
    text = snap.to_markdown()
    assert "extraction:\n  method: recall\n  coverage: 0.93\n" in text
    back = Snapshot.from_markdown(text)
    assert (back.title, back.languages, back.extraction) == (None, ("zh", "en"), snap.extraction)
    assert back.body == snap.body


@pytest.mark.parametrize(
    "bad",
    [
        "extraction: {method: guess, coverage: 0.5}",
        "extraction: {method: main, coverage: 1.5}",
        "extraction: {method: main}",
        "extraction: main",
        "languages: zh",
        "languages: [zh, 12]",
    ],
)
def test_bad_extraction_or_languages_is_a_corrupt_snapshot(bad: str) -> None:
    text = f"---\nid: s/a\nseries: s\ndate: 2024-01-02\n{bad}\n---\n\nBody.\n"
    with raises_slug(CorpusError, "corrupt-snapshot"):
        Snapshot.from_markdown(text)


def test_check_lists_low_coverage_pages_as_notes(
    capsys: pytest.CaptureFixture[str], store: api.Corpus
) -> None:
    folder = store.root / "web"
    folder.mkdir()
    for slug, extraction in (("low", ("main", 0.41)), ("full", ("full", 1.0)), ("ok", None)):
        snap = Snapshot.create(
            series="web",
            slug=slug,
            date=dt.date(2024, 1, 2),
            title="Page",
            body=f"# Page\n\nText of {slug}.",
            extraction=Extraction(*extraction) if extraction else None,
        )
        (folder / f"{slug}.md").write_text(snap.to_markdown())
    code, out, err = _run(capsys, "check", "-c", store.root)
    assert code == 0, out + err
    lines = [line for line in out.splitlines() if "low-coverage" in line]
    assert len(lines) == 2
    assert "low.md: low-coverage: its text holds only 41% of the page's prose" in lines[1]
    assert "full.md: low-coverage: its text is the whole page's" in lines[0]
    assert out.rstrip().endswith("0 problem(s), 2 note(s)")


def test_extract_mode_is_checked(capsys: pytest.CaptureFixture[str], store: api.Corpus) -> None:
    code, _, err = _run(capsys, "add", "x.html", "-s", "a", "--extract", "most", "-c", store.root)
    assert code == 2
    assert err == (
        "narrative-diff: bad-option: --extract 'most' is not one of auto, main, full; "
        "e.g. --extract auto\n"
    )


def test_usage_problem_for_no_date_names_the_fix(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text(STATEMENT)
    store = api.init_corpus(tmp_path / "c")
    with raises_slug(UsageProblem, "date-missing", "a.txt"):
        api.add_snapshot(store, str(source), api.AddOptions(series="s"))


# ------------------------------------------------------------------ review fixes
def _front(store: api.Corpus, ref: str) -> str:
    return (api.get_snapshot(api.open_corpus(store.root), ref).path or Path()).read_text()


@pytest.mark.parametrize("given", ["zh", "zh-Hans"])
def test_renaming_the_language_of_a_one_language_document_adds_no_languages(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path, given: str
) -> None:
    source = tmp_path / "t.md"
    source.write_text(
        "# 國際月球科研站\n\n國際月球科研站由中國與俄羅斯共同發起，歡迎各國參與建設。\n"
    )
    argv = ("add", source, "-s", "zh", "-d", "2024-05-02", "-c", store.root, "--language", given)
    code, _, err = _run(capsys, *argv)
    assert code == 0, err
    text = _front(store, "zh:v1")
    assert f"language: {given}\n" in text and "languages:" not in text


def test_a_language_that_is_not_a_tag_is_refused_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "release.md"
    source.write_text(BILINGUAL)
    before = sorted(p.name for p in store.root.rglob("*"))
    argv = ("add", source, "-s", "lg", "-d", "2024-05-02", "-c", store.root)
    code, out, err = _run(capsys, *argv, "--language", "Chinese")
    assert (code, out) == (2, "")
    assert err.startswith("narrative-diff: invalid-language: invalid language 'Chinese'; ")
    assert sorted(p.name for p in store.root.rglob("*")) == before


def test_a_leading_block_is_front_matter_only_with_metadata_keys(tmp_path: Path) -> None:
    note = "---\nUpdate: Russia withdrew from the project\n---\n# Lunar station\n\n" + STATEMENT
    got = extract_bytes(note.encode(), name="n.md")
    assert "Update: Russia withdrew from the project" in got.body and got.title == "Lunar station"
    page = "---\ntitle: 2024\ndate: 2024-05-01\nlayout: post\n---\n\n" + STATEMENT
    got = extract_bytes(page.encode(), name="p.md")
    assert (got.title, got.page_date) == ("2024", dt.date(2024, 5, 1))
    assert not got.body.startswith("---") and "layout" not in got.body


def test_deeply_nested_front_matter_is_text_not_a_crash(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "deep.md"
    source.write_text("---\nx: " + "[" * 20_000 + "]" * 20_000 + "\n---\n\n" + STATEMENT)
    argv = ("add", source, "-s", "d", "-d", "2024-05-02", "-c", store.root, "--language", "en")
    code, _, err = _run(capsys, *argv)
    assert code == 0, err
    assert "[[[" in api.get_snapshot(api.open_corpus(store.root), "d:v1").body


def test_the_front_matter_date_is_used_without_date(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "post.md"
    source.write_text("---\ntitle: Partners\ndate: 2024-05-01\n---\n\n" + STATEMENT)
    code, _out, err = _run(capsys, "add", source, "-s", "md", "-c", store.root)
    assert code == 0, err
    assert "note: date 2024-05-01 taken from its front matter (pass --date to set it)" in err
    assert "Date from its front matter." in _front(store, "md:v1")


def test_versions_of_one_day_keep_the_order_they_were_added_in(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    ids = []
    for n in range(11):
        source = tmp_path / f"v{n}.md"
        source.write_text(f"# Partners\n\nVersion {n} of the list. " + STATEMENT)
        code, out, err = _run(
            capsys, "add", source, "-s", "day", "-d", "2024-05-02", "-c", store.root
        )
        assert code == 0, err
        ids.append(out.splitlines()[1].split()[1])  # after the "corpus …" line
    assert ids[:3] == ["day/2024-05-partners", "day/2024-05-partners-2", "day/2024-05-partners-3"]
    assert ids[10] == "day/2024-05-partners-11"
    listed = [row.id for row in api.list_snapshots(api.open_corpus(store.root), "day")]
    assert listed == ids  # v1 is the first added, v11 the last: -10 after -9


def test_the_same_capture_again_is_refused_with_the_way_to_replace_it(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    page = ROOT / "fixtures" / "captures" / "mirror-spam.html"
    argv = ("add", page, "-s", "ms", "-d", "2024-05-01", "-c", store.root)
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    slug = out.splitlines()[1].split()[1].split("/")[1]
    assert f"add the page again with --extract main --replace --slug {slug})" in err
    before = sorted(p.name for p in store.root.rglob("*"))
    code, out, err = _run(capsys, *argv, "--extract", "main")
    assert (code, out) == (5, "")
    assert "duplicate-content: this capture (the same bytes) is already in series ms" in err
    assert err.rstrip().endswith(f"to extract it again, pass --replace --slug {slug}")
    assert sorted(p.name for p in store.root.rglob("*")) == before
    code, out, err = _run(capsys, *argv, "--extract", "main", "--replace", "--slug", slug)
    assert code == 0 and "as ms:v1" in out
    assert "holds only 21% of the page's prose" in err


def test_extract_full_asked_for_gives_no_fallback_note(
    capsys: pytest.CaptureFixture[str], store: api.Corpus
) -> None:
    page = ROOT / "fixtures" / "captures" / "br-paragraphs.html"
    code, _, err = _run(capsys, "add", page, "-s", "f", "-c", store.root, "--extract", "full")
    assert code == 0 and "extraction" not in err and "prose" not in err
    assert "method: full" in _front(store, "f:v1")


def test_a_page_dated_tomorrow_in_its_time_zone_is_accepted(
    capsys: pytest.CaptureFixture[str],
    store: api.Corpus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1733309460")  # 2024-12-04 10:51 UTC
    for day, code_wanted in (("2024-12-05", 0), ("2024-12-06", 2)):
        page = tmp_path / f"{day}.html"
        page.write_bytes(_page(f'<meta property="article:published_time" content="{day}">'))
        code, _, err = _run(capsys, "add", page, "-s", f"tz{day[-1]}", "-c", store.root)
        assert code == code_wanted, err


def test_a_blank_title_is_no_title(
    capsys: pytest.CaptureFixture[str], store: api.Corpus, tmp_path: Path
) -> None:
    source = tmp_path / "s.txt"
    source.write_text(STATEMENT)
    argv = ("add", source, "-s", "bl", "-d", "2024-05-02", "-c", store.root, "--title", "   ")
    code, _out, err = _run(capsys, *argv)
    assert code == 0, err
    snap = api.get_snapshot(api.open_corpus(store.root), "bl:v1")
    assert snap.title is None and not snap.body.startswith("#")


@given(st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,5}", fullmatch=True))
def test_a_name_already_a_slug_is_its_own_slug_as_python_slugify_makes_it(name: str) -> None:
    """``capture._slug`` skips python-slugify for such a name: it must be what slugify gives."""
    from slugify import slugify

    from narrative_diff.capture import _slug

    assert _slug(name, "file") == (slugify(name, max_length=48, word_boundary=True) or "file")


@pytest.mark.parametrize("name", ["Report 2024", "a--b", "-a", "ilrs_guide", "Отчёт", "x" * 60])
def test_other_names_are_made_by_python_slugify(name: str) -> None:
    from slugify import slugify

    from narrative_diff.capture import _slug

    assert _slug(name, "file") == (slugify(name, max_length=48, word_boundary=True) or "file")
