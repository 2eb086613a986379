"""Notifications of narrative changes through apprise (e-mail, Matrix, Slack, ntfy, a
JSON webhook, …: one URL each, https://github.com/caronc/apprise/wiki).

apprise is an optional extra (``pip install 'narrative-diff[notify]'``): a sources file
that asks for notifications without it stops before anything is fetched. A notification
URL holds secrets (tokens, passwords): messages name only its service (``json://…``).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from narrative_diff.errors import MissingExtra

from .sources import SourcesError


def check_urls(urls: Sequence[str], label: str) -> None:
    """Raise :class:`SourcesError` for a URL apprise cannot use (naming its service only),
    :class:`MissingExtra` when apprise is not installed."""
    with _apprise() as apprise:
        for url in urls:
            if not apprise.Apprise().add(url):
                raise SourcesError(
                    f"{label}: notify URL {shown(url)} is not one apprise can use",
                    hint="see https://github.com/caronc/apprise/wiki for the URL forms",
                )


def send(urls: Sequence[str], title: str, body: str) -> list[str]:
    """Send one notification to every URL; the services that failed (none: all sent)."""
    failed = []
    with _apprise() as apprise:
        for url in urls:
            service = apprise.Apprise()
            service.add(url)
            if not service.notify(title=title, body=body):
                failed.append(shown(url))
    return failed


def shown(url: str) -> str:
    """A notification URL as messages show it: its scheme only."""
    return f"{url.split('://', 1)[0]}://…"


@contextlib.contextmanager
def _apprise() -> Iterator[Any]:
    """The apprise module, its own deprecation warnings silenced (its plugins import
    imghdr on Python 3.11 and 3.12) and its log quiet (failures are reported here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import apprise
        except ImportError:
            raise MissingExtra(
                "notifications (notify in the sources file) need apprise, which is not installed",
                hint="pip install 'narrative-diff[notify]', or remove notify",
            ) from None
        logging.getLogger("apprise").setLevel(logging.CRITICAL)
        yield apprise
