"""Battery cases of issue 13, classes 7, 9 and 11 (part): fetching a URL.

* 7, the deadline: ``--timeout`` bounds the whole fetch (connect, headers, body, every
  redirect hop); servers that drip the body or the headers a byte at a time, answer late
  or redirect slowly end with ``fetch-timeout`` (exit 6) within about the deadline.
* 9, credentials: ``user:password@`` and secret-looking query parameters never reach the
  corpus or a message (``REDACTED``), also from ``--url``, ``--provenance``, redirects.
* 11, private redirects: with the local server declared public
  (``NARRATIVE_DIFF_PUBLIC_HOSTS=127.0.0.1``), a redirect to a loopback, private,
  link-local or otherwise non-global address is refused (``private-redirect``) unless
  ``--allow-private``; redirects that stay on the public host, or start from a private
  one, are followed.
"""

from __future__ import annotations

from tests.battery import Case
from tests.conftest import Drip, LocalHTTPServer

PAGE = (
    b"<html><head><title>Station</title></head><body><article><h1>Station</h1><p>"
    + b"The lunar research station is built by many agencies together. " * 12
    + b"</p></article></body></html>"
)
SHORT = b"<html><head><title>Slow</title></head><body><p>The station is open.</p></body></html>"
PUBLIC = {"NARRATIVE_DIFF_PUBLIC_HOSTS": "127.0.0.1"}
#: Where the redirects of the refused cases lead: refused before any connection, so the
#: port is the closed port 9 (the message, and so the reliability table, stays the same).
PRIVATE_TARGETS = {
    "localhost": "http://localhost:9/net/page",
    "ipv6-loopback": "http://[::1]:9/net/page",
    "other-loopback": "http://127.0.0.2:9/net/page",
    "decimal-loopback": "http://2130706433:9/net/page",
    "mapped-loopback": "http://[::ffff:127.0.0.1]:9/net/page",
    "unspecified": "http://0.0.0.0:9/net/page",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "ten": "http://10.0.0.1/admin",
    "one-nine-two": "http://192.168.1.1/",
    "one-seven-two": "http://172.16.0.1/",
    "shared": "http://100.64.0.1/",
    "unique-local": "http://[fd12:3456::1]/",
    "link-local-v6": "http://[fe80::1]/",
}


def routes(server: LocalHTTPServer) -> None:
    """The pages of these cases, all under ``/net/``."""
    port = server.port
    server.route("/net/page", PAGE)
    server.drip("/net/drip", Drip(PAGE))
    server.drip("/net/drip-headers", Drip(PAGE, slow_headers=True))
    server.drip("/net/late", Drip(PAGE, delay=1.5))
    server.drip("/net/slow-ok", Drip(SHORT, interval=0.004))
    for n in (1, 2, 3):
        to = f"/net/slow-hop{n + 1}" if n < 3 else "/net/page"
        server.drip(f"/net/slow-hop{n}", Drip(b"", delay=0.4, status=302, headers={"Location": to}))
    for name, target in PRIVATE_TARGETS.items():
        server.route(f"/net/to-{name}", b"", status=302, headers={"Location": target})
    server.route(
        "/net/to-localhost-secret",
        b"",
        status=302,
        headers={"Location": "http://ann:hunter2@localhost:9/net/page?token=SEKRIT"},
    )
    server.route("/net/hop", b"", status=302, headers={"Location": "/net/to-localhost"})
    here = f"http://localhost:{port}/net/page"  # followed: the real port
    server.route("/net/to-this-localhost", b"", status=302, headers={"Location": here})
    server.route("/net/to-page", b"", status=302, headers={"Location": "/net/page"})
    server.route("/net/to-file", b"", status=302, headers={"Location": "file:///etc/passwd"})
    presigned = (
        f"http://ann:hunter2@127.0.0.1:{port}/net/page?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIDEXAMPLE%2F20300101&X-Amz-Expires=300&X-Amz-Signature=SEKRIT"
    )
    server.route("/net/to-presigned", b"", status=302, headers={"Location": presigned})


def _url(url: str, *extra: str) -> tuple[str, ...]:
    return ("add", url, "--series", "ilrs", "--date", "2030-01-01", "--corpus", "{c}", *extra)


def _file(*extra: str) -> tuple[str, ...]:
    return (*_url("{n}/hostile.html"), "--language", "en", *extra)


def cases() -> list[Case]:
    slow = "URL: one deadline (--timeout)"
    secret = "URL: credentials kept out"
    private = "URL: redirects to private addresses"
    t1 = ("--timeout", "1")
    out = [
        Case("body dripped a byte every 0.2 s", slow, _url("{u}/net/drip", *t1)),
        Case("headers dripped a byte at a time", slow, _url("{u}/net/drip-headers", *t1)),
        Case("no answer for 1.5 s, --timeout 1", slow, _url("{u}/net/late", *t1)),
        Case("3 redirects of 0.4 s each, --timeout 1", slow, _url("{u}/net/slow-hop1", *t1)),
        Case("dripped body, --timeout 0.1 (the least)", slow,
             _url("{u}/net/drip", "--timeout", "0.1")),
        Case("slow page done within the deadline", slow,
             _url("{u}/net/slow-ok", "--timeout", "10", "--language", "en"), "added"),
        Case("dripped body, token in the URL", slow,
             _url("{u}/net/drip?access_token=SEKRIT", *t1)),
        Case("api_key in the query", secret, _url("{u}/net/page?page=2&api_key=SEKRIT"), "added"),
        Case("secret names in any case and encoding", secret,
             _url("{u}/net/page?TOKEN=SEKRIT&Api-Key=SEKRIT&api%5Fkey=SEKRIT&sig=SEKRIT"), "added"),
        Case("access_token in the fragment", secret,
             _url("{u}/net/page#access_token=SEKRIT&state=1"), "added"),
        Case("redirect to a presigned URL with user:password", secret,
             _url("{u}/net/to-presigned"), "added"),
        Case("404 with a token in the URL", secret, _url("{u}/net/missing?access_token=SEKRIT")),
        Case("closed port, user:password and sig", secret,
             _url("http://ann:hunter2@127.0.0.1:9/x.html?sig=SEKRIT", "--timeout", "2")),
        Case("redirect loop with a password parameter", secret,
             _url("{u}/redirect-loop?password=SEKRIT")),
        Case("ftp URL with user:password", secret, _url("ftp://ann:hunter2@127.0.0.1/x.txt")),
        Case("invalid URL with user:password", secret,
             _url("http://ann:hunter2@[::1/x?token=SEKRIT")),
        Case("--url with user:password and token", secret,
             _file("--url", "https://ann:hunter2@example.org/a?token=SEKRIT"), "added"),
        Case("--provenance quoting a URL with apikey", secret,
             _file("--provenance", "Verbatim, from https://example.org/a?apikey=SEKRIT."), "added"),
    ]  # fmt: skip
    for name, target in PRIVATE_TARGETS.items():
        where = target.split("//", 1)[1].split("/", 1)[0].removesuffix(":9")
        out.append(
            Case(
                f"public page redirects to {where}",
                private,
                _url(f"{{u}}/net/to-{name}", "--timeout", "3"),
                env=PUBLIC,
            )
        )
    out += [
        Case("the second redirect leads to localhost", private, _url("{u}/net/hop"), env=PUBLIC),
        Case("redirect to localhost, user:password and token", private,
             _url("{u}/net/to-localhost-secret"), env=PUBLIC),
        Case("redirect to localhost with --allow-private", private,
             _url("{u}/net/to-this-localhost", "--allow-private"), "added", env=PUBLIC),
        Case("redirect on the same public host", private, _url("{u}/net/to-page"), "added",
             env=PUBLIC),
        Case("public page redirects to file:///etc/passwd", private, _url("{u}/net/to-file"),
             env=PUBLIC),
        Case("private page redirects to localhost", private,
             _url("{u}/net/to-this-localhost"), "added"),
    ]  # fmt: skip
    return out
