"""Issue 13, classes 7, 9 and 11 (part): the fetch deadline, credentials kept out of the
corpus and of messages, and redirects from public to private addresses."""

from __future__ import annotations

import base64
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from narrative_diff.cli import main
from narrative_diff.errors import FetchFailed
from narrative_diff.ingest import IngestLimits, read_source
from narrative_diff.ingest.addresses import PUBLIC_HOSTS_ENV, RedirectGuard, is_public
from narrative_diff.ingest.deadline import Deadline
from narrative_diff.ingest.fetch import fetch_url
from narrative_diff.ingest.redact import redact_text, redact_url, secret_name, was_redacted

from .battery_network import PAGE
from .conftest import Drip, LocalHTTPServer
from .helpers import PINNED, raises_slug, tree_digest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_ADDRESS = "93.184.216.34"
SECRETS = ("hunter2", "SEKRIT")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(PINNED, tmp_path / "corpus")
    return tmp_path / "corpus"


def _add(
    capsys: pytest.CaptureFixture[str], corpus: Path, source: str, *extra: str
) -> tuple[int, str, str]:
    argv = ["add", source, "--series", "ilrs", "--date", "2030-01-01", "--corpus", str(corpus)]
    code = main([*argv, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _stored(corpus: Path) -> str:
    """The front matter and text of the one snapshot ``add`` wrote (2030-01-…)."""
    (found,) = corpus.glob("ilrs/2030-01-*.md")
    return found.read_text(encoding="utf-8")


def _everything(corpus: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(corpus.rglob("*")) if p.is_file())


def _loopback_is_public(host: str, port: int) -> Sequence[str]:
    """A resolver for which the local test server (127.0.0.1) is on the internet."""
    return (PUBLIC_ADDRESS,) if host == "127.0.0.1" else ("127.0.0.1",)


# -- class 7: one deadline for the whole fetch ----------------------------------------------


@pytest.mark.network
@pytest.mark.parametrize(
    ("path", "drip"),
    [
        ("/drip", Drip(PAGE, interval=0.2)),
        ("/drip-headers", Drip(PAGE, interval=0.2, slow_headers=True)),
        ("/late", Drip(PAGE, delay=3.0)),
    ],
)
def test_a_dripping_server_is_cut_at_the_deadline(
    http_server: LocalHTTPServer,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    drip: Drip,
) -> None:
    url = http_server.drip(path, drip)
    before = tree_digest(corpus)
    started = time.monotonic()
    code, out, err = _add(capsys, corpus, url, "--timeout", "1")
    took = time.monotonic() - started
    assert code == 6
    assert took < 2.0, took  # before: a byte every 0.5 s kept --timeout 5 running 91 s
    assert err == (
        f"narrative-diff: fetch-timeout: {url} did not answer within 1 s; try again later, or "
        "allow more time with --timeout (one deadline for connecting, headers and body, "
        "redirects included)\n"
    )
    assert out == "" and tree_digest(corpus) == before


@pytest.mark.network
def test_slow_redirect_hops_share_one_deadline(http_server: LocalHTTPServer) -> None:
    for n in (1, 2, 3):  # each hop answers well within the old per-read timeout
        to = f"/hop{n + 1}" if n < 3 else "/page"
        http_server.drip(f"/hop{n}", Drip(b"", delay=0.4, status=302, headers={"Location": to}))
    http_server.route("/page", PAGE)
    started = time.monotonic()
    with raises_slug(FetchFailed, "fetch-timeout", "within 1 s"):
        fetch_url(http_server.url("/hop1"), limits=IngestLimits(timeout=1.0))
    assert time.monotonic() - started < 1.5
    paths = [r["path"] for r in http_server.requests]
    assert paths[:2] == ["/hop1", "/hop2"] and "/page" not in paths  # each hop was followed


@pytest.mark.network
def test_a_slow_page_within_the_deadline_is_read_whole(http_server: LocalHTTPServer) -> None:
    url = http_server.drip("/slow.md", Drip(b"# Notes\n\nLunar station.\n", interval=0.01))
    body, _, _ = fetch_url(url, limits=IngestLimits(timeout=5.0))
    assert body == b"# Notes\n\nLunar station.\n"


def test_a_silent_tls_handshake_is_cut_at_the_deadline() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=1) as listener:  # never accepts
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/"
        started = time.monotonic()
        with raises_slug(FetchFailed, "fetch-timeout", "within 0.5 s"):
            fetch_url(url, limits=IngestLimits(timeout=0.5))
        assert time.monotonic() - started < 1.5


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_through_the_deadline_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TLS handshake runs on the wrapped connection (``start_tls``): a page is read."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = LocalHTTPServer()
    server.route("/notes.md", b"# Notes\n\nLunar station.\n", "text/markdown")
    with context.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True) as tls:
        port = tls.getsockname()[1]

        def relay() -> None:  # TLS in front of the plain local server, one connection
            conn, _ = tls.accept()
            with conn, socket.create_connection(("127.0.0.1", server.port)) as plain:
                plain.sendall(conn.recv(65536))
                while data := plain.recv(65536):
                    conn.sendall(data)

        thread = threading.Thread(target=relay, daemon=True)
        thread.start()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        try:
            body, media, final = fetch_url(f"https://127.0.0.1:{port}/notes.md")
        finally:
            thread.join(timeout=5)
            server.close()
    assert (body, media, final) == (
        b"# Notes\n\nLunar station.\n",
        "text/markdown",
        f"https://127.0.0.1:{port}/notes.md",
    )


def test_the_deadline_clamps_each_wait_and_refuses_when_passed() -> None:
    deadline = Deadline.after(10.0)
    assert deadline.clamp(1.0, TimeoutError) == 1.0
    assert 9.0 < deadline.clamp(None, TimeoutError) <= 10.0
    assert 9.0 < deadline.clamp(60.0, TimeoutError) <= 10.0
    with pytest.raises(TimeoutError):  # never 0: a socket timeout of 0 does not block
        Deadline.after(0.0).clamp(5.0, TimeoutError)


# -- class 9: credentials -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("https://ann:hunter2@example.org/a", "https://REDACTED@example.org/a"),
        ("https://tok3n@example.org", "https://REDACTED@example.org"),
        ("https://a%40b:p%3Aw@example.org:8443/", "https://REDACTED@example.org:8443/"),
        ("http://u:p@[::1]:80/x?y=1", "http://REDACTED@[::1]:80/x?y=1"),
        ("https://e.org/a?page=2&api_key=S&lang=en", "https://e.org/a?page=2&api_key=REDACTED&lang=en"),
        ("https://e.org/?TOKEN=S;Api-Key=S", "https://e.org/?TOKEN=REDACTED;Api-Key=REDACTED"),
        ("https://e.org/?api%5Fkey=S&sig=S", "https://e.org/?api%5Fkey=REDACTED&sig=REDACTED"),
        ("https://e.org/?X-Amz-Signature=S&X-Amz-Expires=300",
         "https://e.org/?X-Amz-Signature=REDACTED&X-Amz-Expires=300"),
        ("https://e.org/?X-Amz-Credential=A%2FB&X-Goog-Signature=S",
         "https://e.org/?X-Amz-Credential=REDACTED&X-Goog-Signature=REDACTED"),
        ("https://e.org/cb#access_token=S&state=1", "https://e.org/cb#access_token=REDACTED&state=1"),
        ("https://e.org/?password=S&pwd=S&secret=S&session=S",
         "https://e.org/?password=REDACTED&pwd=REDACTED&secret=REDACTED&session=REDACTED"),
        ("https://e.org/?key=S&monkey=banana&token=", "https://e.org/?key=REDACTED&monkey=banana&token="),
        ("https://e.org/a%20b?q=a+b&x#frag", "https://e.org/a%20b?q=a+b&x#frag"),
        ("https://e.org/user@host", "https://e.org/user@host"),  # an @ in the path is no user
    ],
)  # fmt: skip
def test_redact_url(url: str, stored: str) -> None:
    assert redact_url(url) == stored
    assert redact_url(stored) == stored  # idempotent: a redacted URL stays as it is
    assert was_redacted(stored) == (stored != url)


def test_secret_names_and_text() -> None:
    assert all(map(secret_name, ("access_token", "client_secret", "AWSAccessKeyId", "auth")))
    assert not any(map(secret_name, ("page", "q", "id", "lang", "keyword", "monkey")))
    text = "cannot fetch https://u:p@e.org/x?token=abc: refused; see http://e.org/ok"
    assert redact_text(text) == (
        "cannot fetch https://REDACTED@e.org/x?token=REDACTED: refused; see http://e.org/ok"
    )


@pytest.mark.network
def test_credentials_are_used_but_never_stored(
    http_server: LocalHTTPServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = http_server.route("/page", PAGE).replace("http://", "http://ann:hunter2@")
    code, out, err = _add(capsys, corpus, f"{url}?page=2&api_key=SEKRIT")
    assert code == 0, err
    port = http_server.port
    assert f"source_url: http://REDACTED@127.0.0.1:{port}/page?page=2&api_key=REDACTED\n" in (
        _stored(corpus)
    )
    assert not any(s.encode() in _everything(corpus) for s in SECRETS)  # raw capture too
    assert not any(s in out + err for s in SECRETS)
    notes = [line for line in err.splitlines() if line.startswith("note: credentials removed")]
    assert len(notes) == 1 and "REDACTED" in notes[0]
    sent = http_server.requests[-1]  # the fetch itself used the real credentials
    assert sent["path"] == "/page?page=2&api_key=SEKRIT"
    assert sent["Authorization"] == "Basic " + base64.b64encode(b"ann:hunter2").decode()


@pytest.mark.network
def test_the_final_url_after_redirects_is_redacted(http_server: LocalHTTPServer) -> None:
    http_server.route("/page", PAGE)
    target = http_server.url("/page?X-Amz-Credential=AK&X-Amz-Signature=SEKRIT&X-Amz-Expires=9")
    start = http_server.route("/go", b"", status=302, headers={"Location": target})
    got = read_source(start)
    assert got.source_url == http_server.url(
        "/page?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Expires=9"
    )
    assert http_server.requests[-1]["path"].endswith("X-Amz-Signature=SEKRIT&X-Amz-Expires=9")


@pytest.mark.network
@pytest.mark.parametrize(
    ("path", "slug"),
    [
        ("/missing?access_token=SEKRIT", "http-error"),
        ("/redirect-loop?sig=SEKRIT", "too-many-redirects"),
    ],
)
def test_errors_never_echo_credentials(
    http_server: LocalHTTPServer,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    slug: str,
) -> None:
    url = http_server.url(path).replace("http://", "http://ann:hunter2@")
    before = tree_digest(corpus)
    code, _, err = _add(capsys, corpus, url)
    assert code == 6
    assert err.startswith(f"narrative-diff: {slug}: {redact_url(url)} ")
    assert "REDACTED@127.0.0.1" in err and not any(s in err for s in SECRETS)
    assert tree_digest(corpus) == before


def test_closed_port_and_bad_schemes_are_redacted(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for url, code, slug in [
        ("http://ann:hunter2@127.0.0.1:9/x?sig=SEKRIT", 6, "fetch-failed"),
        ("ftp://ann:hunter2@127.0.0.1/x.txt", 2, "unsupported-url"),
        ("http://ann:hunter2@[::1/x?token=SEKRIT", 2, "unsupported-url"),
    ]:
        got, _, err = _add(capsys, corpus, url, "--timeout", "2")
        assert (got, err.split(":")[1].strip()) == (code, slug), err
        assert "REDACTED" in err and not any(s in err for s in SECRETS), err


def test_url_and_provenance_options_are_redacted(
    corpus: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    code, _, err = _add(
        capsys,
        corpus,
        str(page),
        "--url",
        "https://ann:hunter2@example.org/a?token=SEKRIT",
        "--provenance",
        "Verbatim, from https://example.org/a?apikey=SEKRIT.",
    )
    assert code == 0, err
    stored = _stored(corpus)
    assert "source_url: https://REDACTED@example.org/a?token=REDACTED\n" in stored
    assert "provenance: Verbatim, from https://example.org/a?apikey=REDACTED." in stored
    assert err.count("note: credentials removed") == 1


def test_no_note_without_credentials(
    corpus: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    code, _, err = _add(capsys, corpus, str(page), "--url", "https://example.org/a?page=2")
    assert code == 0 and "credentials" not in err
    assert "source_url: https://example.org/a?page=2\n" in _stored(corpus)


# -- class 11 (part): redirects from a public address to a private one ----------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False),
        ("127.8.9.10", False), ("::1", False), ("10.0.0.1", False), ("172.16.0.1", False),
        ("172.31.255.255", False), ("172.32.0.1", True), ("192.168.1.1", False),
        ("169.254.169.254", False), ("0.0.0.0", False), ("::", False), ("100.64.0.1", False),
        ("fd12:3456::1", False), ("fc00::1", False), ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("224.0.0.1", False),
        ("not an address", False),
    ],
)  # fmt: skip
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def _resolver(table: dict[str, tuple[str, ...]]):  # type: ignore[no-untyped-def]
    return lambda host, port: table.get(host, ())


@pytest.mark.parametrize(
    ("hops", "refused_at"),
    [
        (["pub", "loop"], 1),
        (["pub", "pub", "priv"], 2),
        (["pub", "mixed"], 1),  # one private address among public ones is enough
        (["priv", "loop", "pub"], None),  # started inside the user's network
        (["priv", "pub", "loop"], 2),  # a public page in the chain may not lead back in
        (["pub", "pub"], None),
        (["pub", "unknown"], None),  # cannot resolve: the connection will fail on its own
        (["unknown", "loop"], 1),  # an origin that does not resolve counts as public
    ],
)
def test_redirect_guard_checks_every_hop(hops: list[str], refused_at: int | None) -> None:
    table = {
        "pub": ("93.184.216.34",),
        "priv": ("192.168.0.2",),
        "loop": ("127.0.0.1", "::1"),
        "mixed": ("93.184.216.34", "10.0.0.7"),
    }
    guard = RedirectGuard(resolver=_resolver(table))
    for n, host in enumerate(hops):
        if n == refused_at:
            with raises_slug(FetchFailed, "private-redirect", f"http://{hops[n - 1]}/{n - 1}"):
                guard.hop(f"http://{host}/{n}", host, 80)
            return
        guard.hop(f"http://{host}/{n}", host, 80)
    assert refused_at is None
    allowed = RedirectGuard(allow_private=True, resolver=_resolver(table))
    for n, host in enumerate(["pub", "loop"]):
        allowed.hop(f"http://{host}/{n}", host, 80)


def test_a_single_request_resolves_nothing() -> None:
    asked: list[str] = []
    guard = RedirectGuard(resolver=lambda host, port: asked.append(host) or ())
    guard.hop("http://example.org/", "example.org", 80)
    assert asked == []


@pytest.mark.network
def test_a_public_page_may_not_redirect_to_loopback(http_server: LocalHTTPServer) -> None:
    http_server.route("/page", PAGE)
    target = f"http://localhost:{http_server.port}/page?token=SEKRIT"
    start = http_server.route("/go", b"", status=302, headers={"Location": target})
    with raises_slug(FetchFailed, "private-redirect", start, "localhost", "REDACTED") as info:
        fetch_url(start, resolver=_loopback_is_public)
    assert "--allow-private" in (info.value.hint or "")
    assert [r["path"] for r in http_server.requests] == ["/go"]  # refused before connecting
    body, _, final = fetch_url(
        start, limits=IngestLimits(allow_private=True), resolver=_loopback_is_public
    )
    assert body == PAGE and final.endswith("/page?token=REDACTED")


@pytest.mark.network
def test_an_international_host_name_is_judged_as_connected_to(
    http_server: LocalHTTPServer,
) -> None:
    start = http_server.route(
        "/go", b"", status=302, headers={"Location": "http://bücher.example/page"}
    )
    asked: list[str] = []

    def resolver(host: str, port: int) -> Sequence[str]:
        asked.append(host)
        return {"127.0.0.1": (PUBLIC_ADDRESS,), "xn--bcher-kva.example": ("10.1.1.1",)}[host]

    with raises_slug(FetchFailed, "private-redirect", "(10.1.1.1)"):
        fetch_url(start, resolver=resolver)
    assert asked == ["127.0.0.1", "xn--bcher-kva.example"]


@pytest.mark.network
def test_allow_private_on_the_command_line(
    http_server: LocalHTTPServer,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http_server.route("/page", PAGE)
    target = f"http://localhost:{http_server.port}/page"
    start = http_server.route("/go", b"", status=302, headers={"Location": target})
    before = tree_digest(corpus)
    code, _, err = _add(capsys, corpus, start)  # 127.0.0.1 is private: its redirects are free
    assert code == 0, err
    shutil.rmtree(corpus)
    shutil.copytree(PINNED, corpus)
    monkeypatch.setenv(PUBLIC_HOSTS_ENV, "127.0.0.1")  # now it stands for a public server
    code, _, err = _add(capsys, corpus, start)
    assert code == 6 and tree_digest(corpus) == before
    assert err.startswith(f"narrative-diff: private-redirect: {start} redirected to {target}")
    code, out, err = _add(capsys, corpus, start, "--allow-private")
    assert code == 0 and out.splitlines()[1].startswith("added ilrs/2030-01-"), err
