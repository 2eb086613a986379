"""Which network addresses are public, and the redirect rule built on it.

A page on the public internet must not be able to send ``add`` into the user's own
network (a router's admin page, a cloud metadata service at 169.254.169.254, a database
on localhost): a redirect from a public address to a private, loopback, link-local or
otherwise non-global one is refused unless ``--allow-private``. A URL the user gives
directly may point anywhere (an intranet page is a legitimate source), and so may its
redirects while they stay off the public internet.

"Public" is Python's ``ipaddress.is_global`` (IPv4-mapped IPv6 addresses judged as the
IPv4 address); a host name is public only when every address it resolves to is. The
resolver is a parameter so that tests can judge a local test server "public";
``NARRATIVE_DIFF_PUBLIC_HOSTS`` (comma-separated host names or addresses, as written in
the URL) does the same for the command line in the test battery.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from narrative_diff.errors import FetchFailed

from .redact import redact_url

#: ``(host, port) -> addresses``; an empty result means "could not resolve".
Resolver = Callable[[str, int], Sequence[str]]

PUBLIC_HOSTS_ENV = "NARRATIVE_DIFF_PUBLIC_HOSTS"


def resolve(host: str, port: int) -> tuple[str, ...]:
    """The addresses ``host`` resolves to (a literal address: itself); () when it does not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return ()
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """Whether ``address`` is a global (public internet) address.

    >>> [is_public(a) for a in ("93.184.216.34", "10.1.2.3", "::1", "::ffff:127.0.0.1")]
    [True, False, False, False]
    >>> [is_public(a) for a in ("169.254.169.254", "0.0.0.0", "fd00::1", "2606:4700::1111")]
    [False, False, False, True]
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: a zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _declared_public() -> frozenset[str]:
    names = os.environ.get(PUBLIC_HOSTS_ENV, "")
    return frozenset(n.strip().strip("[]").lower() for n in names.split(",") if n.strip())


@dataclass
class RedirectGuard:
    """Checks each hop of one fetch: called with every request's URL, in order.

    A hop is judged only when a redirect needs it (the first request of a fetch without
    redirects resolves nothing more than the connection does).
    """

    allow_private: bool = False
    resolver: Resolver = resolve
    _previous: tuple[str, str, int] | None = None  # (url, host, port) of the last hop
    _judged: dict[tuple[str, int], str | None] = field(default_factory=dict)

    def hop(self, url: str, host: str, port: int) -> None:
        """Record a request; refuse it (``private-redirect``) when it follows a redirect
        from a public address to a non-public one."""
        previous, self._previous = self._previous, (url, host, port)
        if previous is None or self.allow_private:
            return
        from_url, from_host, from_port = previous
        if self._private_address(from_host, from_port) is not None:
            return  # redirects inside the user's own network are the user's choice
        private = self._private_address(host, port)
        if private is None:
            return
        shown = "" if private.strip("[]").lower() == host.lower() else f" ({private})"
        raise FetchFailed(
            f"{redact_url(from_url)} redirected to {redact_url(url)}{shown}, a private "
            "address: a public page may not send narrative-diff into your own network",
            hint="if you trust this redirect, run the command again with --allow-private",
            slug="private-redirect",
        )

    def _private_address(self, host: str, port: int) -> str | None:
        """The first non-public address of ``host`` (None: all public, or unresolved)."""
        key = (host.lower(), port)
        if key not in self._judged:
            if key[0] in _declared_public():
                self._judged[key] = None
            else:
                addresses = self.resolver(host, port)
                self._judged[key] = next((a for a in addresses if not is_public(a)), None)
        return self._judged[key]
