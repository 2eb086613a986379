"""Alignment of two segmented snapshots: paragraphs first, then sentences.

Every block (title, heading, paragraph) and every sentence of ``a`` and of ``b`` ends up in
exactly one :class:`Relation`: unchanged, edited, moved, split (1 → n), merged (n → 1),
deleted or added.

The algorithm, in four passes, each cheaper than a flat diff of the whole text:

1. **Identical paragraphs.** Blocks are compared by their exact text; a longest-matching-
   blocks alignment over the sequence of blocks (difflib, junk heuristic off; it is fast on
   sequences of distinct items, where diff-match-patch's bisection in pure Python is not)
   pairs identical blocks in order, and identical blocks
   left over are paired in order of appearance (they moved). Their sentences are paired
   one to one without being tokenised; most of a long document ends here.
2. **Sentences of the remaining blocks**, compared by comparison key (see
   :mod:`narrative_diff.diff`): identical keys pair first (in order, then as moves), so
   reflowed lines, quote styles and other noise count as unchanged.
3. **Similar sentences** (moved-and-edited text, and edits): candidates come from an
   inverted index over the sentences' tokens (tokens in more than 50 sentences are not
   indexed), scored by Dice similarity of token multisets; splits and merges are
   candidates too, scored on a sentence against two or three consecutive sentences of the
   other side (each part must be mostly contained in the whole). Candidates at or above
   ``threshold`` are taken greedily, best first, nearest first on ties; each sentence is
   used once (Nelken & Shieber 2006 align by similarity and order in the same spirit).
4. **Order.** Among the pairs, the longest chain increasing in both ``a`` and ``b``
   order stays in place; every other pair is *moved*. Paragraph relations are then read
   off the sentence pairs: a paragraph whose sentences all went to one paragraph maps to
   it; to several, it was split; several into one were merged.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .diff import DiffOptions, bag, dice, normal_form, overlap
from .segment import Segmented

OPS = ("unchanged", "edited", "moved", "split", "merged", "deleted", "added")
DEFAULT_THRESHOLD = 0.5
LOCAL_THRESHOLD = 0.3  # for a pair that sits between the same unchanged neighbours
_MAX_GAP_PAIRS = 400
_MAX_POSTING = 50
_MAX_PARTS = 3
_SPLIT_CANDIDATES = 3  # split/merge parts are looked for among the 3 closest sentences
_MAX_REPEATS = 50  # a key more frequent than this ("Read more") is paired gap by gap


@dataclass(frozen=True)
class Relation:
    """How units of ``a`` relate to units of ``b`` (indices into each side)."""

    op: str
    a: tuple[int, ...]
    b: tuple[int, ...]
    similarity: float
    moved: bool = False


@dataclass(frozen=True)
class Alignment:
    """Block and sentence relations between two segmented texts."""

    blocks: tuple[Relation, ...]
    sentences: tuple[Relation, ...]


def align(
    a: Segmented,
    b: Segmented,
    *,
    options: DiffOptions = DiffOptions(),  # noqa: B008
    threshold: float = DEFAULT_THRESHOLD,
) -> Alignment:
    """Align ``a`` with ``b``; see the module docstring."""
    pairs: list[tuple[tuple[int, ...], tuple[int, ...], float]] = []
    block_pairs = _pair_identical([blk.text for blk in a.blocks], [blk.text for blk in b.blocks])
    done_a: set[int] = set()
    done_b: set[int] = set()
    for ia, ib in block_pairs:
        sa, sb = a.sentences_by_block[ia], b.sentences_by_block[ib]
        for x, y in zip(sa, sb, strict=True):
            pairs.append(((x.index,), (y.index,), 1.0))
            done_a.add(x.index)
            done_b.add(y.index)
    rest_a = [s.index for s in a.sentences if s.index not in done_a]
    rest_b = [s.index for s in b.sentences if s.index not in done_b]
    norm_a = {i: normal_form(a.sentences[i].text, options) for i in rest_a}
    norm_b = {i: normal_form(b.sentences[i].text, options) for i in rest_b}
    for ia, ib in _pair_identical([norm_a[i] for i in rest_a], [norm_b[i] for i in rest_b]):
        pairs.append(((rest_a[ia],), (rest_b[ib],), 1.0))
        done_a.add(rest_a[ia])
        done_b.add(rest_b[ib])
    rest_a = [i for i in rest_a if i not in done_a]
    rest_b = [i for i in rest_b if i not in done_b]
    if rest_a and rest_b:
        bags_a = {i: bag(_content(a, i), options) for i in rest_a}
        bags_b = {i: bag(_content(b, i), options) for i in rest_b}
        gap_a, gap_b = _gaps(pairs, rest_a, rest_b)
        pairs += _pair_similar(rest_a, rest_b, bags_a, bags_b, a, b, (gap_a, gap_b), threshold)
    sentences = _relations(pairs, len(a.sentences), len(b.sentences))
    return Alignment(_block_relations(a, b, sentences, options), tuple(sentences))


def _content(side: Segmented, index: int) -> str:
    """A sentence's words for similarity: a title or heading without its ``#`` marker (the
    marker would make any two headings look alike)."""
    sentence = side.sentences[index]
    block = side.blocks[sentence.block]
    return sentence.text if block.kind == "paragraph" else block.content


def _is_heading(side: Segmented, index: int) -> bool:
    return side.blocks[side.sentences[index].block].kind != "paragraph"


# ---------------------------------------------------------------- pass 1 and 2: identical
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
    pairs = [candidates[k] for k in _longest_increasing([j for _, j in candidates])]
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


def _longest_increasing(values: Sequence[int]) -> list[int]:
    """Positions of a longest strictly increasing subsequence of ``values`` (patience
    sorting, O(n log n)).

    >>> _longest_increasing([0, 3, 1, 2])
    [0, 2, 3]
    """
    tails: list[int] = []
    tail_at: list[int] = []
    parent: list[int] = []
    for k, value in enumerate(values):
        pos = bisect.bisect_left(tails, value)
        parent.append(tail_at[pos - 1] if pos else -1)
        if pos == len(tails):
            tails.append(value)
            tail_at.append(k)
        else:
            tails[pos] = value
            tail_at[pos] = k
    chain: list[int] = []
    node = tail_at[-1] if tail_at else -1
    while node != -1:
        chain.append(node)
        node = parent[node]
    return chain[::-1]


# ---------------------------------------------------------------- pass 3: similar
def _gaps(
    pairs: list[tuple[tuple[int, ...], tuple[int, ...], float]],
    rest_a: list[int],
    rest_b: list[int],
) -> tuple[dict[int, int], dict[int, int]]:
    """The gap between in-order unchanged sentences that each unmatched sentence sits in."""
    anchors = [(sa[0], sb[0]) for sa, sb, _ in pairs]
    chain = sorted(anchors[k] for k in _in_place(anchors))
    a_marks = [x for x, _ in chain]
    b_marks = [y for _, y in chain]
    return (
        {i: bisect.bisect(a_marks, i) for i in rest_a},
        {j: bisect.bisect(b_marks, j) for j in rest_b},
    )


def _pair_similar(
    rest_a: list[int],
    rest_b: list[int],
    bags_a: dict[int, Counter[str]],
    bags_b: dict[int, Counter[str]],
    a: Segmented,
    b: Segmented,
    gaps: tuple[dict[int, int], dict[int, int]],
    threshold: float,
) -> list[tuple[tuple[int, ...], tuple[int, ...], float]]:
    """Greedy one-to-one choice among similar pairs, splits and merges (pass 3)."""
    gap_a, gap_b = gaps
    candidates: list[tuple[float, int, tuple[int, ...], tuple[int, ...]]] = []
    near_b = _neighbours(rest_a, rest_b, bags_a, bags_b)
    near_a = _neighbours(rest_b, rest_a, bags_b, bags_a)
    by_gap: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in rest_a:
        by_gap[gap_a[i]][0].append(i)
    for j in rest_b:
        by_gap[gap_b[j]][1].append(j)
    for xs, ys in by_gap.values():  # small gaps: every pair is a candidate
        if xs and ys and len(xs) * len(ys) <= _MAX_GAP_PAIRS:
            for i in xs:
                near_b[i] = list(dict.fromkeys([*near_b[i], *ys]))
    size_a = {i: sum(bag.values()) for i, bag in bags_a.items()}
    size_b = {j: sum(bag.values()) for j, bag in bags_b.items()}
    heading_a = {i for i in rest_a if _is_heading(a, i)}
    heading_b = {j for j in rest_b if _is_heading(b, j)}
    free_a, free_b = set(rest_a), set(rest_b)
    for i, js in near_b.items():
        for j in js:
            if (i in heading_a) == (j in heading_b):  # headings pair with headings only
                # below 1.0: equal words in another order are an edit, not "unchanged"
                score = min(dice(bags_a[i], bags_b[j]), 0.9999)
                candidates.append((score, abs(i - j), (i,), (j,)))
        if i in heading_a:
            continue
        # a part is shorter than its whole, and among the closest few
        parts = [j for j in js[:_SPLIT_CANDIDATES] if size_b[j] < size_a[i]]
        for run in _runs(parts, free_b, b):
            score = min(_parts_score(bags_a[i], [bags_b[j] for j in run]), 0.9999)
            if score:
                candidates.append((score, abs(i - run[0]), (i,), run))
    for j, is_ in near_a.items():
        if j in heading_b:
            continue
        parts = [i for i in is_[:_SPLIT_CANDIDATES] if size_a[i] < size_b[j]]
        for run in _runs(parts, free_a, a):
            score = min(_parts_score(bags_b[j], [bags_a[i] for i in run]), 0.9999)
            if score:
                candidates.append((score, abs(run[0] - j), run, (j,)))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen = []
    for score, _, side_a, side_b in candidates:
        if score < LOCAL_THRESHOLD:
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
    """For each x, the ``top`` y sentences sharing the most indexed tokens."""
    index: dict[str, list[int]] = defaultdict(list)
    for j in rest_y:
        for token in bags_y[j]:
            index[token].append(j)
    found: dict[int, list[int]] = {}
    for i in rest_x:
        shared: Counter[int] = Counter()
        for token in bags_x[i]:
            posting = index.get(token, ())
            if len(posting) <= _MAX_POSTING:
                shared.update(posting)
        found[i] = [j for j, _ in shared.most_common(top)]
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


def _parts_score(whole: Counter[str], parts: list[Counter[str]]) -> float:
    """Dice of the whole against the joined parts; 0 unless each part is mostly inside."""
    for part in parts:
        total = part.total()
        if not total or overlap(part, whole) / total < 0.6:
            return 0.0
    joined: Counter[str] = Counter()
    for part in parts:
        joined.update(part)
    return dice(whole, joined)


# ---------------------------------------------------------------- pass 4: order, relations
def _in_place(pairs: Sequence[tuple[int, int]], weights: Sequence[float] | None = None) -> set[int]:
    """Indices of the pairs that stay in place; all others moved.

    The chosen chain increases in both a and b and has, in this order of preference, the
    most pairs, the highest total similarity (``weights``), the least total displacement
    |a - b|. Every criterion reads the same whichever side is called "a", so a comparison
    run backwards marks the same pairs as moved. A Fenwick tree over b keeps it O(n log n);
    when the pairs are already in order (the common case) nothing is searched.

    >>> sorted(_in_place([(0, 0), (1, 3), (2, 1), (3, 2)]))
    [0, 2, 3]
    >>> sorted(_in_place([(0, 1), (1, 0)], [1.0, 0.8]))  # keep the identical pair in place
    [0]
    """
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0], -pairs[k][1]))
    if all(
        pairs[x][1] < pairs[y][1] and pairs[x][0] < pairs[y][0]
        for x, y in itertools.pairwise(order)
    ):
        return set(order)
    weights = weights if weights is not None else [1.0] * len(pairs)
    # One integer per chain, compared at C speed: pairs, then similarity (in thousandths,
    # summed exactly), then less displacement.
    ranks = {b: r for r, b in enumerate(sorted({b for _, b in pairs}), start=1)}
    size = len(ranks) + 1
    tree = [0] * size
    tree_end = [-1] * size
    parent: dict[int, int] = {}
    best, best_end = 0, -1
    room = (1 << 30) - 1
    for k in order:
        a, b = pairs[k]
        found, previous = 0, -1
        i = ranks[b]
        j = i - 1
        while j > 0:  # the best chain ending below this b
            if tree[j] > found:
                found, previous = tree[j], tree_end[j]
            j &= j - 1
        spare = found & room if found else room
        key = ((found >> 60) + 1) << 60 | (((found >> 30) & room) + round(weights[k] * 1000)) << 30
        key |= max(spare - abs(a - b), 0)
        parent[k] = previous
        if key > best:
            best, best_end = key, k
        while i < size:
            if key > tree[i]:
                tree[i] = key
                tree_end[i] = k
            i += i & -i
    chain: set[int] = set()
    node = best_end
    while node != -1:
        chain.add(node)
        node = parent[node]
    return chain


def _relations(
    pairs: list[tuple[tuple[int, ...], tuple[int, ...], float]], n_a: int, n_b: int
) -> list[Relation]:
    anchors = [(min(sa), min(sb)) for sa, sb, _ in pairs]
    staying = _in_place(anchors, [score for _, _, score in pairs])
    relations = []
    for k, (sa, sb, score) in enumerate(pairs):
        moved = k not in staying
        if len(sa) > 1:
            op = "merged"
        elif len(sb) > 1:
            op = "split"
        elif moved:
            op = "moved"
        else:
            op = "unchanged" if score >= 1.0 else "edited"
        relations.append(Relation(op, tuple(sa), tuple(sb), round(score, 4), moved))
    used_a = {i for r in relations for i in r.a}
    used_b = {j for r in relations for j in r.b}
    relations += [Relation("deleted", (i,), (), 0.0) for i in range(n_a) if i not in used_a]
    relations += [Relation("added", (), (j,), 0.0) for j in range(n_b) if j not in used_b]
    return sorted(relations, key=_reading_order(relations))


def _reading_order(relations: list[Relation]) -> Callable[[Relation], tuple[float, int]]:
    """Sort key: b order; a deleted unit goes right after what preceded it in a."""
    n_a = 1 + max((i for rel in relations for i in rel.a), default=-1)
    b_of_a = [-1] * n_a
    for rel in relations:
        if rel.b:
            for i in rel.a:
                b_of_a[i] = max(rel.b)
    before = [-1] * (n_a + 1)  # before[i]: the furthest b reached by a units ahead of i
    for i in range(n_a):
        before[i + 1] = max(before[i], b_of_a[i])

    def key(rel: Relation) -> tuple[float, int]:
        if rel.b:
            return (min(rel.b), 0)
        return (before[rel.a[0]] + 0.5, rel.a[0])

    return key


def _block_relations(
    a: Segmented, b: Segmented, sentences: list[Relation], options: DiffOptions
) -> tuple[Relation, ...]:
    """Paragraph relations read off the sentence relations (pass 4).

    A link between two paragraphs counts when it carries at least half of the sentences of
    one of them, so a single sentence moved elsewhere does not make its paragraph "split".
    A paragraph pair's similarity is the mean similarity of its sentences (unmatched
    sentences count 0), so paragraphs are never tokenised again. Linked paragraphs form
    groups: 1-1 (unchanged, edited or moved), 1-n (split), n-1 (merged); a group linking
    several paragraphs on both sides is reduced to its strongest one-to-one links, and the
    rest count as deleted and added paragraphs.
    """
    links: Counter[tuple[int, int]] = Counter()
    mass: Counter[tuple[int, int]] = Counter()  # similarity-weighted sentences per link
    identical: dict[tuple[int, int], bool] = {}
    for rel in sentences:
        same = rel.similarity >= 1.0 and len(rel.a) == len(rel.b) == 1
        for i in rel.a:
            for j in rel.b:
                key = (a.sentences[i].block, b.sentences[j].block)
                links[key] += 1
                mass[key] += rel.similarity * (len(rel.a) + len(rel.b)) / (len(rel.a) * len(rel.b))
                identical[key] = identical.get(key, True) and same
    size_a = [len(group) for group in a.sentences_by_block]
    size_b = [len(group) for group in b.sentences_by_block]
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]  # path halving keeps this near-constant
            node = parent[node]
        return node

    for (x, y), n in links.items():
        if 2 * n >= size_a[x] or 2 * n >= size_b[y]:
            parent[root(("a", x))] = root(("b", y))
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for node in list(parent):
        side, index = node
        groups[root(node)][0 if side == "a" else 1].append(index)
    pairs = []
    links_of: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for x, y in links:
        if ("a", x) in parent:
            links_of[root(("a", x))].append((x, y))
    units: list[tuple[list[int], list[int]]] = []
    for key, (group_a, group_b) in groups.items():
        if len(group_a) > 1 and len(group_b) > 1:  # n-m: keep the strongest one-to-one links
            members_b = set(group_b)
            taken_a: set[int] = set()
            taken_b: set[int] = set()
            for x, y in sorted(links_of[key], key=lambda link: (-links[link], link)):
                if y in members_b and x not in taken_a and y not in taken_b:
                    taken_a.add(x)
                    taken_b.add(y)
                    units.append(([x], [y]))
        elif group_a and group_b:
            units.append((sorted(group_a), sorted(group_b)))
    for group_a, group_b in units:
        key = (group_a[0], group_b[0])
        exact = (
            len(group_a) == len(group_b) == 1
            and identical.get(key, False)
            and links[key] == size_a[key[0]] == size_b[key[1]]
        )
        sentences_in = sum(size_a[x] for x in group_a) + sum(size_b[y] for y in group_b)
        linked = sum(mass[(x, y)] for x in group_a for y in group_b)
        score = 1.0 if exact else round(min(0.9999, linked / sentences_in), 4)
        pairs.append((tuple(group_a), tuple(group_b), score))
    return tuple(_relations(pairs, len(a.blocks), len(b.blocks)))
