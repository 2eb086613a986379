"""``watch``: pages on a local server (127.0.0.1) that change, stay the same, change only
in whitespace or an ignored line, answer 304, fail, or are closed to robots.

Each test writes its own sources file and corpus; the pages are invented, shaped like an
agency's news page (navigation, an article, a footer with an "Updated" line).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from filelock import FileLock

from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.watching import Manners, SourcesError, Visits, parse_sources

TODAY = dt.datetime.now(dt.UTC).date().isoformat()

ARTICLE_V1 = """
<p>The International Lunar Research Station was jointly initiated by China and Russia.</p>
<p>Russia will contribute its Luna missions, and Russia and China share the work.</p>
<p>The first phase is named Reconnaissance and runs to 2025.</p>
"""
ARTICLE_V2 = """
<p>The International Lunar Research Station was proposed by China and is built with partners.</p>
<p>Partners contribute missions, and China leads the work.</p>
<p>The first phase is named Basic Model and runs to 2025.</p>
"""


def page(article: str, updated: str = "2026-12-01", spaces: str = " ") -> bytes:
    """An agency's page: navigation, the article with a date line that changes daily, a
    footer."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ILRS cooperation</title></head><body>
<nav><a href="/">Home</a>{spaces}<a href="/news">News</a></nav>
<div class="article"><h1>ILRS cooperation</h1>{article}<p>Updated: {updated}</p></div>
<footer><p>Copyright the agency</p></footer>
</body></html>""".encode()


def sources_file(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def source(url: str, series: str = "ilrs-cnsa", extra: str = "") -> str:
    return f'[[source]]\nurl = "{url}"\nseries = "{series}"\nlanguage = "en"\n{extra}\n'


def watch(sources: Path, corpus: Path, *more: str) -> int:
    feeds = corpus.parent / "feeds"
    argv = ["watch", str(sources), "--once", "--interval", "0", "--feeds", str(feeds)]
    return main([*argv, "-c", str(corpus), *more])


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


def log_of(corpus: Path) -> list[dict[str, object]]:
    """The log's records (a line a crash cut short, which a test may write, skipped)."""
    lines = (corpus / ".watch" / "log.jsonl").read_text(encoding="utf-8").splitlines()
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            assert line.endswith('"li'), line  # only the line the test cut short
    return records


def test_first_check_adds_then_same_page_adds_nothing(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ilrs-cnsa: added v1 ({TODAY}): the first snapshot of the series (")
    snaps = Corpus(corpus).snapshots("ilrs-cnsa")
    assert len(snaps) == 1
    assert "jointly initiated by China and Russia" in snaps[0].body
    assert snaps[0].source_url == url
    assert "by narrative-diff watch" in snaps[0].provenance

    assert watch(sources, corpus) == 0
    assert capsys.readouterr().out == f"ilrs-cnsa: unchanged since {TODAY}\n"
    assert len(Corpus(corpus).snapshots("ilrs-cnsa")) == 1
    assert [e["outcome"] for e in log_of(corpus)] == ["added", "unchanged"]


def test_whitespace_and_an_ignored_line_are_noise(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url, extra='ignore = ["^Updated: "]'))
    assert watch(sources, corpus) == 0
    capsys.readouterr()
    # the footer's date moves and the article's spacing changes: no new words
    spaced = ARTICLE_V1.replace("China and Russia.", "China  and\n Russia .")
    http_server.route("/ilrs.html", page(spaced, updated="2026-12-04", spaces="\n\n"))
    assert watch(sources, corpus) == 0
    out = capsys.readouterr().out
    assert out == (
        f"ilrs-cnsa: no change beyond whitespace, punctuation or ignored lines since {TODAY}\n"
    )
    assert len(Corpus(corpus).snapshots("ilrs-cnsa")) == 1


def test_a_changed_updated_line_without_ignore_is_a_change(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    http_server.route("/ilrs.html", page(ARTICLE_V1, updated="2026-12-04"))
    capsys.readouterr()
    assert watch(sources, corpus) == 0
    assert "ilrs-cnsa: added v2" in capsys.readouterr().out


def test_narrative_change_adds_and_names_the_shift(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    http_server.route("/ilrs.html", page(ARTICLE_V2))
    capsys.readouterr()
    assert watch(sources, corpus) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"ilrs-cnsa: added v2 ({TODAY}): Russia 3 → 0 DISAPPEARED")
    assert "“Reconnaissance” → “Basic Model”" in line
    entry = log_of(corpus)[-1]
    assert entry["outcome"] == "added" and entry["ref"] == "v2"
    assert len(Corpus(corpus).snapshots("ilrs-cnsa")) == 2


def test_etag_gives_a_conditional_request_and_304_is_not_modified(
    http_server, tmp_path, corpus, capsys
):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1), headers={"ETag": '"v1"'})
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    assert watch(sources, corpus) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "ilrs-cnsa: not modified since the last check (HTTP 304)"
    asked = [r for r in http_server.requests if r["path"] == "/ilrs.html"]
    assert "If-None-Match" not in asked[0] and asked[1]["If-None-Match"] == '"v1"'
    assert asked[1]["User-Agent"].startswith("narrative-diff/")


def test_a_failing_source_is_reported_and_the_others_still_checked(
    http_server, tmp_path, corpus, capsys
):
    good = http_server.route("/ilrs.html", page(ARTICLE_V1))
    gone = http_server.url("/moved-away.html")  # 404
    sources = sources_file(tmp_path, source(gone, "ilrs-gone"), source(good))
    assert watch(sources, corpus) == 6
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"ilrs-gone: failed: http-error: {gone} answered HTTP 404 Not Found; check the URL in "
        "a browser; the page may have moved or need a login"
    )
    assert captured.out.startswith("ilrs-cnsa: added v1")
    assert [e["outcome"] for e in log_of(corpus)] == ["failed", "added"]


def test_robots_txt_is_obeyed_unless_told_otherwise(http_server, tmp_path, corpus, capsys):
    http_server.route("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    url = http_server.route("/private/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 6
    assert "failed: robots-disallowed: robots.txt of" in capsys.readouterr().err
    assert not [r for r in http_server.requests if r["path"] == "/private/ilrs.html"]
    assert watch(sources, corpus, "--ignore-robots") == 0
    assert "added v1" in capsys.readouterr().out


def test_a_selector_keeps_only_its_part_and_a_missing_one_fails(
    http_server, tmp_path, corpus, capsys
):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url, extra='selector = "div.article"'))
    assert watch(sources, corpus) == 0
    body = Corpus(corpus).snapshots("ilrs-cnsa")[0].body
    assert "Reconnaissance" in body and "Copyright" not in body and "Home" not in body
    http_server.route("/ilrs.html", page(ARTICLE_V1).replace(b'class="article"', b'id="main"'))
    capsys.readouterr()
    assert watch(sources, corpus) == 6
    assert "failed: selector-missed: the selector 'div.article' matched nothing" in (
        capsys.readouterr().err
    )


def test_busy_site_is_asked_again_after_a_pause(http_server):
    """503 with Retry-After: Visits waits what the site asks (capped), then gives up with
    the status and a hint that the next check tries again."""
    http_server.route("/busy", b"busy", "text/plain", status=503, headers={"Retry-After": "7"})
    waits: list[float] = []
    visits = Visits(Manners(interval=0, retries=2, robots=False), sleep=waits.append)
    from narrative_diff.errors import FetchFailed
    from narrative_diff.ingest import IngestLimits

    with pytest.raises(FetchFailed, match="HTTP 503") as caught:
        visits.get(http_server.url("/busy"), {}, IngestLimits())
    assert waits == [7.0, 7.0]
    assert len([r for r in http_server.requests if r["path"] == "/busy"]) == 3
    assert caught.value.hint == "the site is busy or failing: the next check will try again"


def test_requests_to_one_host_are_spaced(http_server):
    http_server.route("/a", page(ARTICLE_V1))
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    visits = Visits(Manners(interval=5, robots=False), sleep=sleep, clock=lambda: now[0])
    from narrative_diff.ingest import IngestLimits

    for _ in range(2):
        visits.get(http_server.url("/a"), {}, IngestLimits())
    assert waits == [5.0]


def test_one_watcher_per_corpus(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    (corpus / ".watch").mkdir()
    with FileLock(str(corpus / ".watch" / "lock")):
        assert watch(sources, corpus) == 7
    err = capsys.readouterr().err
    assert err.startswith("narrative-diff: watch-running: another watch or backfill is working on")
    assert not [r for r in http_server.requests if r["path"] == "/ilrs.html"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[source]]\nurl = "https://a.example/x"\n', "source 1 (https://a.example/x): 'series'"),
        (
            '[[source]]\nurl = "https://a.example/x"\nseries = "s"\nselektor = "p"\n',
            "source 1 (s): unknown key 'selektor'",
        ),
        ('[[source]]\nurl = "ftp://a.example/x"\nseries = "s"\n', "only http and https"),
        (
            '[[source]]\nurl = "https://a.example/x"\nseries = "s"\n'
            '[[source]]\nurl = "https://b.example/y"\nseries = "s"\n',
            "source 2 watches series 's', as source 1 does",
        ),
        (
            '[[source]]\nurl = "https://a.example/x"\nseries = "s"\nselector = "div[["\n',
            "source 1 (s): selector 'div[[' is not a CSS selector",
        ),
        (
            '[[source]]\nurl = "https://a.example/x"\nseries = "s"\nignore = ["(unclosed"]\n',
            "source 1 (s): ignore pattern '(unclosed' is not a regular expression",
        ),
        ("[[source]\n", "is not valid TOML"),
        ("title = 'x'\n", "unknown table or key 'title'"),
        ("", "has no [[source]] entries"),
    ],
)
def test_bad_sources_files_name_the_entry(text, message):
    with pytest.raises(SourcesError, match=None) as caught:
        parse_sources(text, "sources.toml")
    assert message in str(caught.value)


def test_bad_sources_file_is_one_line_and_nothing_is_fetched(http_server, tmp_path, corpus, capsys):
    good = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(good), source(good, "x", 'ignore = ["("]'))
    assert watch(sources, corpus) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("narrative-diff: invalid-sources: ")
    assert "source 2 (x): ignore pattern '(' is not a regular expression" in err
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("every", "message"),
    [("5x", "is not a duration"), ("30s", "is under a minute"), ("h", "is not a duration")],
)
def test_every_takes_a_duration(tmp_path, corpus, every, message, capsys):
    sources = sources_file(tmp_path, source("https://a.example/x"))
    assert main(["watch", str(sources), "--every", every, "-c", str(corpus)]) == 2
    assert message in capsys.readouterr().err


def test_every_checks_again_until_stopped(http_server, tmp_path, corpus):
    from narrative_diff import api

    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    slept: list[float] = []
    checks = api.watch(
        Corpus(corpus),
        sources,
        every=3600,
        rounds=3,
        sleep=slept.append,
        manners=Manners(interval=0),
    )
    assert slept == [3600, 3600]
    assert [c.outcome for c in checks] == ["unchanged"]
    assert [e["outcome"] for e in log_of(corpus)] == ["added", "unchanged", "unchanged"]


def test_each_series_has_an_atom_feed_of_its_changes(http_server, tmp_path, corpus):
    import xml.etree.ElementTree as ET

    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    assert watch(sources, corpus) == 0  # unchanged: no entry
    http_server.route("/ilrs.html", page(ARTICLE_V2))
    assert watch(sources, corpus) == 0
    feed = tmp_path / "feeds" / "ilrs-cnsa.atom"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(feed.read_bytes())
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(titles) == 2
    assert titles[0].startswith(f"added v2 ({TODAY}): Russia 3 → 0 DISAPPEARED")
    assert titles[1].startswith(f"added v1 ({TODAY}): the first snapshot")
    assert root.findtext("a:title", namespaces=ns) == "ILRS cooperation: narrative changes" or (
        root.findtext("a:title", namespaces=ns) == "ilrs-cnsa: narrative changes"
    )
    ids = [e.findtext("a:id", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert all(i.startswith("tag:narrative-diff,") for i in ids) and len(set(ids)) == 2
    before = feed.read_bytes()
    assert watch(sources, corpus) == 0  # the same log gives the same feed
    assert feed.read_bytes() == before


def test_a_change_is_notified_through_apprise(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    hook = f"json://127.0.0.1:{http_server.port}/hook"
    sources = sources_file(tmp_path, f'notify = ["{hook}"]\n', source(url))
    assert watch(sources, corpus) == 0
    http_server.route("/ilrs.html", page(ARTICLE_V2))
    assert watch(sources, corpus) == 0
    posted = [p for p in http_server.posts if p["path"] == "/hook"]
    assert len(posted) == 2  # the first snapshot and the change
    message = json.loads(posted[1]["body"])
    assert message["title"] == "narrative-diff: ilrs-cnsa changed"
    assert message["message"].startswith(f"ilrs-cnsa: added v2 ({TODAY}): Russia 3 → 0")
    assert url in message["message"]
    capsys.readouterr()
    # a notification that fails is a warning: the snapshot is added all the same
    dead = "json://127.0.0.1:9/hook"
    sources = sources_file(tmp_path, f'notify = ["{dead}"]\n', source(url))
    http_server.route("/ilrs.html", page(ARTICLE_V2 + "<p>Serbia joined in 2024.</p>"))
    assert watch(sources, corpus) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("ilrs-cnsa: added v3")
    assert captured.err.strip() == "warning: ilrs-cnsa: could not notify json://…"


def test_a_notify_url_apprise_cannot_use_names_the_entry_only_by_service(tmp_path, corpus, capsys):
    sources = sources_file(
        tmp_path, source("https://a.example/x", extra='notify = ["nosuchservice://secret-token"]')
    )
    assert watch(sources, corpus) == 3
    err = capsys.readouterr().err
    assert "notify URL nosuchservice://… is not one apprise can use" in err
    assert "secret-token" not in err


def test_a_page_back_to_an_earlier_text_says_so_and_adds_nothing(
    http_server, tmp_path, corpus, capsys
):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    http_server.route("/ilrs.html", page(ARTICLE_V2))
    assert watch(sources, corpus) == 0
    http_server.route("/ilrs.html", page(ARTICLE_V1))
    capsys.readouterr()
    assert watch(sources, corpus) == 0
    assert (
        capsys.readouterr().out == f"ilrs-cnsa: back to the text of v1 ({TODAY}); nothing added\n"
    )
    assert len(Corpus(corpus).snapshots("ilrs-cnsa")) == 2
    assert log_of(corpus)[-1]["outcome"] == "reverted"


def test_a_redirected_page_is_recorded_at_its_final_address(http_server, tmp_path, corpus):
    final = http_server.route("/2026/ilrs.html", page(ARTICLE_V1))
    moved = http_server.route("/ilrs.html", b"", status=301, headers={"Location": final})
    sources = sources_file(tmp_path, source(moved))
    assert watch(sources, corpus) == 0
    snap = Corpus(corpus).snapshots("ilrs-cnsa")[0]
    assert snap.source_url == final
    assert f"Fetched from {final}" in snap.provenance


def test_a_page_that_drips_past_the_timeout_fails_alone(http_server, tmp_path, corpus, capsys):
    from .conftest import Drip

    slow = http_server.drip("/slow.html", Drip(page(ARTICLE_V1), interval=0.05))
    good = http_server.route("/ilrs.html", page(ARTICLE_V2))
    sources = sources_file(tmp_path, source(slow, "ilrs-slow"), source(good))
    assert watch(sources, corpus, "--timeout", "1") == 6
    captured = capsys.readouterr()
    assert captured.err.startswith(
        f"ilrs-slow: failed: fetch-timeout: {slow} did not answer within 1 s"
    )
    assert captured.out.startswith("ilrs-cnsa: added v1")


def test_notify_without_apprise_says_which_extra(tmp_path, corpus, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "apprise", None)  # as if not installed
    sources = sources_file(
        tmp_path, 'notify = ["json://127.0.0.1:9/x"]\n', source("https://a.example/x")
    )
    assert watch(sources, corpus) == 2
    err = capsys.readouterr().err
    assert err.startswith("narrative-diff: missing-extra: notifications (notify in the sources")
    assert "pip install 'narrative-diff[notify]'" in err


def test_quiet_keeps_results_and_failures(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    gone = http_server.url("/gone.html")
    sources = sources_file(tmp_path, source(url), source(gone, "ilrs-gone"))
    feeds = str(tmp_path / "feeds")
    argv = ["-q", "watch", str(sources), "--interval", "0", "--feeds", feeds, "-c", str(corpus)]
    assert main(argv) == 6
    captured = capsys.readouterr()
    assert captured.out.startswith("ilrs-cnsa: added v1")
    assert captured.err.startswith("ilrs-gone: failed: http-error")
    assert main(argv) == 6
    captured = capsys.readouterr()
    assert captured.out == ""  # unchanged: quiet
    assert captured.err.startswith("ilrs-gone: failed")


def test_damaged_state_and_log_lose_nothing(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1), headers={"ETag": '"v1"'})
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    (corpus / ".watch" / "state.json").write_text('{"ilrs-cnsa": [], "x": {"etag": 5}}')
    with (corpus / ".watch" / "log.jsonl").open("a") as log:
        log.write('{"series": "ilrs-cnsa", "outcome": "added", "li')  # cut short by a crash
    http_server.route("/ilrs.html", page(ARTICLE_V2), headers={"ETag": '"v2"'})
    assert watch(sources, corpus) == 0
    assert "added v2" in capsys.readouterr().out
    assert [e["outcome"] for e in log_of(corpus)[-1:]] == ["added"]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    import xml.etree.ElementTree as ET

    feed = ET.fromstring((tmp_path / "feeds" / "ilrs-cnsa.atom").read_bytes())
    assert len(feed.findall("a:entry", ns)) == 2


def test_a_selector_on_a_footer_or_a_pdf(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url, extra='selector = "footer"'))
    assert watch(sources, corpus) == 0
    assert Corpus(corpus).snapshots("ilrs-cnsa")[0].body.strip().endswith("Copyright the agency")
    pdf = http_server.route("/doc.pdf", b"%PDF-1.4\n%fake\n", "application/pdf")
    sources = sources_file(tmp_path, source(pdf, "ilrs-pdf", 'selector = "main"'))
    capsys.readouterr()
    assert watch(sources, corpus) == 3
    assert "failed: not-html: " in capsys.readouterr().err


def test_an_ignore_pattern_that_matches_every_line_is_refused():
    with pytest.raises(SourcesError, match="matches ordinary lines of text"):
        parse_sources('[[source]]\nurl = "https://a.example/x"\nseries = "s"\nignore = [""]\n')


def test_a_304_without_a_condition_is_not_believed(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", b"", None, status=304)
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 6
    assert "answered 304 Not Modified to a request that asked no condition" in (
        capsys.readouterr().err
    )


def test_a_redirect_with_nowhere_to_go_is_one_failure(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", b"", None, status=302)
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 6
    assert "answered HTTP 302 Found without a Location to follow" in capsys.readouterr().err


def test_a_revert_refused_today_is_added_the_next_day(http_server, tmp_path, corpus, capsys):
    import datetime as dt

    from narrative_diff import api
    from narrative_diff.watching import Visits, check_source, load_sources

    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    for article in (ARTICLE_V1, ARTICLE_V2, ARTICLE_V1):
        http_server.route("/ilrs.html", page(article))
        assert watch(sources, corpus) == 0
    assert "back to the text of v1" in capsys.readouterr().out
    state = json.loads((corpus / ".watch" / "state.json").read_text())
    store = Corpus(corpus)
    assert state["ilrs-cnsa"]["snapshot"] == store.snapshots("ilrs-cnsa")[-1].id  # still v2
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    check = check_source(
        store,
        load_sources(sources)[0],
        actors=api.load_actors(None),
        visits=Visits(Manners(interval=0)),
        compare_with=state["ilrs-cnsa"]["snapshot"],
        now=lambda: tomorrow,
    )
    assert check.outcome == "added" and "Russia 0 → 3 APPEARED" in check.line


def test_validators_of_a_removed_snapshot_are_not_sent(http_server, tmp_path, corpus, capsys):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1), headers={"ETag": '"a"'})
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    http_server.route("/ilrs.html", page(ARTICLE_V2), headers={"ETag": '"b"'})
    assert watch(sources, corpus) == 0
    newest = Corpus(corpus).snapshots("ilrs-cnsa")[-1]
    assert newest.path is not None
    newest.path.unlink()
    capsys.readouterr()
    assert watch(sources, corpus) == 0
    assert capsys.readouterr().out.startswith("ilrs-cnsa: added v2")


def test_a_torn_character_in_the_log_does_not_stop_the_feeds(http_server, tmp_path, corpus):
    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    assert watch(sources, corpus) == 0
    with (corpus / ".watch" / "log.jsonl").open("ab") as log:
        log.write('{"series": "ilrs-cnsa", "line": "“'.encode()[:-1])  # cut inside “
    http_server.route("/ilrs.html", page(ARTICLE_V2))
    assert watch(sources, corpus) == 0
    assert (tmp_path / "feeds" / "ilrs-cnsa.atom").read_text().count("<entry>") == 2


def test_under_every_a_round_that_cannot_write_its_feed_does_not_end_the_run(
    http_server, tmp_path, corpus
):
    from narrative_diff import api

    url = http_server.route("/ilrs.html", page(ARTICLE_V1))
    sources = sources_file(tmp_path, source(url))
    blocked = tmp_path / "feeds-is-a-file"
    blocked.write_text("x")
    said: list[str] = []
    checks = api.watch(
        Corpus(corpus),
        sources,
        every=3600,
        rounds=2,
        sleep=lambda s: None,
        manners=Manners(interval=0),
        feeds=blocked,
        warn=said.append,
    )
    assert [c.outcome for c in checks] == ["unchanged"]
    assert len(said) == 2 and all(s.startswith("this round stopped: ") for s in said)


def test_blank_line_patterns_are_fine_and_html_fragments_take_a_selector(
    http_server, tmp_path, corpus
):
    fragment = "<!-- " + "x" * 1500 + " -->\n<div class=article><p>" + ARTICLE_V1 + "</p></div>"
    url = http_server.route("/frag.html", fragment.encode())
    extra = 'selector = "div.article"\nignore = ["^\\\\s*$", "^$"]'
    sources = sources_file(tmp_path, source(url, extra=extra))
    assert watch(sources, corpus) == 0
    assert "Reconnaissance" in Corpus(corpus).snapshots("ilrs-cnsa")[0].body
