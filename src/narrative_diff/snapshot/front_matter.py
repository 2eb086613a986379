"""Front matter as the corpus reads it: plain YAML, without anchors or aliases.

PyYAML's safe loader still expands aliases: a few hundred bytes of nested ``&a``/``*a``
become billions of values once something walks them (a message, a comparison). The
loader here refuses anchors and aliases as it composes, before any value is built, and
:func:`read_front_matter` bounds the size and depth of what it reads.
"""

from __future__ import annotations

import contextlib
import re

import yaml

from narrative_diff.errors import CorpusError

from .names import MAX_FRONT_MATTER, shown


class AliasRefused(yaml.composer.ComposerError):
    """YAML anchors and aliases (``&a``, ``*a``) in corpus front matter: refused, because a
    few hundred bytes of nested aliases expand to billions of values once used."""


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors and aliases as it composes (before any
    value is built), so no front matter can expand beyond its own size."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise AliasRefused(
                None, None, "YAML anchors and aliases (&name, *name) are not read", event.start_mark
            )
        return super().compose_node(parent, index)


#: libyaml's safe loader, when PyYAML was built with it: eight times as fast as the Python
#: one on a snapshot's front matter (26 against 208 µs), which a run over 10,000 snapshots
#: reads 10,000 times.
_LIBYAML = getattr(yaml, "CSafeLoader", None)
#: Flow brackets allowed before the Python loader is used: libyaml composes nested nodes by
#: recursion in C, which 64 KiB of "[[[[" could take deeper than its stack.
_FLAT = 32
#: What libyaml reads otherwise than the Python loader (a cold review's fuzzing found each):
#: it accepts tabs in plain scalars and after a colon, "?" inside a flow collection and "#"
#: right after a block scalar's indicator, reads a lone "!" tag as "" (Python: None), and
#: drops a BOM that Python keeps in a key; anchors and aliases only Python refuses.
_NOT_FOR_LIBYAML = re.compile(r"[&*!\t\ufeff]|\?.*[\[{]|[\[{].*\?|[|>][-+0-9]*#", re.S)


def load_yaml(text: str) -> object:
    """YAML by the safe loader, without anchors or aliases (:class:`AliasRefused`): the one
    reader of front matter, for corpus files and for Markdown documents being added.
    Raises ``yaml.YAMLError``, ``ValueError`` (an impossible date) or ``RecursionError``.

    Text without ``&`` or ``*`` can hold no anchor or alias and, with few brackets and
    none of what libyaml reads otherwise (:data:`_NOT_FOR_LIBYAML`), is read by libyaml
    (same constructor, same values); anything it cannot read is read again by the Python
    loader, whose errors (and their line numbers) are the ones raised."""
    if (
        _LIBYAML is not None
        and text.count("[") + text.count("{") <= _FLAT
        and _NOT_FOR_LIBYAML.search(text) is None
    ):
        with contextlib.suppress(Exception):  # the Python loader below says what is wrong
            return _single(_LIBYAML(text))
    return _single(_NoAliasLoader(text))


def _single(loader: yaml.SafeLoader | yaml.CSafeLoader) -> object:
    """The one document ``loader`` reads, as ``yaml.load`` gives it."""
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.M)


def read_front_matter(text: str, where: str, fix: str) -> tuple[dict[object, object], str]:
    """The front matter of a snapshot file (a mapping) and its body; every defect is a
    ``corrupt-snapshot`` error that names the file and shows no value in full."""

    def corrupt(problem: str) -> CorpusError:
        return CorpusError(f"{where}: {problem}", hint=fix, slug="corrupt-snapshot")

    end = _BOUNDARY.search(text, text.find("\n") + 1) if "\n" in text else None
    if end is None:
        raise corrupt("the front matter has no closing '---' line")
    head, body = text[text.find("\n") + 1 : end.start()], text[end.end() :]
    if len(head) > MAX_FRONT_MATTER:
        raise corrupt(
            # in KiB: the same message for texts a few characters apart (a path's length)
            f"front matter of about {len(head) // 1024:,} KiB "
            f"(the limit is {MAX_FRONT_MATTER // 1024:,} KiB)"
        )
    try:
        meta = load_yaml(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 2}" if mark is not None else ""  # after the '---'
        if isinstance(exc, AliasRefused):
            raise corrupt(
                f"front matter uses YAML anchors or aliases{line}, which are not read "
                "(they can expand without bound)"
            ) from None
        raise corrupt(f"front matter is not valid YAML{line}") from None
    except (ValueError, OverflowError) as exc:  # dates built eagerly: "2022-13-45"; "\UFFFFFFFF"
        raise corrupt(f"invalid value in front matter ({shown(str(exc), 100)})") from None
    except RecursionError:
        raise corrupt("front matter nested too deeply") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise corrupt(f"front matter is {shown(meta)}, not a mapping of keys to values")
    return meta, body.removeprefix("\n")
