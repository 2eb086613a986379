"""``backfill``: a page's history from a fake CDX-compatible archive on 127.0.0.1.

The archive holds six captures of one invented agency page: the first version (with a
replay banner the archive should not have left in), the same bytes again (a duplicate
digest), the first version with only its date line changed (noise, ignored), the rewritten
version, a capture the index lists as a 404, and one whose memento is missing.
"""

from __future__ import annotations

import json

import pytest

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.watching import parse_cdx, strip_banner

from .test_watch import ARTICLE_V1, ARTICLE_V2, page

PAGE = "http://example.org/ilrs.html"
BANNER = (
    b"<!-- BEGIN WAYBACK TOOLBAR INSERT --><div>Wayback Machine: 5 captures of "
    b"Russia Russia Russia</div><!-- END WAYBACK TOOLBAR INSERT -->"
)
CAPTURES = [
    # timestamp, status, digest, body
    ("20210616093000", "200", "AAAA", page(ARTICLE_V1).replace(b"<body>", b"<body>" + BANNER)),
    ("20210901120000", "200", "AAAA", page(ARTICLE_V1)),
    ("20220110080000", "200", "BBBB", page(ARTICLE_V1, updated="2022-01-09")),
    ("20230501101010", "200", "CCCC", page(ARTICLE_V2)),
    ("20230601000000", "404", "DDDD", b"gone"),
    ("20230701000000", "200", "EEEE", None),  # listed, but its memento is missing
]


def archive(server, captures=CAPTURES) -> str:
    rows = [["timestamp", "original", "statuscode", "digest", "mimetype"]]
    rows += [[t, PAGE, status, digest, "text/html"] for t, status, digest, _ in captures]
    server.route("/cdx/search/cdx", json.dumps(rows).encode(), "application/json")
    for timestamp, _, _, body in captures:
        if body is not None:
            server.route(f"/web/{timestamp}id_/{PAGE}", body)
    return server.url("")


def run(base: str, corpus, *more: str) -> int:
    return main(
        [
            "backfill",
            PAGE,
            "--series",
            "ilrs-cnsa",
            "--archive",
            base,
            "--interval",
            "0",
            "--ignore",
            "^Updated: ",
            "--language",
            "en",
            "-c",
            str(corpus),
            *more,
        ]
    )


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


def test_backfill_keeps_the_distinct_versions_dated_by_capture(http_server, corpus, capsys):
    base = archive(http_server)
    assert run(base, corpus) == 6  # the missing memento
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "ilrs-cnsa: added v1 (2021-06-16, capture 20210616093000): the first snapshot of "
        "the series (41 words)",
        "ilrs-cnsa: added v2 (2023-05-01, capture 20230501101010): Russia 3 → 0 "
        "DISAPPEARED; “Reconnaissance” → “Basic Model”",
        "ilrs-cnsa: 5 new capture(s) read: 2 added, 1 without new words, 1 duplicate, 1 failed",
    ]
    assert err.strip() == (
        f"ilrs-cnsa: 20230701000000: failed: http-error: {base}/web/20230701000000id_/"
        f"{PAGE} answered HTTP 404 Not Found; check the URL in a browser; the page may have "
        "moved or need a login"
    )
    first, second = Corpus(corpus).snapshots("ilrs-cnsa")
    assert (first.date.isoformat(), second.date.isoformat()) == ("2021-06-16", "2023-05-01")
    assert first.source_url == PAGE
    assert f"{base}/web/20210616093000id_/{PAGE}" in first.provenance
    assert "Wayback Machine" not in first.body  # the banner was cut out
    assert first.body.count("Russia") == 3
    fetched = [r["path"] for r in http_server.requests if r["path"].startswith("/web/")]
    assert not any("20210901120000" in p for p in fetched)  # a duplicate digest: not fetched
    assert not any("20230601000000" in p for p in fetched)  # a 404 capture: not listed


def test_a_second_run_adds_nothing_and_retries_only_the_failed(http_server, corpus, capsys):
    base = archive(http_server)
    run(base, corpus)
    capsys.readouterr()
    before = len(http_server.requests)
    assert run(base, corpus) == 6
    assert capsys.readouterr().out.splitlines()[-1] == (
        "ilrs-cnsa: 1 new capture(s) read: 0 added, 0 without new words, 0 duplicate, 1 failed"
    )
    mementos = [r["path"] for r in http_server.requests[before:] if r["path"].startswith("/web/")]
    assert mementos == [f"/web/20230701000000id_/{PAGE}"]
    # the archive answers now: the capture is the rewritten text again, nothing is added
    http_server.route(f"/web/20230701000000id_/{PAGE}", page(ARTICLE_V2))
    assert run(base, corpus) == 0
    assert "0 added, 1 without new words" in capsys.readouterr().out
    assert len(Corpus(corpus).snapshots("ilrs-cnsa")) == 2
    assert run(base, corpus) == 0
    assert "0 new capture(s) read" in capsys.readouterr().out


def test_dates_go_to_the_index_and_are_kept_here_too(http_server, corpus, capsys):
    """The fake index ignores from and to, as some archives do: the range holds anyway."""
    base = archive(http_server)
    assert run(base, corpus, "--from", "2022-01-01", "--to", "2023-05-31") == 0
    query = next(r["path"] for r in http_server.requests if r["path"].startswith("/cdx/"))
    assert "from=20220101" in query and "to=20230531" in query
    assert "url=http%3A%2F%2Fexample.org%2Filrs.html" in query
    dates = [s.date.isoformat() for s in Corpus(corpus).snapshots("ilrs-cnsa")]
    assert dates == ["2022-01-10", "2023-05-01"]
    assert "2 new capture(s) read: 2 added" in capsys.readouterr().out


def test_limit_counts_the_captures_not_read_yet(http_server, corpus, capsys):
    base = archive(http_server)
    for _ in range(3):
        run(base, corpus, "--limit", "2")
    outcomes = [
        json.loads(line)["outcome"]
        for line in (corpus / ".watch" / "backfill-ilrs-cnsa.jsonl").read_text().splitlines()
    ]
    assert outcomes == ["added", "duplicate", "noise", "added", "failed"]  # two per run


def test_a_page_back_to_an_earlier_text_is_history(http_server, corpus, capsys):
    """v1, v2, then v1 again on a later date: three snapshots, the last one v1's text."""
    captures = [
        CAPTURES[1],
        CAPTURES[3],
        ("20240101000000", "200", "AAAA", page(ARTICLE_V1)),  # the same bytes as the first
    ]
    assert run(archive(http_server, captures), corpus) == 0
    snaps = Corpus(corpus).snapshots("ilrs-cnsa")
    assert [s.date.isoformat() for s in snaps] == ["2021-09-01", "2023-05-01", "2024-01-01"]
    assert snaps[0].body == snaps[2].body
    assert "Russia 0 → 3 APPEARED" in capsys.readouterr().out
    from narrative_diff.check import check_corpus

    _, problems = check_corpus(Corpus(corpus))
    assert problems == []


def test_watch_first_then_backfill_says_which_snapshot_holds_the_text(http_server, corpus, capsys):
    from .test_watch import source, sources_file, watch

    url = http_server.route("/live.html", page(ARTICLE_V2))
    assert watch(sources_file(corpus.parent, source(url)), corpus) == 0
    capsys.readouterr()
    captures = [CAPTURES[1], CAPTURES[3]]
    assert run(archive(http_server, captures), corpus) == 0
    out = capsys.readouterr().out
    assert "added v1 (2021-09-01, capture 20210901120000): the earliest version" in out
    handled = (corpus / ".watch" / "backfill-ilrs-cnsa.jsonl").read_text()
    assert "captured earlier: not added (the series dates it from" in handled
    assert "remove v2 and run backfill again" in handled


def test_a_malformed_index_is_one_line(http_server, corpus, capsys):
    http_server.route("/cdx/search/cdx", b"<html>not an index</html>", "text/html")
    assert run(http_server.url(""), corpus) == 6
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("narrative-diff: bad-cdx: the archive's index at ")
    assert "is not CDX JSON" in err


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (b"", 0),
        (b"[]", 0),
        (b'[["timestamp","original","statuscode","digest"]]', 0),
        (b'[["timestamp","original","statuscode","digest"],["20200101000000","u","200","X"]]', 1),
    ],
)
def test_parse_cdx_takes_empty_and_header_only_answers(body, count):
    assert len(parse_cdx(body, "x")) == count


@pytest.mark.parametrize(
    "body",
    [b"{}", b'[["timestamp"],["2020"]]', b'[["timestamp","original"],["20201301000000","u"]]'],
)
def test_parse_cdx_refuses_what_is_not_an_index(body):
    from narrative_diff.errors import FetchFailed

    with pytest.raises(FetchFailed, match="is not CDX JSON"):
        parse_cdx(body, "x")


def test_strip_banner_cuts_the_inserts_only():
    page_bytes = b"<p>before</p><!-- WB Insert --><script>x</script><!-- End WB Insert --><p>a</p>"
    assert strip_banner(page_bytes) == b"<p>before</p><p>a</p>"
    assert strip_banner(strip_banner(page_bytes)) == strip_banner(page_bytes)


def test_bad_options_are_usage_errors(corpus, capsys):
    assert run("ftp://archive.example", corpus) == 2
    assert "--archive: cannot fetch" in capsys.readouterr().err
    assert run("http://127.0.0.1:9", corpus, "--selector", "div[[") == 2
    assert "selector 'div[[' is not a CSS selector" in capsys.readouterr().err
    assert run("http://127.0.0.1:9", corpus, "--from", "2023-01-01", "--to", "2022-01-01") == 2
    assert "--from 2023-01-01 is after --to 2022-01-01" in capsys.readouterr().err


def test_an_interrupted_backfill_resumes_where_it_stopped(http_server, corpus):
    from narrative_diff import api

    base = archive(http_server)
    seen = []

    def stop_after_first(handled) -> None:
        seen.append(handled.timestamp)
        if len(seen) == 1:
            raise KeyboardInterrupt

    store = Corpus(corpus)
    with pytest.raises(KeyboardInterrupt):
        api.backfill(store, PAGE, "ilrs-cnsa", archive=base, interval=0, each=stop_after_first)
    assert len(store.snapshots("ilrs-cnsa")) == 1
    handled = api.backfill(store, PAGE, "ilrs-cnsa", archive=base, interval=0)
    assert handled[0].timestamp == "20210901120000"  # the next one
    assert [h.outcome for h in handled] == ["duplicate", "added", "added", "failed"]
    first = [r for r in http_server.requests if "20210616093000id_" in r["path"]]
    assert len(first) == 1


def test_a_capture_that_is_busy_forever_or_not_text_fails_alone(http_server, corpus):
    from narrative_diff import api
    from narrative_diff.watching import Manners

    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    captures = [
        *CAPTURES[:1],
        ("20220301000000", "200", "FFFF", png),
        ("20220401000000", "200", "GGGG", None),  # answers 429 below, forever
        *CAPTURES[3:4],
    ]
    base = archive(http_server, captures)
    http_server.route(
        f"/web/20220401000000id_/{PAGE}", b"slow down", "text/plain", 429, {"Retry-After": "0"}
    )
    handled = api.backfill(
        Corpus(corpus),
        PAGE,
        "ilrs-cnsa",
        archive=base,
        manners=Manners(interval=0, retries=2, backoff=0, robots=False),
    )
    outcomes = {h.timestamp: h.outcome for h in handled}
    assert outcomes == {
        "20210616093000": "added",
        "20220301000000": "failed",
        "20220401000000": "failed",
        "20230501101010": "added",
    }
    lines = {h.timestamp: h.line for h in handled}
    assert "failed: binary-file: " in lines["20220301000000"]
    assert "answered HTTP 429" in lines["20220401000000"]
    asked = [r for r in http_server.requests if "20220401000000id_" in r["path"]]
    assert len(asked) == 3  # the first request and two retries


def test_the_archive_is_not_sent_credentials_or_tokens():
    from narrative_diff.watching.archive import public

    assert public("http://user:pw@example.org/a?id=3&token=SECRET&api_key=K") == (
        "http://example.org/a?id=3"
    )
    for same in (
        "http://example.org/a?flag",
        "http://example.org/a?q=caf%E9&x=1;y=2",
        "http://example.org/a?q=hello%20world&path=/x/y&q=%7Euser",
    ):
        assert public(same) == same  # nothing secret: the address exactly as captured


def test_captures_that_keep_failing_do_not_use_up_the_limit(http_server, corpus, capsys):
    captures = [
        ("20200101000000", "200", "X1", None),
        ("20200201000000", "200", "X2", None),
        *CAPTURES[:1],
        *CAPTURES[3:4],
    ]
    base = archive(http_server, captures)
    for _ in range(3):
        run(base, corpus, "--limit", "2")
    dates = [s.date.isoformat() for s in Corpus(corpus).snapshots("ilrs-cnsa")]
    assert dates == ["2021-06-16", "2023-05-01"]
    query = next(r["path"] for r in http_server.requests if r["path"].startswith("/cdx/"))
    assert "limit=2" in query


def test_a_pywb_collection_with_its_own_paths_and_index_form(http_server, corpus, capsys):
    """pywb: BASE/cdx answers a JSON object per line (url, status, mime), and a capture
    is at BASE/<timestamp>id_/<url>."""
    lines = [
        {"timestamp": t, "url": PAGE, "status": status, "digest": d, "mime": "text/html"}
        for t, status, d, _ in CAPTURES[:4]
    ]
    http_server.route(
        "/my-coll/cdx", "\n".join(json.dumps(x) for x in lines).encode(), "text/x-ndjson"
    )
    for timestamp, _, _, body in CAPTURES[:4]:
        http_server.route(f"/my-coll/{timestamp}id_/{PAGE}", body)
    base = http_server.url("/my-coll")
    assert run(base, corpus, "--layout", "pywb") == 0
    dates = [s.date.isoformat() for s in Corpus(corpus).snapshots("ilrs-cnsa")]
    assert dates == ["2021-06-16", "2023-05-01"]
    first = Corpus(corpus).snapshots("ilrs-cnsa")[0]
    assert f"{base}/20210616093000id_/{PAGE}" in first.provenance
    assert run(base, corpus, "--layout", "nonsense") == 2


def test_captures_read_in_a_pool_give_the_same_history(http_server, tmp_path, monkeypatch):
    """With a short interval the captures are read in worker processes: the snapshots, the
    record and the lines are those of reading them here, in the same order."""
    import importlib

    module = importlib.import_module("narrative_diff.watching.backfill")
    partners = ["Pakistan", "Venezuela", "Egypt", "Belarus", "Thailand", "Serbia", "Senegal"]
    captures = []
    for k in range(12):
        named = " and ".join(partners[: k % 7 + 1])
        article = ARTICLE_V2.replace("built with partners", f"built with {named}")
        body = page(article, updated=f"2024-01-{k + 1:02d}")
        captures.append((f"202401{k + 1:02d}000000", "200", f"D{k // 2}", body))  # pairs
    captures[5] = (captures[5][0], "200", "BAD", None)  # a missing memento
    captures[8] = (captures[8][0], "200", "PDF", b"%PDF-1.4 not really")
    base = archive(http_server, captures)
    seen: list[int] = []
    real_pool = module.pool

    def pool(processes):
        seen.append(processes)
        return real_pool(processes)

    monkeypatch.setattr(module, "pool", pool)
    results = {}
    for processes in (1, 2):
        monkeypatch.setattr(module, "pool_size", lambda *args, n=processes: n)
        folder = tmp_path / f"corpus{processes}"
        folder.mkdir()
        handled = api.backfill(Corpus(folder), PAGE, "ilrs-cnsa", archive=base, interval=0)
        record = (folder / ".watch" / "backfill-ilrs-cnsa.jsonl").read_text()
        snaps = [(s.date, s.body) for s in Corpus(folder).snapshots("ilrs-cnsa")]
        results[processes] = ([(h.outcome, h.line) for h in handled], record, snaps)
    assert seen == [1, 2]
    assert results[1] == results[2]
    outcomes = [outcome for outcome, _ in results[2][0]]
    # k5 (a missing memento) and k8 (a PDF) break their digest pairs
    assert outcomes == [
        *("added", "duplicate", "added", "duplicate", "added", "failed"),
        *("added", "duplicate", "failed", "added", "added", "duplicate"),
    ]


@pytest.mark.parametrize("processes", [1, 2])
def test_the_same_bytes_after_a_failed_capture_are_tried_again(
    http_server, tmp_path, monkeypatch, processes
):
    """A capture with the digest of the one before is skipped only when that one did not
    fail: the same bytes after an unreadable capture are fetched and fail on their own."""
    import importlib

    module = importlib.import_module("narrative_diff.watching.backfill")
    monkeypatch.setattr(module, "pool_size", lambda *args: processes)
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    captures = [
        ("20220101000000", "200", "D0", png),
        ("20220201000000", "200", "D0", png),
        ("20220301000000", "200", "D1", page(ARTICLE_V1)),
        ("20220401000000", "200", "D1", page(ARTICLE_V1)),
    ]
    base = archive(http_server, captures)
    folder = tmp_path / "corpus"
    folder.mkdir()
    handled = api.backfill(Corpus(folder), PAGE, "ilrs-cnsa", archive=base, interval=0)
    assert [h.outcome for h in handled] == ["failed", "failed", "added", "duplicate"]
    fetched = [r["path"] for r in http_server.requests if r["path"].startswith("/web/")]
    assert sum("20220201000000" in p for p in fetched) == 1  # tried again
    assert not any("20220401000000" in p for p in fetched)  # after an added one: skipped
