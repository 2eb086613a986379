"""Fetching http(s) URLs with httpx: streamed, size-bounded, within one deadline
(``deadline.py``), each redirect hop checked (``addresses.py``), errors made one-line and
credentials kept out of every message and of the returned final URL (``redact.py``).
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from narrative_diff.errors import FetchFailed, UsageProblem

from .addresses import RedirectGuard, Resolver, resolve
from .model import DEFAULT_LIMITS, IngestLimits, brief, too_large
from .redact import redact_text, redact_url

if typing.TYPE_CHECKING:
    import httpx

_ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "text/plain;q=0.9,text/markdown;q=0.9,text/vtt;q=0.9,*/*;q=0.5"
)


def user_agent() -> str:
    """``narrative-diff/<installed version>``."""
    from narrative_diff import __version__

    return f"narrative-diff/{__version__}"


def check_url(url: str) -> None:
    """Raise ``UsageProblem`` (``unsupported-url``) unless ``url`` is http(s) with a host."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        if host:
            host.encode("idna")  # a label over 63 characters, or not encodable at all
    except (ValueError, UnicodeError) as exc:
        raise UsageProblem(
            f"cannot fetch {shown}: not a valid URL ({redact_text(brief(exc))})",
            hint="check the address, e.g. https://example.org/page.html",
            slug="unsupported-url",
        ) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UsageProblem(
            f"cannot fetch {shown}: only http and https URLs are supported",
            hint="download the document and add the file instead",
            slug="unsupported-url",
        )
    if not parts.hostname:
        raise UsageProblem(
            f"cannot fetch {shown}: the URL has no host name",
            hint="give a full URL such as https://example.org/page.html",
            slug="unsupported-url",
        )


@dataclass(frozen=True)
class Fetched:
    """A response: the body (empty for a status of 300 and above), its content type
    without parameters, the final URL (credentials redacted), the status and the headers
    a later conditional request or a retry needs (lower-case names)."""

    body: bytes
    content_type: str | None
    final_url: str
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


#: Response headers kept in :attr:`Fetched.headers`.
KEPT_HEADERS = ("etag", "last-modified", "retry-after")


def fetch_url(
    url: str, *, limits: IngestLimits = DEFAULT_LIMITS, resolver: Resolver = resolve
) -> tuple[bytes, str | None, str]:
    """GET ``url``; return ``(body, content type without parameters or None, final URL)``.

    The final URL is returned with its credentials redacted (``redact.py``). Redirects
    are followed up to ``limits.max_redirects``, each hop checked by a
    :class:`RedirectGuard` (``resolver`` judges the addresses); the body is streamed and
    reading stops as soon as it passes ``limits.max_bytes`` or the deadline. An HTTP
    error status raises :class:`FetchFailed` (``http-error``).
    """
    got = fetch(url, limits=limits, resolver=resolver)
    if got.status >= 300:
        raise http_error(url, got.status, got.headers.get("reason", ""))
    return got.body, got.content_type, got.final_url


def http_error(url: str, status: int, reason: str = "") -> FetchFailed:
    """The one-line error for an HTTP error status (or a redirect with nowhere to go)."""
    said = f"{redact_url(url)} answered HTTP {f'{status} {reason}'.strip()}"
    if status < 400:
        said += " without a Location to follow"
    return FetchFailed(
        said,
        hint="check the URL in a browser; the page may have moved or need a login",
        slug="http-error",
    )


def fetch(
    url: str,
    *,
    limits: IngestLimits = DEFAULT_LIMITS,
    resolver: Resolver = resolve,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET ``url`` as :func:`fetch_url` does, with extra request ``headers`` (e.g.
    ``If-None-Match``), and return the response whatever its status: a caller that
    retries on 429 or 503, or takes 304 as "unchanged", decides what an error is."""
    import httpx

    from .deadline import Deadline, DeadlinePassed, deadline_transport

    check_url(url)
    shown = redact_url(url)
    deadline = Deadline.after(limits.timeout)
    allow_private = limits.allow_private
    guard = RedirectGuard(allow_private=allow_private, resolver=resolver)

    def each_request(request: httpx.Request) -> None:
        deadline.clamp(None, httpx.ConnectTimeout)
        target = request.url  # the host as connected to: IDNA-encoded, IPv6 without brackets
        host = target.raw_host.decode("ascii", errors="replace")
        guard.hop(str(target), host, target.port or _port(target))

    sent = {"User-Agent": user_agent(), "Accept": _ACCEPT, **(headers or {})}
    try:
        with (
            httpx.Client(
                headers=sent,
                timeout=httpx.Timeout(limits.timeout),
                follow_redirects=True,
                max_redirects=limits.max_redirects,
                transport=deadline_transport(deadline),
                event_hooks={"request": [each_request]},
            ) as client,
            client.stream("GET", url) as response,
        ):
            kept = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
            final = redact_url(str(response.url))
            if response.status_code >= 300:  # an error or 304 Not Modified: no body wanted
                kept["reason"] = response.reason_phrase
                return Fetched(b"", None, final, response.status_code, kept)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise too_large(shown, int(declared), limits.max_bytes)
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                if deadline.left() <= 0:
                    raise DeadlinePassed
                received += len(chunk)
                if received > limits.max_bytes:
                    raise too_large(shown, None, limits.max_bytes)
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Fetched(
                b"".join(chunks), content_type or None, final, response.status_code, kept
            )
    except (httpx.TimeoutException, DeadlinePassed) as exc:
        raise FetchFailed(
            f"{shown} did not answer within {limits.timeout:g} s",
            hint="try again later, or allow more time with --timeout (one deadline for "
            "connecting, headers and body, redirects included)",
            slug="fetch-timeout",
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchFailed(
            f"{shown} redirected more than {limits.max_redirects} times",
            hint="open the URL in a browser and add the final address instead",
            slug="too-many-redirects",
        ) from exc
    except httpx.InvalidURL as exc:
        raise UsageProblem(
            f"cannot fetch {shown}: {redact_text(brief(exc))}",
            hint="check the URL",
            slug="unsupported-url",
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(
            f"cannot fetch {shown}: {redact_text(brief(exc))}",
            hint="check the address and your network connection, then try again",
            slug="fetch-failed",
        ) from exc


def _port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80
