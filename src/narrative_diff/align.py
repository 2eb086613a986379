"""Alignment of two segmented snapshots: paragraphs first, then sentences.

Every block (title, heading, paragraph) and every sentence of ``a`` and of ``b`` ends up in
exactly one :class:`~narrative_diff.relations.Relation`: unchanged, edited, moved, split
(1 → n), merged (n → 1), deleted or added.

The algorithm, in four passes, each cheaper than a flat diff of the whole text:

1. **Identical paragraphs.** Blocks are paired by their exact text (:func:`_pair_identical`):
   a longest common subsequence of equal texts first, found as Hunt and Szymanski do (all
   equal pairs, then their longest run increasing on both sides; texts repeated more than
   50 times are left out of it, which keeps the work near-linear); then leftover equal
   blocks in order within the same gap between those pairs; then anywhere (they moved).
   The sentences of paired blocks are paired one to one without being tokenised (unless
   the two languages' splitters cut the block into different numbers of sentences: then
   they are left to the next passes); most of a long document ends here.
2. **Sentences of the remaining blocks**, paired the same way by their normal form (see
   :mod:`narrative_diff.similarity`), so reflowed lines, quote styles and other noise count
   as unchanged.
3. **Similar sentences** (moved-and-edited text, and edits), scored by Dice similarity of
   their token multisets (kept below 1.0, since they are not identical). A sentence's
   candidates are the 8 sentences of the other side sharing most tokens with it (from an
   inverted index; tokens in more than 50 sentences are not looked up) and, in a gap
   between in-order pairs small enough (at most 400 pairs), every sentence of the same
   gap. Titles and headings pair with titles and headings only. Splits and merges are
   candidates too: a paragraph sentence against a run of two or three consecutive
   unpaired sentences of one paragraph on the other side, each part shorter than the
   whole, among its three closest candidates and mostly (60%) contained in the whole.
   Similarity is case-insensitive and script-folded (traditional and simplified Chinese
   are one text). Candidates at or above ``threshold``, or at or above ``LOCAL_THRESHOLD``
   (the pairing floor, 0.3, or ``threshold`` if lower) when they sit in the same gap on
   both sides, are taken greedily, best first, nearest first on ties;
   each sentence is used once (Nelken & Shieber 2006 align by similarity and order in the
   same spirit).
4. **Order.** Among the pairs, the longest chain increasing in both ``a`` and ``b``
   order (ties: the most similar, then the least displaced) stays in place; every other
   pair is *moved*. Unpaired sentences are deleted or added. Paragraph relations are then
   read off the sentence pairs (:func:`_block_relations`): a paragraph whose sentences
   went to one paragraph maps to it; to several, it was split; several into one were
   merged.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Literal, TypeAlias

from .order import Pair, in_place, longest_increasing, relations_of
from .relations import Alignment, Relation
from .segment import Segmented
from .similarity import DiffOptions, Tally, bag, dice, normal_form, tally_dice, tally_overlap

DEFAULT_THRESHOLD = 0.5
#: No two sentences less similar than this are paired (unless ``threshold`` is set lower):
#: below it they are a deletion and an addition, never an edit or a replaced phrase.
#: 0.3 keeps the bundled ILRS pair (0.316: "The ILRS was launched together with Russia." /
#: "The ILRS is proposed by China and built in partnership with several countries.") as one
#: edited sentence; pairs under ``shifts.LOOSE_PAIR`` (0.4) are read as one rewrite, so a
#: pair such as "The first phase is the basic model." / "The second phase, the Extended
#: Model, will add …" (0.36) yields no "first" → "second".
PAIR_FLOOR = 0.3
LOCAL_THRESHOLD = PAIR_FLOOR  # for a pair that sits between the same unchanged neighbours
_MAX_GAP_PAIRS = 400
_MAX_POSTING = 50
_MAX_PARTS = 3
_SPLIT_CANDIDATES = 3  # split/merge parts are looked for among the 3 closest sentences
_MAX_REPEATS = 50  # a key more frequent than this ("Read more") is paired gap by gap
_BELOW_ONE = 0.9999  # the best score of a pair that is not identical

_Candidate: TypeAlias = tuple[float, int, tuple[int, ...], tuple[int, ...]]
"""Score, distance between the first units, units of ``a``, units of ``b``."""


def align(
    a: Segmented,
    b: Segmented,
    *,
    options: DiffOptions = DiffOptions(),  # noqa: B008
    threshold: float = DEFAULT_THRESHOLD,
) -> Alignment:
    """Align ``a`` with ``b``; see the module docstring."""
    pairs = _identical_blocks(a, b)
    rest_a, rest_b = _unpaired(pairs, a, b)
    pairs += _identical_sentences(a, b, rest_a, rest_b, options)
    rest_a, rest_b = _unpaired(pairs, a, b)
    if rest_a and rest_b:
        gap_a, gap_b = _gaps(pairs, rest_a, rest_b)
        pairs += _pair_similar(
            _Rest.of(a, rest_a, gap_a, options), _Rest.of(b, rest_b, gap_b, options), threshold
        )
    sentences = relations_of(pairs, len(a.sentences), len(b.sentences))
    return Alignment(_block_relations(a, b, sentences), tuple(sentences))


def _unpaired(pairs: list[Pair], a: Segmented, b: Segmented) -> tuple[list[int], list[int]]:
    """The sentences of each side in no pair yet, in order: what the next pass works on."""
    done_a = {i for side_a, _, _ in pairs for i in side_a}
    done_b = {j for _, side_b, _ in pairs for j in side_b}
    return (
        [s.index for s in a.sentences if s.index not in done_a],
        [s.index for s in b.sentences if s.index not in done_b],
    )


def _content(side: Segmented, index: int) -> str:
    """A sentence's words for similarity: a title or heading without its ``#`` marker (the
    marker would make any two headings look alike)."""
    sentence = side.sentences[index]
    block = side.blocks[sentence.block]
    return sentence.text if block.kind == "paragraph" else block.content


def _is_heading(side: Segmented, index: int) -> bool:
    """True for a title or heading, which pairs only with a title or heading."""
    return side.blocks[side.sentences[index].block].kind != "paragraph"


# ---------------------------------------------------------------- pass 1 and 2: identical
def _identical_blocks(a: Segmented, b: Segmented) -> list[Pair]:
    """Pass 1: blocks of equal text, their sentences paired one to one without being
    tokenised (the cheapest pass, and where most of a long document ends).

    Two languages' splitters may cut the same text differently ("Dr. Wu." is one sentence
    in English, two in French); such a block is left to the sentence passes."""
    pairs: list[Pair] = []
    for ia, ib in _pair_identical([blk.text for blk in a.blocks], [blk.text for blk in b.blocks]):
        sa, sb = a.sentences_by_block[ia], b.sentences_by_block[ib]
        if len(sa) == len(sb):
            pairs += [((x.index,), (y.index,), 1.0) for x, y in zip(sa, sb, strict=True)]
    return pairs


def _identical_sentences(
    a: Segmented, b: Segmented, rest_a: list[int], rest_b: list[int], options: DiffOptions
) -> list[Pair]:
    """Pass 2: sentences of equal normal form, so that noise alone is never a change. (An
    edited paragraph keeps most of its sentences word for word: a text met on both sides
    is normalised once.)"""
    known: dict[str, str] = {}

    def normal(text: str) -> str:
        found = known.get(text)
        if found is None:
            found = known[text] = normal_form(text, options)
        return found

    norm_a = [normal(a.sentences[i].text) for i in rest_a]
    norm_b = [normal(b.sentences[j].text) for j in rest_b]
    return [((rest_a[ia],), (rest_b[ib],), 1.0) for ia, ib in _pair_identical(norm_a, norm_b)]


def _pair_identical(a_keys: Sequence[str], b_keys: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs of equal keys: a longest common subsequence first, leftovers in order.

    The subsequence is found as Hunt and Szymanski do: every (i, j) with equal keys, i
    ascending and j descending, then the longest run increasing in j. Keys repeated more
    than ``_MAX_REPEATS`` times ("Read more") are left out of it, which keeps the work
    linear; leftovers with equal keys are paired in order within each gap between the
    in-order pairs, then anywhere (those are moves).

    >>> _pair_identical(["x", "y", "z"], ["y", "z", "x"])
    [(1, 0), (2, 1), (0, 2)]
    >>> _pair_identical(["s", "o", "e", "s"], ["o", "s"])
    [(1, 0), (3, 1)]
    """
    where_b: dict[str, list[int]] = defaultdict(list)
    for j, key in enumerate(b_keys):
        where_b[key].append(j)
    count_a = Counter(a_keys)
    candidates = [
        (i, j)
        for i, key in enumerate(a_keys)
        if count_a[key] <= _MAX_REPEATS and len(where_b.get(key, ())) <= _MAX_REPEATS
        for j in reversed(where_b.get(key, ()))
    ]
    pairs = [candidates[k] for k in longest_increasing([j for _, j in candidates])]
    # Leftovers with equal keys (frequent boilerplate, or text that moved): first within the
    # same gap between the in-order pairs, in order; then anywhere, in order (moves).
    marks_a = [i for i, _ in pairs]
    marks_b = [j for _, j in pairs]
    used_a = set(marks_a)
    used_b = set(marks_b)
    for same_gap in (True, False):
        waiting: dict[tuple[int, str], list[int]] = defaultdict(list)
        for j, key in enumerate(b_keys):
            if j not in used_b:
                waiting[(bisect.bisect(marks_b, j) if same_gap else 0, key)].append(j)
        for i, key in enumerate(a_keys):
            if i in used_a:
                continue
            queue = waiting.get((bisect.bisect(marks_a, i) if same_gap else 0, key))
            if queue:
                j = queue.pop(0)
                pairs.append((i, j))
                used_a.add(i)
                used_b.add(j)
    return pairs


# ---------------------------------------------------------------- pass 3: similar
def _gaps(
    pairs: list[Pair],
    rest_a: list[int],
    rest_b: list[int],
) -> tuple[dict[int, int], dict[int, int]]:
    """The gap between in-order identical pairs that each unpaired sentence sits in."""
    anchors = [(sa[0], sb[0]) for sa, sb, _ in pairs]
    chain = sorted(anchors[k] for k in in_place(anchors))
    a_marks = [x for x, _ in chain]
    b_marks = [y for _, y in chain]
    return (
        {i: bisect.bisect(a_marks, i) for i in rest_a},
        {j: bisect.bisect(b_marks, j) for j in rest_b},
    )


@dataclass(frozen=True)
class _Rest:
    """One side's sentences left unpaired by passes 1 and 2, with what pass 3 needs of them."""

    side: Segmented
    indices: list[int]
    bags: dict[int, Counter[str]]  # word keys of each sentence (see _content)
    tallies: dict[int, Tally]  # the same, ready for scoring (and their sizes)
    headings: set[int]  # titles and headings among the indices
    gap: dict[int, int]  # the gap between in-order pairs that each sentence sits in

    @classmethod
    def of(
        cls, side: Segmented, indices: list[int], gap: dict[int, int], options: DiffOptions
    ) -> _Rest:
        """Bags and tallies computed once, since every candidate is scored from them."""
        bags = {i: bag(_content(side, i), options) for i in indices}
        return cls(
            side,
            indices,
            bags,
            {i: Tally.of(words) for i, words in bags.items()},
            {i for i in indices if _is_heading(side, i)},
            gap,
        )


def _pair_similar(rest_a: _Rest, rest_b: _Rest, threshold: float) -> list[Pair]:
    """Greedy one-to-one choice among similar pairs, splits and merges (pass 3)."""
    near_b = _neighbours(rest_a.indices, rest_b.indices, rest_a.bags, rest_b.bags)
    near_a = _neighbours(rest_b.indices, rest_a.indices, rest_b.bags, rest_a.bags)
    _add_gap_pairs(near_b, rest_a, rest_b)
    candidates = _one_to_one(near_b, rest_a, rest_b)
    candidates += _parts(near_b, rest_a, rest_b, whole_in_a=True)  # splits
    candidates += _parts(near_a, rest_b, rest_a, whole_in_a=False)  # merges
    return _choose(candidates, rest_a.gap, rest_b.gap, threshold)


def _add_gap_pairs(near_b: dict[int, list[int]], rest_a: _Rest, rest_b: _Rest) -> None:
    """Make every pair in a small gap a candidate: the token index keeps only the top few
    neighbours and skips frequent tokens, and a gap is where an edit most likely sits."""
    by_gap: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in rest_a.indices:
        by_gap[rest_a.gap[i]][0].append(i)
    for j in rest_b.indices:
        by_gap[rest_b.gap[j]][1].append(j)
    for xs, ys in by_gap.values():
        if xs and ys and len(xs) * len(ys) <= _MAX_GAP_PAIRS:
            for i in xs:
                near_b[i] = list(dict.fromkeys([*near_b[i], *ys]))


def _one_to_one(near_b: dict[int, list[int]], rest_a: _Rest, rest_b: _Rest) -> list[_Candidate]:
    """Sentence-to-sentence candidates, scored below 1.0 so that the same words in another
    order are an edit, not "unchanged"; headings pair with headings only."""
    tallies_a, tallies_b = rest_a.tallies, rest_b.tallies
    return [
        (min(tally_dice(tallies_a[i], tallies_b[j]), _BELOW_ONE), abs(i - j), (i,), (j,))
        for i, js in near_b.items()
        for j in js
        if (i in rest_a.headings) == (j in rest_b.headings)
    ]


def _parts(
    near: dict[int, list[int]], whole: _Rest, parts: _Rest, *, whole_in_a: bool
) -> list[_Candidate]:
    """Split candidates (one sentence of ``a``, a run in ``b``) or, with the sides swapped,
    merge candidates: the parts must be shorter than the whole and among its closest few,
    since a run of sentences is only worth scoring around a likely part."""
    free = set(parts.indices)
    found: list[_Candidate] = []
    for w, near_w in near.items():
        if w in whole.headings:  # a title or heading is never split or merged
            continue
        size = whole.tallies[w].total
        shorter = [p for p in near_w[:_SPLIT_CANDIDATES] if parts.tallies[p].total < size]
        for run in _runs(shorter, free, parts.side):
            score = min(_parts_score(whole, w, parts, run), _BELOW_ONE)
            if not score:
                continue
            if whole_in_a:
                found.append((score, abs(w - run[0]), (w,), run))
            else:
                found.append((score, abs(run[0] - w), run, (w,)))
    return found


def _choose(
    candidates: list[_Candidate], gap_a: dict[int, int], gap_b: dict[int, int], threshold: float
) -> list[Pair]:
    """Take candidates best first, nearest first on ties, each sentence once: a greedy
    choice is near-linear where an optimal matching would not be. Below ``threshold`` a
    candidate is taken only if it sits in the same gap on both sides."""
    candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen: list[Pair] = []
    floor = min(LOCAL_THRESHOLD, threshold)
    for score, _, side_a, side_b in candidates:
        if score < floor:
            break
        local = {gap_a[i] for i in side_a} == {gap_b[j] for j in side_b}
        if score < threshold and not local:
            continue
        if used_a.isdisjoint(side_a) and used_b.isdisjoint(side_b):
            used_a.update(side_a)
            used_b.update(side_b)
            chosen.append((side_a, side_b, score))
    return chosen


def _neighbours(
    rest_x: list[int],
    rest_y: list[int],
    bags_x: dict[int, Counter[str]],
    bags_y: dict[int, Counter[str]],
    top: int = 8,
) -> dict[int, list[int]]:
    """For each x, the ``top`` y sentences sharing the most indexed tokens (ties in the
    order first met: ``Counter.most_common``'s, which is a stable sort's, faster sorted)."""
    index: dict[str, list[int]] = defaultdict(list)
    for j in rest_y:
        for token in bags_y[j]:
            index[token].append(j)
    found: dict[int, list[int]] = {}
    get, count = index.get, itemgetter(1)
    for i in rest_x:
        postings = [p for token in bags_x[i] if len(p := get(token, ())) <= _MAX_POSTING]
        shared = Counter(chain.from_iterable(postings))
        found[i] = [j for j, _ in sorted(shared.items(), key=count, reverse=True)[:top]]
    return found


def _runs(candidates: list[int], free: set[int], side: Segmented) -> list[tuple[int, ...]]:
    """Runs of 2..3 consecutive unmatched (``free``) sentences of one paragraph that
    contain a candidate."""
    runs = set()
    for start in candidates:
        for first in range(start - _MAX_PARTS + 1, start + 1):
            for size in range(2, _MAX_PARTS + 1):
                run = tuple(range(first, first + size))
                if run[0] < 0 or run[-1] >= len(side.sentences) or not free.issuperset(run):
                    continue
                if len({side.sentences[k].block for k in run}) == 1 and start in run:
                    runs.add(run)
    return sorted(runs)


def _parts_score(whole: _Rest, w: int, parts: _Rest, run: tuple[int, ...]) -> float:
    """Dice of sentence ``w`` against the joined sentences ``run`` of ``parts``; 0 unless
    each part is mostly inside the whole."""
    tally = whole.tallies[w]
    for p in run:
        part = parts.tallies[p]
        if not part.total or tally_overlap(part, tally) / part.total < 0.6:
            return 0.0
    joined: Counter[str] = Counter()
    for p in run:
        joined.update(parts.bags[p])
    return dice(whole.bags[w], joined)


# ---------------------------------------------------------------- pass 4: paragraphs
_Node: TypeAlias = tuple[Literal["a", "b"], int]
"""A paragraph of ``a`` or of ``b``, as a node of the link graph."""


@dataclass(frozen=True)
class _Links:
    """Paragraph-to-paragraph links read off the sentence relations."""

    count: Counter[tuple[int, int]]  # sentence links per paragraph pair
    mass: dict[tuple[int, int], float]  # the same, weighted by similarity
    identical: dict[tuple[int, int], bool]  # every link is an identical one-to-one pair
    size_a: list[int]  # sentences per paragraph of a
    size_b: list[int]


def _block_relations(a: Segmented, b: Segmented, sentences: list[Relation]) -> tuple[Relation, ...]:
    """Paragraph relations read off the sentence relations (pass 4).

    A link between two paragraphs counts when it carries at least half of the sentences of
    one of them, so a single sentence moved elsewhere does not make its paragraph "split".
    A paragraph pair's similarity is the mean similarity of its sentences (unmatched
    sentences count 0), so paragraphs are never tokenised again. Linked paragraphs form
    groups: 1-1 (unchanged, edited or moved), 1-n (split), n-1 (merged); a group linking
    several paragraphs on both sides is reduced to its strongest one-to-one links, and the
    rest count as deleted and added paragraphs.
    """
    links = _block_links(a, b, sentences)
    pairs = [
        (tuple(group_a), tuple(group_b), _block_score(group_a, group_b, links))
        for group_a, group_b in _block_groups(links)
    ]
    return tuple(relations_of(pairs, len(a.blocks), len(b.blocks)))


def _block_links(a: Segmented, b: Segmented, sentences: list[Relation]) -> _Links:
    """Count the sentence links between each two paragraphs, once, so that grouping and
    scoring paragraphs never look at sentences again."""
    count: Counter[tuple[int, int]] = Counter()
    mass: defaultdict[tuple[int, int], float] = defaultdict(float)
    identical: dict[tuple[int, int], bool] = {}
    block_a = [s.block for s in a.sentences]
    block_b = [s.block for s in b.sentences]
    for rel in sentences:
        if len(rel.a) == len(rel.b) == 1:  # most relations: one link, weight 2 x similarity
            key = (block_a[rel.a[0]], block_b[rel.b[0]])
            count[key] += 1
            mass[key] += rel.similarity * 2
            identical[key] = identical.get(key, True) and rel.similarity >= 1.0
            continue
        for i in rel.a:
            for j in rel.b:
                key = (block_a[i], block_b[j])
                count[key] += 1
                mass[key] += rel.similarity * (len(rel.a) + len(rel.b)) / (len(rel.a) * len(rel.b))
                identical[key] = False
    size_a = [len(group) for group in a.sentences_by_block]
    size_b = [len(group) for group in b.sentences_by_block]
    return _Links(count, mass, identical, size_a, size_b)


def _block_groups(links: _Links) -> list[tuple[list[int], list[int]]]:
    """The paragraphs of ``a`` and ``b`` that form one relation each: connected groups of
    strong links, an n-m group cut down to one-to-one links (it is neither split nor merge)."""
    groups, links_of = _linked_groups(links)
    units: list[tuple[list[int], list[int]]] = []
    for node, (group_a, group_b) in groups.items():
        if len(group_a) > 1 and len(group_b) > 1:
            units += _strongest_links(links_of[node], set(group_b), links.count)
        elif group_a and group_b:
            units.append((sorted(group_a), sorted(group_b)))
    return units


def _linked_groups(
    links: _Links,
) -> tuple[dict[_Node, tuple[list[int], list[int]]], dict[_Node, list[tuple[int, int]]]]:
    """Connected groups of strongly linked paragraphs (union-find), each with its links: a
    group's shape (1-1, 1-n, n-1, n-m) decides its relation."""
    parent: dict[_Node, _Node] = {}

    def root(node: _Node) -> _Node:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]  # path halving keeps this near-constant
            node = parent[node]
        return node

    for (x, y), n in links.count.items():
        if 2 * n >= links.size_a[x] or 2 * n >= links.size_b[y]:
            parent[root(("a", x))] = root(("b", y))
    groups: dict[_Node, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for node in list(parent):
        side, index = node
        groups[root(node)][0 if side == "a" else 1].append(index)
    links_of: dict[_Node, list[tuple[int, int]]] = defaultdict(list)
    for x, y in links.count:
        if ("a", x) in parent:
            links_of[root(("a", x))].append((x, y))
    return groups, links_of


def _strongest_links(
    group_links: list[tuple[int, int]], members_b: set[int], count: Counter[tuple[int, int]]
) -> list[tuple[list[int], list[int]]]:
    """One-to-one links of an n-m group, strongest first, each paragraph used once: the
    paragraphs left over count as deleted and added rather than as a tangle."""
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    units: list[tuple[list[int], list[int]]] = []
    for x, y in sorted(group_links, key=lambda link: (-count[link], link)):
        if y in members_b and x not in taken_a and y not in taken_b:
            taken_a.add(x)
            taken_b.add(y)
            units.append(([x], [y]))
    return units


def _block_score(group_a: list[int], group_b: list[int], links: _Links) -> float:
    """1.0 for one paragraph whose sentences all stayed identical one to one; otherwise the
    similarity-weighted share of the group's sentences that are linked, below 1.0."""
    key = (group_a[0], group_b[0])
    exact = (
        len(group_a) == len(group_b) == 1
        and links.identical.get(key, False)
        and links.count[key] == links.size_a[key[0]] == links.size_b[key[1]]
    )
    sentences_in = sum(links.size_a[x] for x in group_a) + sum(links.size_b[y] for y in group_b)
    linked = sum(links.mass[(x, y)] for x in group_a for y in group_b)
    return 1.0 if exact else round(min(_BELOW_ONE, linked / sentences_in), 4)
