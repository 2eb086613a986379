"""Battery cases of issue 13, classes 4, 5 and 11 (parts): what the commands print.

* Console markup in text: titles, lineages, actor names, file names and passages holding
  rich markup (``[/]``, ``[/x]``, ``[bold]``, ``[link=…]``, a trailing backslash) are
  printed literally, never parsed (a parse error was exit 70).
* Terminal escapes: ESC sequences (clear screen, window title, OSC 8 hyperlink), BEL,
  backspace, CR, C1 CSI (U+009B) and bidi overrides in titles, bodies, actor names, refs
  and warnings are shown escaped (``\\x1b``) on every human-readable output.
* CSV cells that a spreadsheet would run as a formula; matplotlib's warnings (a glyph no
  font has) as ``warning:`` lines only (a raw ``UserWarning`` line fails "one line").

The snapshots are edited in place with their hash recomputed, so that no case depends on
whether ``add`` accepts such text (another class of the issue).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.battery import Case

#: Every escape a terminal would act on, in one sentence.
ESCAPES = (
    "Clear \x1b[2J\x1b[H screen, title \x1b]0;pwned\x07, link "
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\, CSI \x9b31m red, back\x08\x08"
    "space, carriage\rreturn, \u202eoverride\u202c, isolate \u2067x\u2069"
)
MARKUP = (
    "Statement [/] annex",
    "Roadmap [updated] 2025",
    "[link=https://evil.example/]click here[/link]",
    "[bold red]loud[/] and [/x] closing",
    "ends with a backslash \\",
)
V1 = "ilrs/2021-06-roadmap-guide.md"
V2 = "ilrs/2022-01-white-paper.md"
V3 = "ilrs/2023-05-cnsa-presentation.md"


def edit(
    relative: str,
    *,
    title: str | None = None,
    lineage: str | None = None,
    sentence: str | None = None,
) -> Callable[[Path], None]:
    """A corpus set-up: one snapshot's title, lineage, or one sentence more in its first
    paragraph, with the body hash recomputed (the edit is no hand edit for ``check``)."""

    def setup(corpus: Path) -> None:
        import frontmatter

        from narrative_diff.text import body_sha256

        path = corpus / relative
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
        if title is not None:
            post["title"] = title
        if lineage is not None:
            post["lineage"] = lineage
        if sentence is not None:
            head, _, rest = post.content.partition("\n\n")
            first, _, others = rest.partition("\n\n")
            post.content = f"{head}\n\n{first} {sentence}\n\n{others}"
        post["sha256"] = body_sha256(post.content)
        path.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")

    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(corpus: Path) -> None:
        for one in setups:
            one(corpus)

    return setup


def actors_file(name: str, alias: str = "China") -> str:
    """An actors file (TOML, basic strings: escapes as \\uXXXX) with one actor named so."""
    quoted = "".join(
        f"\\u{ord(ch):04x}" if not ch.isprintable() or ch in '"\\' else ch for ch in name
    )
    return f'[actors.x]\nname = "{quoted}"\naliases = ["{alias}"]\n'


#: Actors files written into the nasty folder: name → the actor's name.
ACTOR_FILES = {
    "markup-actors.toml": "[/x]",
    "markup-bold-actors.toml": "[bold]China[/bold] [link=https://evil.example/]x[/link]",
    "backslash-actors.toml": "China \\",
    "escape-actors.toml": "China \x1b]0;pwned\x07\x1b[2J \u202eanihC",
    "formula-actors.toml": '=HYPERLINK("https://evil.example/","China")',
    "private-use-actors.toml": "China \ue000\ue001",
}


def nasty(folder: Path) -> None:
    for name, actor in ACTOR_FILES.items():
        (folder / name).write_text(actors_file(actor), encoding="utf-8")
    (folder / "[" / "x]").mkdir(parents=True, exist_ok=True)  # the path holds "[/x]"
    (folder / "[" / "x]" / "actors.toml").write_text(actors_file("China"), encoding="utf-8")
    (folder / "[" / "x]" / "statement.txt").write_text(
        "The ILRS [/] is proposed by China [link=https://evil.example/]here[/link].\n",
        encoding="utf-8",
    )
    prose = "The ILRS is proposed by China and built with partners in many countries. " * 40
    (folder / "escapes.txt").write_text(f"{prose}\n\n{ESCAPES}.\n", encoding="utf-8")


def cases() -> list[Case]:
    markup = "output: console markup"
    escapes = "output: terminal escapes"
    sheets = "output: CSV and chart warnings"
    c = ("--corpus", "{c}")
    out: list[Case] = []
    for n, title in enumerate(MARKUP, 1):
        out.append(
            Case(f"title with markup {n}: {title}", markup, ("list", *c), "handled",
                 corpus_setup=edit(V2, title=title))
        )  # fmt: skip
    out += [
        Case("compare, titles with markup", markup, ("compare", "v1", "v2", *c), "handled",
             corpus_setup=both(edit(V1, title=MARKUP[2]), edit(V2, title=MARKUP[0]))),
        Case("compare --plain, title with markup", markup,
             ("compare", "v1", "v2", "--plain", *c), "handled",
             corpus_setup=edit(V2, title=MARKUP[3])),
        Case("compare --side-by-side, passage with markup", markup,
             ("compare", "v1", "v2", "--side-by-side", *c), "handled",
             corpus_setup=edit(V2, sentence="Closing [/] and [link=https://x.example/]x[/link].")),
        Case("compare -f md, passage with markup", markup,
             ("compare", "v1", "v2", "-f", "md", *c), "handled",
             corpus_setup=edit(V2, sentence=MARKUP[3])),
        Case("compare a file whose name is markup", markup,
             ("compare", "{n}/[/x]/statement.txt", "v2", *c), "handled"),
        Case("lineage with markup (list shows lineages)", markup, ("list", *c), "handled",
             corpus_setup=edit(V2, lineage="[/] state [bold]media")),
        Case("score --by lineage, lineage with markup", markup,
             ("score", "--by", "lineage", *c), "handled",
             corpus_setup=edit(V2, lineage="[/] state [bold]media")),
        Case("actors: actor name [/x]", markup, ("actors", "--actors", "{n}/markup-actors.toml"),
             "handled"),
        Case("score: actor name [/x]", markup,
             ("score", "--actors", "{n}/markup-actors.toml", *c), "handled"),
        Case("score --between: actor name with [bold] and [link]", markup,
             ("score", "--between", "v1", "v2", "--actors", "{n}/markup-bold-actors.toml", *c),
             "handled"),
        Case("actors: actor name ending in a backslash", markup,
             ("actors", "--actors", "{n}/backslash-actors.toml"), "handled"),
        Case("kwic: actor name [/x]", markup,
             ("kwic", "x", "--actors", "{n}/markup-actors.toml", *c), "handled"),
        Case("kwic: context with markup", markup, ("kwic", "annex", *c), "handled",
             corpus_setup=edit(V2, sentence="See the [/] annex [link=https://x.example/]x[/].")),
        Case("score with an actors file at [/x]/actors.toml", markup,
             ("score", "--actors", "{n}/[/x]/actors.toml", *c), "handled"),
        Case("actors file at [/x]/actors.toml", markup,
             ("actors", "--actors", "{n}/[/x]/actors.toml"), "handled"),
        Case("kwic of a term [/] that never occurs (warning)", markup, ("kwic", "[/]", *c),
             "handled"),
        # -- terminal escapes
        Case("title with ESC, BEL, OSC 8 (list)", escapes, ("list", *c), "handled",
             corpus_setup=edit(V2, title=ESCAPES)),
        Case("title with ESC (compare)", escapes, ("compare", "v1", "v2", *c), "handled",
             corpus_setup=edit(V2, title=ESCAPES)),
        Case("title with ESC (show --meta)", escapes, ("show", "v2", "--meta", *c), "handled",
             corpus_setup=edit(V2, title=ESCAPES)),
        Case("passage with escapes (compare)", escapes, ("compare", "v1", "v2", *c), "handled",
             corpus_setup=edit(V2, sentence=ESCAPES)),
        Case("passage with escapes (compare --side-by-side)", escapes,
             ("compare", "v1", "v2", "--side-by-side", *c), "handled",
             corpus_setup=edit(V2, sentence=ESCAPES)),
        Case("passage with escapes (compare -f md)", escapes,
             ("compare", "v1", "v2", "-f", "md", *c), "handled",
             corpus_setup=edit(V2, sentence=ESCAPES)),
        Case("passage with escapes (compare -f html)", escapes,
             ("compare", "v1", "v2", "-f", "html", *c), "handled",
             corpus_setup=edit(V2, sentence=ESCAPES)),
        Case("passage with escapes (compare -f json)", escapes,
             ("compare", "v1", "v2", "-f", "json", *c), "handled",
             corpus_setup=edit(V2, sentence=ESCAPES)),
        Case("a file with escapes (compare)", escapes,
             ("compare", "v1", "{n}/escapes.txt", *c), "handled"),
        Case("passage with escapes (kwic)", escapes, ("kwic", "screen", *c), "handled",
             corpus_setup=edit(V2, sentence=ESCAPES)),
        Case("actor name with escapes (actors)", escapes,
             ("actors", "--actors", "{n}/escape-actors.toml"), "handled"),
        Case("actor name with escapes (score)", escapes,
             ("score", "--actors", "{n}/escape-actors.toml", *c), "handled"),
        Case("lineage with escapes (refused: not a lineage name)", escapes,
             ("score", "--by", "lineage", *c),
             corpus_setup=edit(V2, lineage="media\x1b]0;pwned\x07")),
        Case("a ref with ESC (the error line)", escapes, ("show", "v1\x1b[2J\x1b]0;x\x07", *c)),
        Case("a ref with a bidi override (the error line)", escapes,
             ("compare", "v1", "\u202ev2", *c)),
        Case("kwic of a term with ESC that never occurs (warning)", escapes,
             ("kwic", "\x1b]0;pwned\x07", *c), "handled"),
        # -- CSV and chart warnings
        Case("list -f csv, title =HYPERLINK(…)", sheets, ("list", "-f", "csv", *c), "handled",
             corpus_setup=edit(V2, title='=HYPERLINK("https://evil.example/","x")')),
        Case("kwic -f csv, keyword and context starting with @ and -", sheets,
             ("kwic", "@SUM", "-f", "csv", "--window", "3", *c), "handled",
             corpus_setup=edit(V2, sentence="@SUM(1+1) -SUM(2) +SUM(3)")),
        Case("score -f csv, actor name =HYPERLINK(…)", sheets,
             ("score", "-f", "csv", "--actors", "{n}/formula-actors.toml", *c), "handled"),
        Case("actors -f csv, actor name =HYPERLINK(…)", sheets,
             ("actors", "-f", "csv", "--actors", "{n}/formula-actors.toml"), "handled"),
        Case("chart: an actor name with private-use characters (no glyph)", sheets,
             ("chart", "--actors", "{n}/private-use-actors.toml", *c, "-o", "{n}/pua.png"),
             "handled"),
        Case("chart -o .svg: an actor name with escapes (no glyph)", sheets,
             ("chart", "--actors", "{n}/escape-actors.toml", *c, "-o", "{n}/esc.svg"),
             "handled"),
        Case("report -o .png (summary card): private-use actor name", sheets,
             ("report", "--actors", "{n}/private-use-actors.toml", *c, "-o", "{n}/card.png"),
             "handled"),
    ]  # fmt: skip
    return out
