"""Fuzzy matching, as rapidfuzz does it: how alike a query is to a card's title and aliases (its
`token_ratio`, best of the texts), and which vocabulary word a typo is nearest (its OSA distance).

rapidfuzz computes both in C, fast, but importing it costs about 10 ms (its compiled modules load
and link), a sixth of a one-shot `il2bot ask`, which makes only a few dozen comparisons. So this
module imports rapidfuzz only when first asked, and a one-shot process may switch to the pure-Python
twins (`use_pure_python`, called by `bot.cli.run` for `ask`): the same arithmetic (rapidfuzz's own
fallback algorithms), equal to rapidfuzz's results to the last bit (tests/test_fuzzy.py checks every
development question against every card, and random texts); the rare score too close to call is
still handed to rapidfuzz. The Slack app and the benchmarks score with rapidfuzz.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Found = tuple[str, float, int]  # extractOne's answer: the best text, its score, its index
# extract_one(query, texts, scorer=token_ratio, processor=None, score_cutoff=...): the best-scoring
# text, or None if under the cutoff (rapidfuzz.process.extractOne's signature).
ExtractOne = Callable[..., "Found | None"]
Scorer = Callable[..., float]

NEAR = 1e-4  # rapidfuzz decides either way for a score within about 1e-5 of its cutoff (out of 100)
BELOW = -1.0  # a score surely under the floor asked for (never the best, nor near it)
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ")

_scorers: tuple[ExtractOne, Scorer] | None = None  # what scorers() returns, once chosen


def _rapidfuzz() -> tuple[ExtractOne, Scorer, Callable[[str], str]]:
    """rapidfuzz's extractOne, token_ratio and default_process."""
    from rapidfuzz import fuzz, process, utils

    extract: Any = process.extractOne
    return extract, fuzz.token_ratio, utils.default_process


def scorers() -> tuple[ExtractOne, Scorer]:
    """The extractOne and token_ratio to score with: rapidfuzz's (imported on first use), or the
    pure-Python twins after use_pure_python()."""
    global _scorers
    if _scorers is None:
        _scorers = _rapidfuzz()[:2]
    return _scorers


def _first_default_process(text: str) -> str:
    """Import rapidfuzz, process texts with it from now on."""
    global default_process
    default_process = _rapidfuzz()[2]
    return default_process(text)


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence (bit-parallel, as rapidfuzz computes it)."""
    if len(a) < len(b):
        a, b = b, a  # the loop below runs over b: the shorter
    masks: dict[str, int] = {}
    get = masks.get
    bit = 1
    for ch in a:
        masks[ch] = get(ch, 0) | bit
        bit <<= 1
    full = bit - 1
    s = full
    for ch in b:
        u = s & get(ch, 0)
        s = (s + u) | (s - u)
    return len(a) - (s & full).bit_count()


def _indel(a: str, b: str) -> int:
    """Insertions and deletions that turn a into b."""
    return len(a) + len(b) - 2 * _lcs(a, b) if a and b else len(a) + len(b)


def _token_ratio(q_tokens: set[str], q_sorted: str, text: str, floor: float = BELOW) -> float:
    """rapidfuzz.fuzz.token_ratio(query, text): the better of token_sort_ratio and token_set_ratio;
    BELOW when it is surely under `floor` (its Indel distances, the costly part, bounded by how the
    lengths differ), so a text that cannot win is not scored in full."""
    t_split = text.split()
    t_sorted = " ".join(sorted(t_split))
    # token_sort_ratio: Indel's normalised similarity of the sorted texts, times 100.
    total = len(q_sorted) + len(t_sorted)
    t_tokens = set(t_split)
    if not q_tokens or not t_tokens:
        if total and (1.0 - abs(len(q_sorted) - len(t_sorted)) / total) * 100 < floor:
            return BELOW
        return (1.0 - _indel(q_sorted, t_sorted) / total) * 100 if total else 100.0  # no token_set_ratio
    sect = q_tokens & t_tokens
    diff_ab = q_tokens - t_tokens
    diff_ba = t_tokens - q_tokens
    if sect and (not diff_ab or not diff_ba):
        return 100.0
    ab = " ".join(sorted(diff_ab))
    ba = " ".join(sorted(diff_ba))
    sect_len = len(" ".join(sect))
    sep = 1 if sect_len else 0
    sect_ab_len = sect_len + sep + len(ab)
    sect_ba_len = sect_len + sep + len(ba)
    lensum = sect_ab_len + sect_ba_len
    sect_score = (
        max(
            100 - 100 * (sep + len(ab)) / (sect_len + sect_ab_len),
            100 - 100 * (sep + len(ba)) / (sect_len + sect_ba_len),
        )
        if sect_len
        else 0.0
    )
    if floor > sect_score and max(
        (1.0 - abs(len(q_sorted) - len(t_sorted)) / total) * 100 if total else 100.0,
        100 - 100 * abs(len(ab) - len(ba)) / lensum if lensum else 100.0,
    ) < floor:
        return BELOW  # an Indel distance is at least the difference of the lengths
    sort_score = (1.0 - _indel(q_sorted, t_sorted) / total) * 100 if total else 100.0
    set_score = 100 - 100 * _indel(ab, ba) / lensum if lensum else 100.0
    if sect_len:
        set_score = max(set_score, sect_score)
    return max(set_score, sort_score)


def _rapidfuzz_extract_one(query: str, texts: Sequence[str], score_cutoff: float) -> Found | None:
    extract, token_ratio, _ = _rapidfuzz()
    return extract(query, texts, scorer=token_ratio, processor=None, score_cutoff=score_cutoff)


def pure_token_ratio(s1: str, s2: str, *, processor: None = None, score_cutoff: float = 0.0) -> float:
    """rapidfuzz.fuzz.token_ratio(s1, s2) in Python, for texts as default_process leaves them."""
    split = s1.split()
    score = _token_ratio(set(split), " ".join(sorted(split)), s2)
    return score if score >= score_cutoff else 0.0


def pure_extract_one(
    query: str, texts: Sequence[str], *, scorer: Scorer = pure_token_ratio, processor: None = None,
    score_cutoff: float = 0.0,
) -> Found | None:
    """What rapidfuzz's extractOne with token_ratio (whatever `scorer` says) returns, computed in
    Python without importing rapidfuzz, for a query and texts as default_process leaves them
    (letters and digits between spaces)."""
    if not query.strip() or not texts:
        return _rapidfuzz_extract_one(query, texts, score_cutoff)
    q_split = query.split()
    q_tokens, q_sorted = set(q_split), " ".join(sorted(q_split))
    # A text sure to score under both the cutoff and the best so far, by more than rapidfuzz's
    # tolerance, can be neither the best nor close to it: it is not scored in full.
    scores = []
    floor = score_cutoff - NEAR
    for t in texts:
        score = _token_ratio(q_tokens, q_sorted, t, floor)
        scores.append(score)
        if score - NEAR > floor:
            floor = score - NEAR
    best = max(scores)
    if best == BELOW:
        return None  # every text is surely under the cutoff
    runner_up = max((x for x in scores if x != best), default=BELOW)
    if (score_cutoff > 0 and abs(best - score_cutoff) < NEAR) or best - runner_up < NEAR:
        # rapidfuzz turns a cutoff into a whole number of edits, with a small tolerance (and raises
        # its cutoff to each best score found): a score that close to the cutoff, or to another
        # text's, is settled its way.
        return _rapidfuzz_extract_one(query, texts, score_cutoff)
    if best < score_cutoff:
        return None
    n = scores.index(best)  # the first of the best, as extractOne keeps it
    return texts[n], best, n


def pure_default_process(text: str) -> str:
    """rapidfuzz.utils.default_process, in Python for plain text (lowercase letters, digits and
    spaces: only trimmed)."""
    if _PLAIN.issuperset(text):
        return text.strip()
    return _rapidfuzz()[2](text)


def _osa(query_masks: dict[str, int], length: int, text: str) -> int:
    """Optimal string alignment distance (edits, a swap of neighbours counting one) from the query
    whose character masks are given (bit-parallel, Hyyrö 2003, as rapidfuzz computes it)."""
    vp, vn, d0, pm_old = (1 << length) - 1, 0, 0, 0
    dist, top = length, 1 << (length - 1)
    get = query_masks.get
    for ch in text:
        pm = get(ch, 0)
        tr = (((~d0) & pm) << 1) & pm_old
        d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr
        hp = vn | ~(d0 | vp)
        hn = d0 & vp
        if hp & top:
            dist += 1
        elif hn & top:
            dist -= 1
        hp = (hp << 1) | 1
        vp = (hn << 1) | ~(d0 | hp)
        vn = hp & d0
        pm_old = pm
    return dist


def pure_closest(query: str, choices: Sequence[str], cutoff: int) -> tuple[str, int, int] | None:
    """What rapidfuzz's extractOne with OSA.distance returns, in Python: the first choice at the
    fewest edits from the query, if at most cutoff."""
    if not query:
        return _rapidfuzz_closest(query, choices, cutoff)
    masks: dict[str, int] = {}
    bit = 1
    for ch in query:
        masks[ch] = masks.get(ch, 0) | bit
        bit <<= 1
    length = len(query)
    found: tuple[str, int, int] | None = None
    for n, text in enumerate(choices):
        if abs(len(text) - length) > cutoff:
            continue  # more edits than that, whatever the letters
        dist = _osa(masks, length, text) if text else length
        if dist <= cutoff:
            found, cutoff = (text, dist, n), dist - 1  # a later choice must be nearer
            if dist == 0:
                break
    return found


def _rapidfuzz_closest(query: str, choices: Sequence[str], cutoff: int) -> tuple[str, int, int] | None:
    global _rapidfuzz_osa
    if _rapidfuzz_osa is None:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        _rapidfuzz_osa = (process.extractOne, OSA.distance)
    extract, distance = _rapidfuzz_osa
    found: tuple[str, int, int] | None = extract(
        query, choices, scorer=distance, processor=None, score_cutoff=cutoff
    )
    return found


_rapidfuzz_osa: tuple[Any, Any] | None = None  # rapidfuzz's extractOne and OSA.distance, once imported


def closest(query: str, choices: Sequence[str], cutoff: int) -> tuple[str, int, int] | None:
    """The first of choices at the fewest edits (OSA distance) from query, if at most cutoff
    (rapidfuzz's extractOne), the reader's typo tolerance."""
    found: tuple[str, int, int] | None = _closest(query, choices, cutoff)
    return found


_closest: Callable[[str, Sequence[str], int], tuple[str, int, int] | None] = _rapidfuzz_closest
default_process: Callable[[str], str] = _first_default_process


def use_pure_python() -> None:
    """Score in Python from now on (a one-shot process: it saves importing rapidfuzz)."""
    global _scorers, _closest, default_process
    _scorers, _closest, default_process = (
        (pure_extract_one, pure_token_ratio), pure_closest, pure_default_process
    )
