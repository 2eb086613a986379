"""Fetching http(s) URLs with httpx: streamed, size-bounded, errors made one-line."""

from __future__ import annotations

from urllib.parse import urlsplit

from narrative_diff.errors import FetchFailed, UsageProblem

from .model import DEFAULT_LIMITS, IngestLimits, brief, too_large

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
    try:
        parts = urlsplit(url)
        host = parts.hostname
        if host:
            host.encode("idna")  # a label over 63 characters, or not encodable at all
    except (ValueError, UnicodeError) as exc:
        raise UsageProblem(
            f"cannot fetch {url}: not a valid URL ({exc})",
            hint="check the address, e.g. https://example.org/page.html",
            slug="unsupported-url",
        ) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UsageProblem(
            f"cannot fetch {url}: only http and https URLs are supported",
            hint="download the document and add the file instead",
            slug="unsupported-url",
        )
    if not parts.hostname:
        raise UsageProblem(
            f"cannot fetch {url}: the URL has no host name",
            hint="give a full URL such as https://example.org/page.html",
            slug="unsupported-url",
        )


def fetch_url(url: str, *, limits: IngestLimits = DEFAULT_LIMITS) -> tuple[bytes, str | None, str]:
    """GET ``url``; return ``(body, content type without parameters or None, final URL)``.

    Redirects are followed up to ``limits.max_redirects``; the body is streamed and reading
    stops as soon as it passes ``limits.max_bytes``.
    """
    import httpx

    check_url(url)
    headers = {"User-Agent": user_agent(), "Accept": _ACCEPT}
    try:
        with (
            httpx.Client(
                headers=headers,
                timeout=httpx.Timeout(limits.timeout),
                follow_redirects=True,
                max_redirects=limits.max_redirects,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise FetchFailed(
                    f"{url} answered HTTP {response.status_code} {response.reason_phrase}".strip(),
                    hint="check the URL in a browser; the page may have moved or need a login",
                    slug="http-error",
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise too_large(url, int(declared), limits.max_bytes)
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > limits.max_bytes:
                    raise too_large(url, None, limits.max_bytes)
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return b"".join(chunks), content_type or None, str(response.url)
    except httpx.TimeoutException as exc:
        raise FetchFailed(
            f"{url} did not answer within {limits.timeout:g} s",
            hint="try again later, or allow more time with --timeout",
            slug="fetch-timeout",
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchFailed(
            f"{url} redirected more than {limits.max_redirects} times",
            hint="open the URL in a browser and add the final address instead",
            slug="too-many-redirects",
        ) from exc
    except httpx.InvalidURL as exc:
        raise UsageProblem(
            f"cannot fetch {url}: {brief(exc)}", hint="check the URL", slug="unsupported-url"
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(
            f"cannot fetch {url}: {brief(exc)}",
            hint="check the address and your network connection, then try again",
            slug="fetch-failed",
        ) from exc
