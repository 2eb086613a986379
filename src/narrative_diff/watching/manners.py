"""How ``watch`` behaves towards the sites it reads: it names itself (the User-Agent of
every fetch), asks robots.txt first, leaves a few seconds between two requests to one
host, asks conditionally (ETag, Last-Modified: an unchanged page costs the site a 304),
and retries a busy site (429, 5xx) a few times with growing pauses, within a deadline
per source. Pages are fetched one at a time.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from narrative_diff.errors import FetchFailed
from narrative_diff.ingest import IngestLimits
from narrative_diff.ingest.fetch import Fetched, fetch, http_error, user_agent
from narrative_diff.ingest.redact import redact_url

#: Statuses worth asking again after a pause.
RETRIED = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Manners:
    """``interval``: seconds between two requests to one host; ``retries`` after a 429 or
    5xx, the first after ``backoff`` seconds, doubling (a Retry-After up to ``max_wait``
    is honoured instead); ``deadline``: seconds one source may take, retries included;
    ``robots``: whether robots.txt is asked and obeyed."""

    interval: float = 5.0
    retries: int = 3
    backoff: float = 2.0
    max_wait: float = 60.0
    deadline: float = 120.0
    robots: bool = True


@dataclass
class Visits:
    """The requests of one round of checks: when each host was last asked, and each
    host's robots.txt, asked once."""

    manners: Manners = field(default_factory=Manners)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def get(self, url: str, validators: Mapping[str, str], limits: IngestLimits) -> Fetched:
        """GET ``url`` politely (module docstring): the response (200, or 304 when the
        validators still hold), or :class:`FetchFailed`."""
        if self.manners.robots and not self._allowed(url, limits):
            if self._robots.get(_origin(url)) is _UNREADABLE:
                raise FetchFailed(
                    f"robots.txt of {redact_url(_origin(url))} could not be read (a server "
                    "error or no answer), which means: do not fetch for now",
                    hint="the next check will ask again",
                    slug="robots-unavailable",
                )
            raise FetchFailed(
                f"robots.txt of {redact_url(_origin(url))} asks robots not to fetch "
                f"{redact_url(url)}",
                hint="ask the site, or pass --ignore-robots if you may read it anyway",
                slug="robots-disallowed",
            )
        headers = {}
        if "etag" in validators:
            headers["If-None-Match"] = validators["etag"]
        if "last-modified" in validators:
            headers["If-Modified-Since"] = validators["last-modified"]
        ends = self.clock() + self.manners.deadline
        pause = self.manners.backoff
        for attempt in range(self.manners.retries + 1):
            got = self._fetch(url, headers, limits)
            if got.status < 400 or got.status not in RETRIED:
                break
            wait = _retry_after(got.headers.get("retry-after"), pause, self.manners.max_wait)
            if attempt == self.manners.retries or self.clock() + wait > ends:
                break
            self.sleep(wait)
            pause *= 2
        if got.status >= 300 and got.status != 304:
            error = http_error(url, got.status, got.headers.get("reason", ""))
            if got.status in RETRIED:
                error.hint = "the site is busy or failing: the next check will try again"
            raise error
        return got

    def _fetch(self, url: str, headers: Mapping[str, str], limits: IngestLimits) -> Fetched:
        host = _origin(url)
        last = self._last.get(host)
        if last is not None:
            wait = last + self.manners.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        try:
            return fetch(url, limits=limits, headers=headers)
        finally:
            self._last[host] = self.clock()

    def _allowed(self, url: str, limits: IngestLimits) -> bool:
        host = _origin(url)
        if host not in self._robots:
            self._robots[host] = self._read_robots(host, limits)
        rules = self._robots[host]
        return rules is None or rules.can_fetch(user_agent().split("/")[0], url)

    def _read_robots(
        self, origin: str, limits: IngestLimits
    ) -> urllib.robotparser.RobotFileParser | None:
        """The site's rules; None (all allowed) when it has none. RFC 9309: a 4xx means
        no rules; a server error or no answer means "do not crawl" for now."""
        try:
            got = self._fetch(f"{origin}/robots.txt", {}, limits)
        except FetchFailed:
            return _deny_all()
        if 400 <= got.status < 500:
            return None
        if got.status >= 500:
            return _deny_all()
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(got.body.decode("utf-8", errors="replace").splitlines())
        return rules


def _deny_all() -> urllib.robotparser.RobotFileParser:
    return _UNREADABLE


#: The rules of a robots.txt that could not be read: nothing may be fetched for now.
_UNREADABLE = urllib.robotparser.RobotFileParser()
_UNREADABLE.parse(["User-agent: *", "Disallow: /"])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def _retry_after(value: str | None, default: float, most: float) -> float:
    """Seconds to wait: the server's Retry-After (seconds) when it gives one, at most
    ``most``; else ``default``."""
    if value and value.strip().isdigit():
        return min(float(value.strip()), most)
    return min(default, most)
