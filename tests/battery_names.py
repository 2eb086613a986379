"""Battery cases of issue 13, classes 1, 3, 6 and 10: what enters the corpus and how it is read.

* Names: series, slugs, ids and lineages with a final newline (``$`` matched before it),
  control, format and direction characters, full-width look-alikes, capitals, and the
  device names Windows reserves (``con``, ``nul``, ``com1``…), whether typed (refused
  before anything is written) or found on disk (a folder ``ILRS`` or ``ilrs\\n``, an id in
  front matter: one error naming the file or folder, and ``check`` lists it).
* YAML: anchors and aliases in a snapshot's front matter (an alias bomb of 500 bytes that
  expanded to billions of values) are refused, as are front matter nested without end,
  too large, or with huge values; no message formats a value unbounded.
* Duplicate ids: a copy of a snapshot under another name, in another series' folder, or
  through a symbolic link is one error naming both files; ``check`` finds it.
* Tampered or missing snapshots: a body edited after capture is used with a ``warning:``
  line by every command; an empty (0-byte, blank, ``---`` only) snapshot file is an error
  naming it, never a silent shift of ``vN``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.battery import GOOD_FM, Case
from tests.helpers import PINNED

V1 = "ilrs/2021-06-roadmap-guide.md"
V2 = "ilrs/2022-01-white-paper.md"
ADD = ("add", "{n}/names-doc.txt", "--date", "2030-01-01", "--language", "en", "-c", "{c}")


def _add(series: str = "ilrs", *extra: str) -> tuple[str, ...]:
    return (*ADD, "--series", series, *extra)


def _put(relative: str, data: str | bytes) -> Callable[[Path], None]:
    def setup(corpus: Path) -> None:
        path = corpus / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    return setup


def _copy(source: str, target: str) -> Callable[[Path], None]:
    def setup(corpus: Path) -> None:
        (corpus / target).parent.mkdir(parents=True, exist_ok=True)
        (corpus / target).write_bytes((corpus / source).read_bytes())

    return setup


def _link(target: str, link: str) -> Callable[[Path], None]:
    def setup(corpus: Path) -> None:
        (corpus / link).symlink_to(Path(target).name)

    return setup


def _edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    """A hand edit: the text changes, the recorded sha256 does not."""

    def setup(corpus: Path) -> None:
        path = corpus / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return setup


def _fm(**changes: str) -> str:
    """GOOD_FM (a snapshot ilrs/2030-01-extra) with front-matter lines replaced or added."""
    text = GOOD_FM
    for key, value in changes.items():
        line = f"{key}: {value}\n"
        if f"\n{key}: " in text:
            start = text.index(f"\n{key}: ") + 1
            text = text[:start] + line + text[text.index("\n", start) + 1 :]
        else:
            text = text.replace("language: en\n", f"language: en\n{line}", 1)
    return text


def alias_bomb(levels: int = 9) -> str:
    """The issue's attack: a title of nested aliases, 9 ** 9 strings once expanded."""
    return "\n".join(_nest(levels)) + "\n---\n\nThe ILRS is proposed by China.\n"


def _nest(levels: int) -> list[str]:
    """Front matter whose only aliases sit inside ``title`` (a flow sequence of anchors)."""
    inner = '&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    for n in range(1, levels):
        inner = f"&a{n} [{inner}, " + ", ".join([f"*a{n - 1}"] * 8) + "]"
    return ["---", "id: ilrs/2030-01-bomb", "series: ilrs", "date: 2030-01-01", f"title: {inner}"]


def nasty(folder: Path) -> None:
    """A document to add, and snapshot files outside the corpus (``show FILE``)."""
    (folder / "names-doc.txt").write_text(
        "The ILRS is proposed by China and built with partners on the Moon.\n"
    )
    (folder / "bomb.md").write_text(alias_bomb(), encoding="utf-8")
    (folder / "bomb-doc.md").write_text(
        alias_bomb().replace("id: ilrs/2030-01-bomb\nseries: ilrs\n", ""), encoding="utf-8"
    )


def cases() -> list[Case]:
    names, yaml_ = "names (issue 13)", "YAML in snapshot files"
    dup, tamper = "duplicate ids", "tampered or empty snapshots"
    return [
        # -- 1. names typed: refused before anything is written ------------------------
        Case("--slug with a final newline", names, _add("ilrs", "--slug", "x\n")),
        Case("--slug with a final carriage return", names, _add("ilrs", "--slug", "x\r")),
        Case("--series with a final newline (ilrs\\n)", names, _add("ilrs\n")),
        Case("--series ILRS (capitals: a look-alike)", names, _add("ILRS")),
        Case("--series ｉｌｒｓ (full-width look-alike)", names, _add("ｉｌｒｓ")),
        Case("--slug with U+2028 line separator", names, _add("ilrs", "--slug", "x\u2028y")),
        Case("--slug con (Windows device)", names, _add("ilrs", "--slug", "con")),
        Case("--slug CON (Windows device, capitals)", names, _add("ilrs", "--slug", "CON")),
        Case("--slug com1 (Windows device)", names, _add("ilrs", "--slug", "com1")),
        Case("--slug lpt9 (Windows device)", names, _add("ilrs", "--slug", "lpt9")),
        Case("--slug con.md (device with an extension)", names, _add("ilrs", "--slug", "con.md")),
        Case("--series nul (Windows device)", names, _add("nul")),
        Case("--series aux (Windows device)", names, _add("aux")),
        Case("--lineage with a newline", names, _add("ilrs", "--lineage", "CNSA\nRoscosmos")),
        Case("--lineage with U+2029", names, _add("ilrs", "--lineage", "CNSA\u2029")),
        Case("--lineage with a bidi override", names, _add("ilrs", "--lineage", "\u202eASNC")),
        Case("--lineage with a bidi isolate", names, _add("ilrs", "--lineage", "CNSA\u2066x")),
        Case("--publisher with a newline", names, _add("ilrs", "--publisher", "CNSA\nx")),
        Case("score a series named 'ilrs\\n'", names, ("score", "ilrs\n", "-c", "{c}")),
        Case("list a series named 'ILRS'", names, ("list", "ILRS", "-c", "{c}")),
        Case(
            "--slug con-1 (not a device: added)",
            names,
            _add("ilrs", "--slug", "con-1"),
            "added",
        ),
        # -- 1. names found on disk ---------------------------------------------------------
        Case(
            "list: folder ILRS beside ilrs (a copy)",
            names,
            ("list", "-c", "{c}"),
            corpus_setup=_copy(V1, "ILRS/2021-06-roadmap-guide.md"),
        ),
        Case(
            "check: folder ILRS beside ilrs",
            names,
            ("check", "-c", "{c}"),
            "handled",
            corpus_setup=_copy(V1, "ILRS/2021-06-roadmap-guide.md"),
        ),
        Case(
            "list: folder 'ilrs\\n' (a final newline)",
            names,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs\n/2030-01-x.md", _fm(id="ilrs/2030-01-x")),
        ),
        Case(
            "check: folder 'ilrs\\n'",
            names,
            ("check", "-c", "{c}"),
            "handled",
            corpus_setup=_put("ilrs\n/2030-01-x.md", _fm(id="ilrs/2030-01-x")),
        ),
        Case(
            "report: full-width folder ｉｌｒｓ",
            names,
            ("report", "ilrs", "-c", "{c}", "-o", "{n}/names-r.md"),
            corpus_setup=_put("ｉｌｒｓ/2030-01-x.md", _fm(id="ilrs/2030-01-x")),
        ),
        Case(
            "show v1: a series folder named con",
            names,
            ("show", "ilrs:v1", "-c", "{c}"),
            corpus_setup=_put("con/2030-01-x.md", _fm(id="con/2030-01-x", series="con")),
        ),
        Case(
            "id with a final newline in front matter",
            names,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(id='"ilrs/2030-01-extra\\n"')),
        ),
        Case(
            "check: id with a final newline in front matter",
            names,
            ("check", "-c", "{c}"),
            "handled",
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(id='"ilrs/2030-01-extra\\n"')),
        ),
        Case(
            "id naming a Windows device (ilrs/aux)",
            names,
            ("score", "-c", "{c}"),
            corpus_setup=_put("ilrs/aux.md", _fm(id="ilrs/aux")),
        ),
        Case(
            "raw_file naming a Windows device (raw/CON.pdf)",
            names,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(raw_file="raw/CON.pdf")),
        ),
        Case(
            "lineage with U+2028 in front matter",
            names,
            ("score", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(lineage='"CNSA\\u2028x"')),
        ),
        Case(
            "publisher with a bidi override in front matter (dropped from the lineage)",
            names,
            ("report", "-c", "{c}", "-o", "{n}/names-r.html"),
            "handled",
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(publisher='"\\u202eASNC"')),
        ),
        # -- 3. YAML ------------------------------------------------------------------------
        Case(
            "list: an alias bomb in a title (9^9 values)",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-bomb.md", alias_bomb()),
        ),
        Case(
            "check: an alias bomb names the file",
            yaml_,
            ("check", "-c", "{c}"),
            "handled",
            corpus_setup=_put("ilrs/2030-01-bomb.md", alias_bomb()),
        ),
        Case(
            "check --update-hashes with an alias bomb",
            yaml_,
            ("check", "--update-hashes", "-c", "{c}"),
            "handled",
            corpus_setup=_put("ilrs/2030-01-bomb.md", alias_bomb()),
        ),
        Case(
            "report: an alias bomb in the series",
            yaml_,
            ("report", "-c", "{c}", "-o", "{n}/bomb-r.html"),
            corpus_setup=_put("ilrs/2030-01-bomb.md", alias_bomb()),
        ),
        Case("show FILE: an alias bomb outside the corpus", yaml_, ("show", "{n}/bomb.md")),
        Case(
            "add a Markdown document whose front matter is an alias bomb (kept as text)",
            yaml_,
            tuple(a.replace("names-doc.txt", "bomb-doc.md") for a in _add("ilrs")),
            "added",
        ),
        Case(
            "add --title of 70,000 characters (would not read back: nothing written)",
            yaml_,
            _add("ilrs", "--title", "x" * 70_000),
        ),
        Case(
            "compare FILE v1: an alias bomb outside the corpus",
            yaml_,
            ("compare", "{n}/bomb.md", "v1", "-c", "{c}"),
        ),
        Case(
            "one harmless anchor and alias",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(title="&t Extra", publisher="*t")),
        ),
        Case(
            "a YAML merge key (<<: *base)",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put(
                "ilrs/2030-01-extra.md",
                _fm(provenance="&e {method: main, coverage: 1}", extraction="{<<: *e}"),
            ),
        ),
        Case(
            "front matter nested 20,000 deep",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(title="[" * 20_000 + "]" * 20_000)),
        ),
        Case(
            "a title of 200,000 characters",
            yaml_,
            ("score", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(title="x" * 200_000)),
        ),
        Case(
            "a title that is a list of 5,000 items",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put(
                "ilrs/2030-01-extra.md", _fm(title="[" + ", ".join(["word"] * 5000) + "]")
            ),
        ),
        Case(
            "3,000 unknown keys",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put(
                "ilrs/2030-01-extra.md",
                GOOD_FM.replace("language: en\n", "".join(f"k{i}: {i}\n" for i in range(3000))),
            ),
        ),
        Case(
            "a date of 5,000 digits",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", _fm(date="9" * 5000)),
        ),
        Case(
            "a number key and a text key (unsortable)",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", GOOD_FM.replace("language: en", "1: x")),
        ),
        Case(
            "no closing '---' line",
            yaml_,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", GOOD_FM.replace("---\n\n# Extra", "\n#")),
        ),
        # -- 6. duplicate ids -----------------------------------------------------------------
        Case(
            "list: a copy of a snapshot under another name",
            dup,
            ("list", "-c", "{c}"),
            corpus_setup=_copy(V2, "ilrs/copy.md"),
        ),
        Case(
            "report: a copy of a snapshot under another name",
            dup,
            ("report", "-c", "{c}", "-o", "{n}/dup-r.html"),
            corpus_setup=_copy(V2, "ilrs/copy.md"),
        ),
        Case(
            "chart: a copy of a snapshot under another name",
            dup,
            ("chart", "-c", "{c}", "-o", "{n}/dup.png"),
            corpus_setup=_copy(V2, "ilrs/copy.md"),
        ),
        Case(
            "score: the same id, different text",
            dup,
            ("score", "-c", "{c}"),
            corpus_setup=_put(
                "ilrs/zz-copy.md",
                (PINNED / V2)
                .read_text(encoding="utf-8")
                .replace("together with Russia", "with Russia"),
            ),
        ),
        Case(
            "check: a copy of a snapshot under another name",
            dup,
            ("check", "-c", "{c}"),
            "handled",
            corpus_setup=_copy(V2, "ilrs/copy.md"),
        ),
        Case(
            "list: a symbolic link to a snapshot (one file reached twice)",
            dup,
            ("list", "-c", "{c}"),
            corpus_setup=_link(V2, "ilrs/alias.md"),
        ),
        Case(
            "list: a copy in another series' folder",
            dup,
            ("list", "-c", "{c}"),
            corpus_setup=_copy(V2, "other/2022-01-white-paper.md"),
        ),
        Case(
            "add to a series holding a duplicate id",
            dup,
            _add("ilrs"),
            corpus_setup=_copy(V2, "ilrs/copy.md"),
        ),
        # -- 10. tampered and empty snapshots ----------------------------------------------------
        *(
            Case(
                f"{argv[0]}: a body edited after capture (warns)",
                tamper,
                (*argv, "-c", "{c}"),
                "handled",
                corpus_setup=_edit(V1, "as equal collaborators.", "as partners."),
            )
            for argv in (
                ("show", "v1"),
                ("compare", "v1", "v2"),
                ("score",),
                ("kwic", "russia"),
                ("chart", "-o", "{n}/tamper.png"),
                ("report", "-o", "{n}/tamper.md"),
            )
        ),
        Case(
            "show: the sha256 line deleted (warns)",
            tamper,
            ("show", "v2", "-c", "{c}"),
            "handled",
            corpus_setup=_edit(V2, "\nsha256: ", "\n# sha256: "),
        ),
        *(
            Case(
                f"{argv[0]}: a 0-byte snapshot file",
                tamper,
                (*argv, "-c", "{c}"),
                corpus_setup=_put("ilrs/2021-12-zero.md", b""),
            )
            for argv in (
                ("list",),
                ("show", "v2"),
                ("compare", "v1", "v2"),
                ("score",),
                ("report", "-o", "{n}/zero.md"),
            )
        ),
        Case(
            "check: a 0-byte snapshot file",
            tamper,
            ("check", "-c", "{c}"),
            "handled",
            corpus_setup=_put("ilrs/2021-12-zero.md", b""),
        ),
        Case(
            "a snapshot file of blank lines",
            tamper,
            ("show", "v2", "-c", "{c}"),
            corpus_setup=_put("ilrs/2021-12-blank.md", "\n \n\t\n"),
        ),
        Case(
            "a snapshot file holding only '---'",
            tamper,
            ("list", "-c", "{c}"),
            corpus_setup=_put("ilrs/2021-12-dashes.md", "---\n"),
        ),
        Case(
            "front matter after a blank line (not silently skipped)",
            tamper,
            ("show", "v2", "-c", "{c}"),
            corpus_setup=_put("ilrs/2021-12-late.md", "\n" + _fm(id="ilrs/2021-12-late")),
        ),
        Case(
            "a note without front matter in a series (skipped, warned)",
            tamper,
            ("list", "-c", "{c}"),
            "handled",
            corpus_setup=_put("ilrs/notes.md", "# Notes\n\nNot a snapshot.\n"),
        ),
    ]
