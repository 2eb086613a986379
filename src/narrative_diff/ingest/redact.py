"""Credentials out of URLs before they are stored or printed.

A corpus is meant for git, and error messages end up in issues and logs, so a URL is
never kept or echoed with its secrets: ``user:password@`` becomes ``REDACTED@`` and the
value of a secret-looking query (or fragment) parameter becomes ``REDACTED``. The marker
stays so that a reader sees the address needed a credential (and ``add`` can say so);
everything else in the URL is kept byte for byte. The fetch itself uses the real URL.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

#: What replaces a removed credential.
MARKER = "REDACTED"

#: Parameter names (lower case, without ``-`` and ``_``) that are secrets on their own.
_EXACT = frozenset(
    {"key", "sig", "auth", "pwd", "pass", "session", "sid", "hash", "hmac", "otp", "ticket"}
)
#: Parts of a parameter name that make it a secret: api_key, X-Amz-Signature, authToken, …
_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "signature",
    "credential",
    "sessionid",
    "accesskey",
    "privatekey",
    "authorization",
    "bearer",
)
#: A URL in running text; trailing punctuation (``: ; , . ! ? )``) is the sentence's.
_SCHEME_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"'`]*[^\s<>\"'`:;,.!?)\]]")


def secret_name(name: str) -> bool:
    """Whether a query parameter named ``name`` (as written, maybe %-encoded) holds a secret.

    >>> [secret_name(n) for n in ("api_key", "X-Amz-Signature", "accessToken", "page", "monkey")]
    [True, True, True, False, False]
    """
    folded = re.sub(r"[-_.\s]", "", unquote_plus(name).lower())
    return folded in _EXACT or any(part in folded for part in _PARTS)


def _params(text: str) -> str:
    """``a=1&token=x`` with the secret values replaced (separators ``&`` and ``;``)."""
    pieces = re.split(r"([&;])", text)
    for i in range(0, len(pieces), 2):
        name, eq, value = pieces[i].partition("=")
        if eq and value and value != MARKER and secret_name(name):
            pieces[i] = f"{name}={MARKER}"
    return "".join(pieces)


def redact_url(url: str) -> str:
    """``url`` without credentials: user info and secret parameter values become ``REDACTED``.

    >>> redact_url("https://ann:pw@example.org/a?page=2&api_key=abc#x")
    'https://REDACTED@example.org/a?page=2&api_key=REDACTED#x'
    >>> redact_url("https://example.org/a")
    'https://example.org/a'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = len(rest)
    for stop in "/?#":
        where = rest.find(stop)
        if where != -1:
            end = min(end, where)
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        authority = f"{MARKER}@{authority.rpartition('@')[2]}"
    path_query, hash_sign, fragment = tail.partition("#")
    path, question, query = path_query.partition("?")
    query = _params(query) if question else query
    fragment = _params(fragment) if hash_sign and "=" in fragment else fragment
    return f"{scheme}{sep}{authority}{path}{question}{query}{hash_sign}{fragment}"


def redact_text(text: str) -> str:
    """``text`` with every ``scheme://…`` URL in it redacted (messages, provenance)."""
    return _SCHEME_URL.sub(lambda m: redact_url(m.group(0)), text)


def was_redacted(url: str | None) -> bool:
    """Whether a stored URL carries the marker in its user info or a secret parameter.

    >>> was_redacted("https://REDACTED@example.org/"), was_redacted("https://example.org/")
    (True, False)
    """
    if not url or MARKER not in url:
        return False
    if f"://{MARKER}@" in url:
        return True
    names = re.findall(rf"[?&;#]([^=&;#?]+)={MARKER}(?=$|[&;#])", url)
    return any(secret_name(name) for name in names)
