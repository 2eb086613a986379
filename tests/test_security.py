"""Security properties, checked on the code and on its outputs: YAML is loaded safely, no
pickle, no shell, no eval; HTML outputs carry a restrictive Content-Security-Policy.
(Autoescaping is checked in a real browser in test_report_html.py; URL limits in
test_ingest.py: schemes, timeouts, size, redirects.)"""

from __future__ import annotations

import ast
import html as html_lib
import re
from pathlib import Path

import pytest

from narrative_diff.cli import main
from tests.helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "narrative_diff"
SOURCES = sorted(SRC.rglob("*.py"))


def calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else f"{ast.unparse(func.value)}.{func.attr}"
                if isinstance(func, ast.Attribute)
                else ""
            )
            keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
            found.append(name + ("(shell=True)" if keywords.get("shell") == "True" else ""))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_pickle_shell_or_eval(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    # fonts.py asks fontconfig (fc-list, a fixed argument list, no shell) for a CJK font
    allowed = {"subprocess"} if path.relative_to(SRC).as_posix() == "fonts.py" else set()
    assert not imported & ({"pickle", "marshal", "shelve", "subprocess", "dill"} - allowed)
    made = calls(tree)
    banned = {
        "eval",
        "exec",
        "os.system",
        "os.popen",
        "yaml.load",
        "yaml.unsafe_load",
        "yaml.full_load",
        "__import__",
    }
    assert not [c for c in made if c in banned or c.endswith("(shell=True)")]


def test_yaml_tags_in_front_matter_do_not_run(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "ilrs").mkdir(parents=True)
    marker = tmp_path / "pwned"
    (corpus / "ilrs" / "2024-01-evil.md").write_text(
        "---\nid: ilrs/2024-01-evil\nseries: ilrs\ndate: 2024-01-01\n"
        f'title: !!python/object/apply:os.system ["touch {marker}"]\n---\n\nText.\n'
    )
    assert main(["list", "--corpus", str(corpus)]) == 7
    assert "corrupt-snapshot" in capsys.readouterr().err
    assert not marker.exists()


def csp_of(html: str) -> dict[str, str]:
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta, "no Content-Security-Policy meta tag"
    return {  # attribute values are entity-decoded by the browser
        part.split()[0]: " ".join(part.split()[1:])
        for part in html_lib.unescape(meta.group(1)).split(";")
        if part.strip()
    }


@pytest.mark.parametrize(
    "args",
    [["compare", "v1", "v3", "-f", "html"], ["report", "-o", "{tmp}/r.html"]],
    ids=["compare", "report"],
)
def test_html_outputs_have_a_restrictive_csp(args, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--corpus", str(PINNED)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    html = (tmp_path / "r.html").read_text() if args[0] == "report" else out
    policy = csp_of(html)
    assert policy["default-src"] == "'none'"
    assert "http" not in " ".join(policy.values())  # nothing from the network
    assert "'unsafe-inline'" not in policy.get("script-src", "")
    assert "'unsafe-eval'" not in " ".join(policy.values())
