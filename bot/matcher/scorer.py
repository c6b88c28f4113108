"""Scoring: every weight and threshold in one frozen Tuning, and the functions that rank cards and facts."""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every string annotation
# at import, which costs `il2bot ask` about 0.1 ms a field (tests/test_startup.py checks).
from bisect import bisect_right
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from bot.cards.model import REFERENCE_KIND, STUDY, Card
from bot.matcher import fuzzy

if TYPE_CHECKING:
    from bot.matcher.index import Entry, Index
    from bot.matcher.reader import Reading


NAME_PREFIX = "name:"  # a word naming one card, among its subjects ("name:kleef")


class Tuning:
    """Every weight and threshold of the matcher, by name.

    Frozen: instances hold no state of their own (empty __slots__), so `TUNING.x = ...` raises;
    an experiment subclasses it (`class Strict(Tuning): answer_threshold = 60.0`). A plain class,
    not a dataclass or NamedTuple: it costs nothing at start-up.
    """

    __slots__ = ()

    # Candidates.
    candidates: int = 24  # cards scored in full after the index has ranked them
    gather: int = 800  # cards gathered from postings before commoner keys only count in scoring
    subject_key_boost: float = 2.0  # a shared subject ranks a candidate more than a shared word
    # The score's parts (renormalised over the parts a query has).
    w_subject: float = 0.38
    w_topic: float = 0.27
    w_words: float = 0.20
    w_fuzzy: float = 0.15
    prior_trial: float = 0.98  # trial cards a little below introductions on the same subject
    prior_publication: float = 0.95
    prior_other: float = 1.0
    # Subjects.
    own_subject: float = 0.85  # a card naming the subject, plus this share divided by how many
    own_subject_single: float = 0.15  # ... subjects of that kind it names (one drug beats three)
    wider_subject: float = 0.75  # a low-dose IL-2 card partly answers a question on IL-2
    sibling_subject: float = 0.5  # a card on a kind of what is asked, or on a sibling
    # Topics.
    strong_topic: float = 0.5  # topics weighing less ("overview", "trials") only colour a question
    passing_topic: float = 0.25  # credit for a topic a card lists but is not about (a passing mention)
    hub_overview: float = 1.0  # how much a card introduces its subject: overview card
    hub_main: float = 0.8  # a drug, trial or publication card
    hub_detail: float = 0.6  # a topic card
    unfocused_hub_share: float = 0.7  # with no strong topic, the introductory card answers best
    focus_base: float = 0.6  # a card on one topic answers it better than one listing many
    # Words.
    weak_word: float = 0.6  # a word of a fact or summary, against one of the title, aliases, keywords
    quote_word: float = 0.35  # a word only in a quote behind a fact
    kind_word: float = 0.6  # a word asking for a kind of fact ("company") the card gives ("Organization:")
    # Coverage and the final score.
    common_word: float = 1.0  # an ordinary English word no card uses, against a word no card knows
    strange_damping: float = 0.5  # their weight grows as the square root of their count
    topic_emphasis: float = 1.5  # in coverage, what is asked about (a topic) counts more than a word
    coverage_share: float = 0.3  # how much a card's coverage of the question weighs in its score
    # Abstention.
    answer_threshold: float = 44.0
    min_coverage: float = 0.5  # share of a question (weighted by rarity) the best card must cover
    min_coverage_unknown: float = 0.6  # the same when some words are unknown to every card
    min_coverage_common: float = 0.6  # the same when some ordinary English words are not on any card
    cover_margin: float = 5.0  # a card this close to the best that covers enough answers instead
    superset_margin: float = 5.0  # ... or that holds every word the best holds, and more
    min_coverage_off_topic: float = 0.75  # the same when the card has none of the topics asked
    kind_given_relief: float = 0.8  # ... times this, when the study's own card gives the kind asked
    long_question: int = 8  # content words past which the coverage needed falls ...
    long_question_relief: float = 1.0  # ... as (long_question / words) to this power
    setting_common_word: float = 0.0  # an ordinary word no card uses, as a setting the cards lack ...
    setting_weak_word: float = 0.5  # ... against a word the best card has in its facts (1: in its title)
    suggest_margin: float = 25.0  # other cards within this many points are offered as close matches
    kind_margin: float = 15.0  # a card this close to the best that has the fact kind asked answers
    related_kind_margin: float = 30.0  # ... or this close, when the best card names it as related
    # Facts that answer.
    fact_lead: float = 1.5  # a word in a fact's lead (its label, its first words) says what it is about
    fact_topic: float = 2.0  # a fact that speaks of the topic asked
    fact_focus: float = 3.0  # the word a which/what question asks for ("which cells") counts this many times
    focus_floor: float = 0.5  # ... and weighs at least this share of the rarest word, however common it is
    fact_kind: float = 3.0  # a fact of the kind asked
    answering_share: float = 0.5  # facts scoring at least this share of the best fact answer too
    reference_share: float = 0.5  # a fact that is a publication reference, when no reference is asked
    max_answering: int = 3
    fact_weight: float = 10.0  # points for a card's best fact answering the question fully ...
    fact_margin: float = 10.0  # ... among cards this close to the best (and the cards it names as related)


TUNING = Tuning()


class Hit(NamedTuple):
    """A scored card."""

    card: Card
    score: float
    subject: float = 0.0
    topic: float = 0.0  # credit for the topics asked that the card lists
    coverage: float = 0.0  # share of the question the card speaks to
    position: int = -1  # where the card is in the matcher's deck
    main_topic: float = 0.0  # credit for the topics asked that the card is about (not just mentions)


class Plan(NamedTuple):
    """A reading prepared for scoring: each part with its weight, computed once per query."""

    subjects: tuple[tuple[str, float, str, frozenset[str]], ...]
    subject_total: float
    topics: tuple[tuple[str, float], ...]
    topic_total: float
    words: tuple[tuple[str, float], ...]
    word_total: float
    asked: float  # the whole question's weight, unknown words included, for coverage
    weights: tuple[float, float, float, float]
    scale: float
    text: str
    focused: bool  # a strong topic is asked (else the introductory card is preferred)
    kinds: frozenset[str] = frozenset()  # fact kinds asked
    asking: frozenset[str] = frozenset()  # the words that asked for them
    idioms: dict[str, frozenset[str]] = {}  # noqa: RUF012 - word -> the topics whose idiom said it


def is_focused(ix: "Index", topics: list[str], t: Tuning = TUNING) -> bool:
    """Whether a strong topic (not just "overview" or "trials") is asked."""
    return any(ix.topic_weight.get(x, 1.0) >= t.strong_topic for x in topics)


def plan(ix: "Index", r: "Reading", t: Tuning = TUNING) -> Plan:
    """What every candidate is scored against: the query's parts with their weights."""
    # (Lists made into tuples: a list comprehension runs without a generator's frame.)
    idf, max_idf, topic_weight = ix.idf, ix.max_idf, ix.topic_weight
    subjects = tuple(
        [
            (
                s,
                idf.get(f"s:{s}", max_idf),  # "lupus" says more than "IL-2"
                ix.kinds.get(s, STUDY),
                frozenset(ix.broader.get(s, ())),
            )
            for s in r.subjects
        ]
        + [  # a word naming one card ("Kleef") is a subject of its own
            (NAME_PREFIX + w, idf.get(f"w:{w}", max_idf), "name", frozenset())
            for w in r.words
            if w in ix.names
        ]
    )
    topics = tuple(
        [
            (x, idf.get(f"t:{x}", max_idf) * topic_weight.get(x, 1.0))
            for x in r.topics
            if topic_weight.get(x, 1.0) > 0
        ]
    )
    focused = is_focused(ix, r.topics, t)
    words = tuple([(w, idf.get(f"w:{w}", 0.0)) for w in dict.fromkeys(r.words)])  # each word once
    weights = (
        t.w_subject if subjects else 0.0,
        t.w_topic if focused else t.w_topic / 2,
        t.w_words if words else 0.0,
        t.w_fuzzy,
    )
    subject_total = sum(x[1] for x in subjects)
    topic_total = sum(x[1] for x in topics)
    word_total = sum(x[1] for x in words)
    # Words no card knows weigh less each the more there are: a long message is mostly talk.
    strange = len(r.unknown) + t.common_word * len(r.common)
    asked = (
        subject_total + t.topic_emphasis * topic_total + word_total + ix.max_idf * strange**t.strange_damping
    )
    return Plan(
        subjects=subjects,
        subject_total=subject_total or 1.0,
        topics=topics,
        topic_total=topic_total or 1.0,
        words=words,
        word_total=word_total or 1.0,
        asked=asked or 1.0,
        weights=weights,
        scale=100.0 / sum(weights),
        text=fuzzy.default_process(r.norm),
        focused=focused,
        kinds=frozenset(r.kinds),
        asking=r.asking,
        idioms=_idioms(r),
    )


def _idioms(r: "Reading") -> dict[str, frozenset[str]]:
    """Each word said in a topic's idiom, with the topics it said."""
    topics: dict[str, set[str]] = {}
    for w, x in r.idioms:
        topics.setdefault(w, set()).add(x)
    return {w: frozenset(xs) for w, xs in topics.items()}


BOUND_SLACK = 1.0 + 1e-9  # an upper bound is stretched by this before cards are left out on it


class Search:
    """One query's scratch, shared by the ranking passes of one search (the answers, the cards named
    as related, the suggestions): its plan, candidates, and each card's partial, fuzzy and fact
    scores, each computed once. Made per query, never cached or shared between threads."""

    __slots__ = (
        *("candidates", "fact_query", "facts", "fuzzy"),
        *("partials", "perfect", "plan", "score_partial"),
    )

    def __init__(self, ix: "Index", r: "Reading", t: Tuning = TUNING) -> None:
        self.plan = plan(ix, r, t)
        self.candidates: list[int] | None = None
        self.partials: dict[int, Row] = {}  # position -> its row
        self.score_partial = partial_scorer(self.plan, t)
        # position -> (best fuzzy score, or -1.0 when it was below the cutoff, cutoff asked)
        self.fuzzy: dict[int, tuple[float, float]] = {}
        self.facts: dict[int, tuple[tuple[float, int], ...]] = {}  # id(entry) -> its fact scores
        self.perfect: float | None = None  # a perfect fact's score for this query
        self.fact_query: FactQuery | None = None  # what facts are scored against, once made


def candidates(ix: "Index", r: "Reading", t: Tuning = TUNING) -> list[int]:
    """Cards sharing a concept or word with the query, the most promising first (capped).

    Keys are taken rarest first and their postings gathered until enough cards are in hand;
    commoner keys then only count in scoring. The work per query is bounded however large the deck.
    """
    postings, idf = ix.postings, ix.idf
    # Each key with its posting, looked up once, and sorted rarest first (of equal length, in the
    # order asked: the running count breaks ties, as a stable sort by length would).
    found: list[tuple[int, int, str, list[int]]] = []
    for prefix, asked in (("s:", r.subjects), ("t:", r.topics), ("w:", r.words)):
        for x in asked:
            key = prefix + x
            posting = postings.get(key)
            if posting is not None:
                found.append((len(posting), len(found), key, posting))
    found.sort()
    gather, boost = t.gather, t.subject_key_boost
    acc: dict[int, float] = {}
    get = acc.get
    for _, _, key, posting in found:  # introductory cards first in each posting
        if len(acc) >= gather:
            break  # enough cards from the rarer keys; scoring weighs the common ones
        weight = idf[key] * (boost if key[0] == "s" else 1.0)
        if len(posting) > gather:
            posting = posting[:gather]
        if not acc:  # the rarest key: every card once, in the posting's order (0.0 + weight is weight)
            acc = dict.fromkeys(posting, weight)
            get = acc.get
            continue
        for i in posting:
            acc[i] = get(i, 0.0) + weight
    if len(acc) <= t.candidates:
        return list(acc)
    # Stable, so equal weights keep the gathering order (what heapq.nlargest would give).
    return sorted(acc, key=acc.__getitem__, reverse=True)[: t.candidates]


# A card's row: bound (its score with a perfect fuzzy match), factor, base, subject, topic,
# coverage, main topic, position.
Row = tuple[float, float, float, float, float, float, float, int]


def partial_score(e: "Entry", p: Plan, t: Tuning = TUNING) -> tuple[float, float, float, float, float]:
    """A card's weighted score without its fuzzy part; its subject and topic credit; its coverage.

    Coverage is the share of the question, weighted by rarity, that the card speaks to (unknown
    words count fully against it; topics, being what is asked, count topic_emphasis times). A topic
    the card lists but is not about (no title, alias or fact lead says it) counts as a passing mention.
    """
    return partial_scorer(p, t)(e, -1)[2:7]


def partial_scorer(p: Plan, t: Tuning = TUNING) -> Callable[["Entry", int], Row]:
    """partial_score for one plan, as the card's Row (its factor: its prior, the plan's scale and its
    coverage; its bound): every weight is read once per query, not once per card."""
    w_subject, w_topic, w_words, w_fuzzy = p.weights
    subjects, subject_total = p.subjects, p.subject_total
    topics, topic_total, focused = p.topics, p.topic_total, p.focused
    words, word_total, kinds, asking, asked = p.words, p.word_total, p.kinds, p.asking, p.asked
    idioms = p.idioms
    own_subject, own_single = t.own_subject, t.own_subject_single
    wider_subject, sibling_subject = t.wider_subject, t.sibling_subject
    passing_topic, topic_emphasis = t.passing_topic, t.topic_emphasis
    hub_share, got_share = t.unfocused_hub_share, 1 - t.unfocused_hub_share
    weak_word, quote_word, kind_word = t.weak_word, t.quote_word, t.kind_word
    scale, coverage_share, uncovered = p.scale, t.coverage_share, 1.0 - t.coverage_share

    def score(e: "Entry", position: int) -> Row:
        total = subject = topic = main_topic = covered = got = 0.0
        if subjects:
            credit = 0.0
            own, wide, counts = e.subjects, e.wider, e.kind_counts
            for s, weight, kind, wider in subjects:
                if s in own:
                    credit += weight * (own_subject + own_single / counts.get(kind, 1))
                    covered += weight
                elif s in wide:
                    credit += weight * wider_subject
                    covered += weight
                elif not wider.isdisjoint(own):
                    credit += weight * sibling_subject
            subject = credit / subject_total
            total += w_subject * subject
        if topics:
            listed = main = 0.0
            main_topics, card_topics = e.main_topics, e.topics
            for x, weight in topics:
                if x in main_topics:
                    got += weight
                    main += weight
                    listed += weight
                elif x in card_topics:
                    got += weight * passing_topic
                    listed += weight
            covered += topic_emphasis * listed
            topic, main_topic = listed / topic_total, main / topic_total
            got /= topic_total
        if focused:
            total += w_topic * got * e.topic_focus
        else:
            total += w_topic * (hub_share * e.hub + got_share * got)
        if words:
            have = 0.0
            strong, weak, quoted = e.strong, e.weak, e.quoted
            gives_kind = not kinds.isdisjoint(e.fact_kinds)
            for x, weight in words:
                if x in strong:
                    have += weight
                    covered += weight
                elif x in weak:
                    have += weight * weak_word
                    covered += weight
                elif x in quoted:
                    have += weight * quote_word
                    covered += weight
                elif gives_kind and x in asking:  # "company" asked, "Organization: Clinigen" given
                    have += weight * kind_word
                    covered += weight * kind_word
                elif x in idioms and not idioms[x].isdisjoint(e.topics):
                    covered += weight  # "first" in "in the first place": the rationale the card gives
            total += w_words * have / word_total
        coverage = covered / asked
        # Of two close cards, the one that covers more of what was asked answers it.
        factor = e.prior * scale * (uncovered + coverage_share * coverage)
        return factor * (total + w_fuzzy), factor, total, subject, topic, coverage, main_topic, position

    return score


def rank(
    ix: "Index",
    r: "Reading",
    need: int,
    t: Tuning = TUNING,
    keep: Callable[[int], bool] | None = None,
    only: Iterable[int] | None = None,
    s: Search | None = None,
    at_least: float = -1.0,
) -> list[Hit]:
    """The best `need` cards (those `keep` accepts; among `only`, if given), exactly ranked; fuzzy
    similarity is computed only where it can matter. `s`, the query's Search, keeps what one pass
    computed for the next (it must have been made for the same reading and tuning). Cards that
    could not score `at_least` even with a perfect fuzzy match are left out (the caller drops them)."""
    if s is None:
        s = Search(ix, r, t)
    p = s.plan
    w_fuzzy = p.weights[3]
    if only is None:
        if s.candidates is None:
            s.candidates = candidates(ix, r, t)
        only = s.candidates
    partials, entries, score_partial = s.partials, ix.entries, s.score_partial
    rows = []
    for i in only:
        if keep is not None and not keep(i):  # (cheaper than remembering: few cards are asked twice)
            continue
        row = partials.get(i)
        if row is None:
            row = partials[i] = score_partial(entries[i], i)
        if row[0] * BOUND_SLACK < at_least:
            continue
        rows.append(row)
    rows.sort(key=itemgetter(0), reverse=True)  # stable: equal bounds keep their order
    hits: list[Hit] = []
    # Each hit's place in the order (best score first; of equal scores, the card id first in
    # alphabetical order), kept beside it: bisect compares these without calling a key function.
    order: list[tuple[float, str]] = []
    floor = -1.0
    fuzzy_scores, cards, new_tuple = s.fuzzy, ix.cards, tuple.__new__
    extract_one, token_ratio = fuzzy.scorers()  # rapidfuzz's, or their pure-Python twins
    for bound, factor, base, subject, topic, coverage, main, i in rows:
        if bound < floor:
            break  # even a perfect fuzzy match could not lift this card into the list
        # The fuzzy score this card needs to enter the list lets rapidfuzz stop early.
        cutoff = max(0.0, (floor / factor - base) / w_fuzzy * 100.0) if floor > 0 else 0.0
        known = fuzzy_scores.get(i)
        if known is not None and (known[0] >= 0.0 or cutoff >= known[1]):
            similarity = known[0] if known[0] >= cutoff else None  # what extractOne would say now
        else:
            # Card texts were put through default_process when indexed, the query in plan().
            found = extract_one(
                p.text, entries[i].texts, scorer=token_ratio, processor=None, score_cutoff=cutoff
            )
            similarity = None if found is None else found[1]
            fuzzy_scores[i] = (-1.0 if similarity is None else similarity, cutoff)
        if similarity is None:
            continue
        score = factor * (base + w_fuzzy * similarity / 100.0)
        card = cards[i]
        key = (-score, card.id)
        n = bisect_right(order, key)  # after equal keys, as insort would place it
        order.insert(n, key)
        # Hit(card, score, subject, topic, coverage, position, main_topic)
        hits.insert(n, new_tuple(Hit, (card, score, subject, topic, coverage, i, main)))
        if len(hits) >= need:
            del hits[need:], order[need:]
            floor = hits[-1].score
    return hits


def answering_facts(
    ix: "Index", e: "Entry", r: "Reading", t: Tuning = TUNING, s: Search | None = None
) -> tuple[int, ...]:
    """Indices of the card's facts that answer the question, best first.

    A fact scores for the question's words in its text and quotes (rarer words more, words of its
    lead more), for speaking of the topic asked, and above all for being of the fact kind asked.
    """
    scores = fact_scores(ix, e, r, t, s)
    if not scores:
        return ()
    if REFERENCE_KIND not in r.kinds:  # a reference to the paper ranks below what the paper found
        scores = [(x * t.reference_share if REFERENCE_KIND in e.facts[n].kinds else x, n) for x, n in scores]
    scores.sort(key=lambda x: (-x[0], x[1]))
    best = scores[0][0]
    return tuple(n for x, n in scores[: t.max_answering] if x >= t.answering_share * best)


def fact_strength(
    ix: "Index", e: "Entry", r: "Reading", t: Tuning = TUNING, s: Search | None = None
) -> float:
    """How well the card's best fact answers the question, as a share of a perfect fact's score."""
    scores = fact_scores(ix, e, r, t, s)
    if not scores:
        return 0.0
    return max(x for x, _ in scores) / (_perfect(ix, r, t, s) or 1.0)


def _word_weight(ix: "Index", r: "Reading", t: Tuning, w: str) -> float:
    """A question word's weight in a fact: its rarity; more for the word a which/what asks for."""
    weight = ix.idf.get(f"w:{w}", 0.0)
    if w != r.focus:
        return weight
    if w not in r.asking:  # (a word asking a kind, "dose", is weighed by the kind's own credit)
        weight = max(weight, t.focus_floor * ix.max_idf)
    return weight * t.fact_focus


def _perfect(ix: "Index", r: "Reading", t: Tuning, s: Search | None) -> float:
    """A perfect fact's score for this query: each word once, in its lead; every topic; every kind."""
    perfect = s.perfect if s is not None else None
    if perfect is None:
        words = sum(_word_weight(ix, r, t, w) for w in dict.fromkeys(r.words))
        topics = sum(1 for x in r.topics if ix.topic_weight.get(x, 1.0) > 0)
        perfect = t.fact_lead * words + ix.max_idf * (t.fact_topic * topics + t.fact_kind * len(set(r.kinds)))
        if s is not None:
            s.perfect = perfect
    return perfect


def fact_strength_bound(ix: "Index", r: "Reading", t: Tuning = TUNING, s: Search | None = None) -> float:
    """No card's fact_strength for this query is above this: a fact with every word asked (repeats
    included) in its lead, every topic and every kind asked, summed in fact_scores' order."""
    score = 0.0
    for w in r.words:
        score += t.fact_lead * _word_weight(ix, r, t, w)
    score += t.fact_topic * ix.max_idf * sum(1 for x in r.topics if ix.topic_weight.get(x, 1.0) > 0)
    score += t.fact_kind * ix.max_idf * len(set(r.kinds))
    return score / (_perfect(ix, r, t, s) or 1.0) * BOUND_SLACK


FactQuery = tuple[tuple[tuple[str, str, float, float], ...], tuple[str, ...], frozenset[str]]


def _fact_query(ix: "Index", r: "Reading", t: Tuning) -> FactQuery:
    """What facts are scored against: each word asked (as often as asked) with its padded form and
    its weights in a lead and elsewhere; the topics that weigh; the kinds asked."""
    topic_weight = ix.topic_weight
    words = []
    for w in r.words:  # each time it is asked, as before
        weight = _word_weight(ix, r, t, w)
        words.append((w, f" {w} ", t.fact_lead * weight, weight))
    topics = tuple(x for x in r.topics if topic_weight.get(x, 1.0) > 0)
    return tuple(words), topics, frozenset(r.kinds)


def fact_scores(
    ix: "Index", e: "Entry", r: "Reading", t: Tuning = TUNING, s: Search | None = None
) -> list[tuple[float, int]]:
    """The score and index of each of the card's facts that speaks to the question (a new list)."""
    if s is not None:
        known = s.facts.get(id(e))  # entries live as long as the index: their ids are stable
        if known is not None:
            return list(known)
    asked = s.fact_query if s is not None else None
    if asked is None:
        asked = _fact_query(ix, r, t)
        if s is not None:
            s.fact_query = asked
    words, topics, asked_kinds = asked
    per_topic = t.fact_topic * ix.max_idf
    per_kind = t.fact_kind * ix.max_idf
    scores: list[tuple[float, int]] = []
    for n, f in enumerate(e.facts):
        if asked_kinds:
            kinds = [k for k in f.kinds if k in asked_kinds]
            if not kinds:
                continue  # a question asking for a dose is not answered by a fact that gives none
        else:
            kinds = []
        score = 0.0
        lead, text = f.lead, f.words
        for w, spaced, in_lead, weight in words:
            if w in lead:
                score += in_lead
            elif spaced in text:
                score += weight
        if topics:
            mentions = f.mentions
            score += per_topic * sum(1 for x in topics if x in mentions)
        if kinds:
            score += per_kind * len(kinds)
        if score > 0:
            scores.append((score, n))
    if s is not None:
        s.facts[id(e)] = tuple(scores)
    return scores
