"""One deadline for a whole fetch, like curl's ``--max-time``.

``--timeout`` bounds connecting, the headers and the body of every redirect hop together,
measured with ``time.monotonic``: each socket operation waits at most the time that is
left (an httpcore network backend clamps every connect, TLS handshake, read and write),
and ``fetch_url`` checks the deadline again between body chunks, so a server that drips a
byte at a time cannot keep ``add`` waiting. Name resolution (``getaddrinfo``) has no
timeout of its own and is not cut short. Imported only when a URL is fetched.
"""

from __future__ import annotations

import time
import typing
from dataclasses import dataclass

import httpcore

if typing.TYPE_CHECKING:
    import httpx


class DeadlinePassed(Exception):
    """The whole-fetch deadline passed (raised between body chunks)."""


@dataclass(frozen=True)
class Deadline:
    """A point in ``time.monotonic()`` time after which the fetch gives up."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def left(self) -> float:
        return self.at - time.monotonic()

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float:
        """``timeout`` cut to the time left; ``expired`` raised when none is left (a
        socket timeout of 0 would mean "do not block", not "give up")."""
        left = self.left()
        if left <= 0:
            raise expired("the deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits at most until the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, wait), self._deadline
        )

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with every connection bounded by one deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self._backend, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, wait, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_unix_socket(path, wait, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(min(seconds, max(self._deadline.left(), 0.0)))


def deadline_transport(deadline: Deadline) -> httpx.HTTPTransport:
    """httpx's transport on a deadline-bounded network backend (httpx has no argument for
    the backend: its connection pool is replaced by an identical one that has it)."""
    import httpx

    ssl_context = httpx.create_ssl_context()  # made once, shared by both pools
    transport = httpx.HTTPTransport(verify=ssl_context)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context, network_backend=_DeadlineBackend(deadline)
    )
    return transport
