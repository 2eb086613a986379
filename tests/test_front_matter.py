"""Front matter is read by libyaml when it can hold no anchor, alias or deep nesting, and by
PyYAML's Python loader otherwise: the same values either way, the Python loader's errors."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff.snapshot import front_matter
from narrative_diff.snapshot.front_matter import AliasRefused, load_yaml

needs_libyaml = pytest.mark.skipif(
    getattr(yaml, "CSafeLoader", None) is None, reason="PyYAML built without libyaml"
)

SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4))
MAPPINGS = st.dictionaries(st.text(min_size=1, max_size=12), VALUES, max_size=8)


def python_loader(text: str) -> object:
    loader = front_matter._NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@needs_libyaml
@settings(max_examples=300, deadline=None)
@given(MAPPINGS, st.sampled_from([None, False, True]))
def test_libyaml_reads_what_the_python_loader_reads(mapping, flow):
    text = yaml.safe_dump(mapping, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    assert load_yaml(text) == python_loader(text)


@needs_libyaml
def test_libyaml_reads_plain_front_matter_and_the_rest_goes_to_python(monkeypatch):
    calls: list[str] = []
    real = front_matter._single

    def recording(loader):
        calls.append(type(loader).__name__)
        return real(loader)

    monkeypatch.setattr(front_matter, "_single", recording)
    assert load_yaml("id: s/a\ndate: 2024-01-02\nlanguages: [zh, en]\n") == {
        "id": "s/a",
        "date": dt.date(2024, 1, 2),
        "languages": ["zh", "en"],
    }
    assert calls == ["CSafeLoader"]
    with pytest.raises(AliasRefused):  # '&' and '*': only the Python loader refuses them
        load_yaml("a: &x 1\nb: *x\n")
    assert calls[1:] == ["_NoAliasLoader"]
    deep = "v: " + "[" * 40 + "]" * 40 + "\n"  # libyaml would nest in C: Python's limit
    assert load_yaml(deep) == python_loader(deep)
    assert calls[2:] == ["_NoAliasLoader"]
    with pytest.raises(yaml.YAMLError) as error:  # libyaml fails; the Python error is raised
        load_yaml("id: s/a\n  bad: indent\n")
    assert calls[3:] == ["CSafeLoader", "_NoAliasLoader"]
    assert error.value.problem_mark.line == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "a: x\ty\n",  # a tab in a plain scalar: libyaml reads it, Python refuses it
        "a:\t1\n",
        "title: !\n",  # a lone tag: libyaml "", Python None
        "a: [b?c]\n",
        "a: |#\n  x\n",
        "\n\ufeffa: 1\n",  # a BOM inside: Python keeps it in the key
        "a: 1\n\ufeff\n",
    ],
)
def test_what_libyaml_reads_otherwise_goes_to_the_python_loader(text):
    def outcome(read):
        try:
            return read()
        except yaml.YAMLError as error:
            return type(error).__name__

    assert outcome(lambda: load_yaml(text)) == outcome(lambda: python_loader(text))


def test_a_code_point_beyond_unicode_is_a_corrupt_snapshot():
    from narrative_diff.errors import CorpusError

    with pytest.raises(CorpusError, match="invalid value in front matter"):
        front_matter.read_front_matter('---\na: "\\UFFFFFFFF"\n---\nbody\n', "f.md", "fix it")
