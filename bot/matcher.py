"""Turn what a person types into the right cards, or an honest abstention.

A query is read into concepts (subjects and topics from the vocabulary, NCT numbers, study names;
typos tolerated) and content words. An inverted index picks candidate cards; each candidate is
scored on the subjects and topics it shares with the query, the words it shares (weighted by
rarity), and rapidfuzz similarity to its title and aliases. The matcher answers only when the best
card covers what was asked: the subject, the topic and the rest of the words.
"""

from __future__ import annotations

import heapq
import math
import re
import sys
from collections.abc import Iterable
from typing import NamedTuple

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA

from bot.cards.model import Card, Deck
from bot.text import normalize

NCT_TOKEN = re.compile(r"^nct\d{8}$")
MAX_PHRASE = 6  # longest vocabulary phrase, in tokens, that the reader tries
MAX_TOKENS = 60  # tokens of a query that are read; the rest cannot change the answer
MAX_CHARS = 500  # characters of a query that are read (bounds the work on pasted walls of text)
CANDIDATES = 24  # cards scored in full after the index has ranked them
GATHER = 800  # cards gathered from postings before commoner keys only count in scoring

# Weights of the score's parts (renormalised over the parts a query has); tuning, not content.
W_SUBJECT, W_TOPIC, W_WORDS, W_FUZZY = 0.38, 0.27, 0.20, 0.15
KIND_PRIOR = {"overview": 1.0, "topic": 1.0, "drug": 1.0, "trial": 0.98, "publication": 0.95}
STRONG_TOPIC = 0.5  # topics weighing less ("overview", "trials") only colour a question
KIND_TOPICS = {"trial": ("trials",), "publication": ("trials",)}  # cards about a study
ANSWER_THRESHOLD = 50.0
MIN_COVERAGE = 0.5  # share of a question (weighted by rarity) the best card must cover
MIN_COVERAGE_UNKNOWN = 0.6  # the same when some words are unknown to every card
MIN_COVERAGE_OFF_TOPIC = 0.75  # the same when the card has none of the topics asked
COVERAGE_SHARE = 0.3  # how much a card's coverage of the question weighs in its final score
TOPIC_EMPHASIS = 1.5  # in coverage, what is asked about (a topic) counts more than a word


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "es", "ed", "ly", "s")


def stem(word: str) -> str:
    """A light suffix fold, applied alike to cards and queries ("replacement" ~ "replace")."""
    if len(word) <= 4 or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


class Hit(NamedTuple):
    """A scored card."""

    card: Card
    score: float
    subject: float = 0.0
    topic: float = 0.0
    coverage: float = 0.0  # share of the question the card speaks to
    position: int = -1  # where the card is in the matcher's deck


class Result(NamedTuple):
    """What the matcher found for one query."""

    query: str
    answered: bool
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]
    reason: str = ""


class Reading(NamedTuple):
    """A query as the matcher reads it."""

    norm: str
    subjects: list[str]
    topics: list[str]
    words: list[str]  # known content words (stemmed)
    unknown: list[str]  # content words no card or term knows


class _Plan(NamedTuple):
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


class _Entry(NamedTuple):
    """What the matcher keeps of one card."""

    subjects: frozenset[str]
    wider: frozenset[str]  # subjects the card's subjects are kinds of
    kind_counts: dict[str, int]  # how many subjects of each kind (drug, disease, study...) it has
    hub: float  # how much the card introduces its subject: overview 1, main card 0.8, detail 0.6
    topic_focus: float  # 1 for a card on one topic, less for a card that lists many
    topics: frozenset[str]
    strong: frozenset[str]  # words of title, aliases, keywords
    weak: frozenset[str]  # words of summary and facts
    texts: tuple[str, ...]  # normalised title and aliases, for fuzzy similarity
    prior: float


class Matcher:
    """Scores cards against queries; build once per deck, then call search()."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.cards = list(deck.cards)
        self.stopwords = frozenset(normalize(w) for w in deck.stopwords)
        self.broader: dict[str, tuple[str, ...]] = {t.id: t.broader for t in deck.terms.values()}
        self.topic_ids = frozenset(t.id for t in deck.terms.values() if t.is_topic)
        self.foreign_suffixes = tuple(deck.foreign_suffixes)
        self.kinds = {t.id: t.kind for t in deck.terms.values()}
        self.topic_weight = {t.id: t.weight for t in deck.terms.values() if t.is_topic}

        # Vocabulary phrases, as token tuples, to concept ids.
        self.phrases: dict[tuple[str, ...], str] = {}
        for term in deck.terms.values():
            for p in (term.id, *term.terms):
                toks = tuple(normalize(p).split())
                if toks:
                    self.phrases.setdefault(toks, term.id)
        for card in self.cards:
            for s in card.subjects:
                if s.startswith("NCT"):
                    self.phrases.setdefault((s.lower(),), s)
        # The same phrases by their stemmed words: "randomisation" finds "randomised".
        self.stem_phrases: dict[tuple[str, ...], str] = {}
        for toks, concept in self.phrases.items():
            self.stem_phrases.setdefault(tuple(stem(t) for t in toks), concept)
        # Names the vocabulary gives numbers to ("il" of il2, "nct", "interleukin", "cd"): typed
        # with a space ("IL 2", "nct 04077684", "interleukin 6") they are still one name.
        self.numbered_names = frozenset(
            name
            for toks in self.phrases
            for t in toks
            if (m := _NAME_NUMBER.match(t)) and len(name := m.group(1)) > 1 and name not in self.stopwords
        )
        # Fuzzy candidates: phrases of at least five letters, grouped by token count.
        self.fuzzy_phrases: dict[int, list[str]] = {}
        for toks in self.phrases:
            if len(" ".join(toks)) >= 5:
                self.fuzzy_phrases.setdefault(len(toks), []).append(" ".join(toks))

        self.entries: list[_Entry] = []
        self.postings: dict[str, list[int]] = {}
        self.exact: dict[str, int] = {}
        for i, card in enumerate(self.cards):
            entry = self._entry(card)
            self.entries.append(entry)
            keys = {f"s:{s}" for s in entry.subjects | entry.wider} | {f"t:{t}" for t in entry.topics}
            keys |= {f"w:{w}" for w in entry.strong | entry.weak}
            for k in keys:
                self.postings.setdefault(k, []).append(i)
        for i, card in enumerate(self.cards):
            for text in (card.id, card.title):
                self.exact.setdefault(" ".join(self._join_numbered(normalize(text).split())), i)
        for posting in self.postings.values():
            posting.sort(key=lambda i: -self.entries[i].hub)  # stable: ties keep deck order
        n = max(len(self.cards), 1)
        self.idf = {k: math.log(1 + n / len(v)) for k, v in self.postings.items()}
        self.max_idf = math.log(1 + n)
        self.vocab_words = sorted({k[2:] for k in self.postings if k.startswith("w:")})
        self.word_set = frozenset(self.vocab_words)
        # Typo candidates by first letter and length: a word is compared only with its near kin.
        self.word_buckets: dict[tuple[str, int], list[str]] = {}
        for word in self.vocab_words:
            self.word_buckets.setdefault((word[0], len(word)), []).append(word)

    # -- reading a query -------------------------------------------------------------------

    def _entry(self, card: Card) -> _Entry:
        wider = {b for s in card.subjects for b in self.broader.get(s, ())} - set(card.subjects)
        kind_counts: dict[str, int] = {}
        for s in card.subjects:
            kind = self.kinds.get(s, "study")
            kind_counts[kind] = kind_counts.get(kind, 0) + 1
        strong = (card.title, *card.aliases, *card.keywords, *card.subjects)
        weak = (card.summary, *(f.text for f in card.facts))
        return _Entry(
            subjects=frozenset(card.subjects),
            wider=frozenset(wider),
            kind_counts=kind_counts,
            hub=1.0 if "overview" in card.topics else 0.8 if card.kind != "topic" else 0.6,
            topic_focus=0.6 + 0.4 / math.sqrt(max(len(card.topics) + len(KIND_TOPICS.get(card.kind, ())), 1)),
            topics=frozenset((*card.topics, *KIND_TOPICS.get(card.kind, ()))),
            strong=frozenset(w for text in strong for w in self._content_words(text)),
            weak=frozenset(w for text in weak for w in self._content_words(text)),
            texts=tuple(utils.default_process(normalize(t)) for t in (card.title, *card.aliases)),
            prior=KIND_PRIOR.get(card.kind, 0.95),
        )

    def _content_words(self, text: str) -> Iterable[str]:
        # Interned: the same word in many cards is one object, once in the pickled cache.
        return (
            sys.intern(stem(w)) for w in normalize(text).split() if w not in self.stopwords and len(w) > 1
        )

    def read(self, query: str) -> Reading:
        """Split a query into concepts, known words and unknown words."""
        toks = self._join_numbered(normalize(query[:MAX_CHARS]).split()[:MAX_TOKENS])
        reading = Reading(" ".join(toks), [], [], [], [])
        stems = [stem(t) for t in toks]
        leftovers: list[list[str]] = [[]]
        i = 0
        while i < len(toks):
            for n in range(min(MAX_PHRASE, len(toks) - i), 0, -1):
                concept = self.phrases.get(tuple(toks[i : i + n])) or self.stem_phrases.get(
                    tuple(stems[i : i + n])
                )
                if concept:
                    self._add_concept(reading, concept)
                    # The words still tell cards apart ("exclusion" vs "inclusion" criteria).
                    reading.words.extend(
                        w for w in stems[i : i + n] if w in self.word_set and w not in self.stopwords
                    )
                    leftovers.append([])
                    i += n
                    break
            else:
                leftovers[-1].append(toks[i])
                i += 1
        for run in leftovers:
            self._read_run(reading, run)
        return reading

    def _join_numbered(self, toks: list[str]) -> list[str]:
        out: list[str] = []
        for t in toks:
            if t.isdigit() and out and out[-1] in self.numbered_names:
                out[-1] += t
            else:
                out.append(t)
        return out

    def _add_concept(self, reading: Reading, concept: str) -> None:
        target = reading.topics if concept in self.topic_ids else reading.subjects
        if concept not in target:
            target.append(concept)

    def _read_run(self, reading: Reading, run: list[str]) -> None:
        """Read words no exact phrase took: typo'd phrases, known words, unknown words."""
        i = 0
        while i < len(run):
            for n in (3, 2, 1):
                if i + n > len(run):
                    continue
                gram = run[i : i + n]
                if n == 1 and (gram[0] in self.stopwords or stem(gram[0]) in self.word_set):
                    continue
                concept = self._fuzzy_phrase(gram)
                if concept:
                    self._add_concept(reading, concept)
                    i += n
                    break
            else:
                self._read_word(reading, run[i])
                i += 1

    def _fuzzy_phrase(self, gram: list[str]) -> str | None:
        text = " ".join(gram)
        if len(text) < 5 or NCT_TOKEN.match(text):
            return None
        choices = self.fuzzy_phrases.get(len(gram))
        if not choices:
            return None
        found = process.extractOne(
            text, choices, scorer=OSA.distance, processor=None, score_cutoff=_typos_allowed(text)
        )
        if found is None or _digits(found[0]) != _digits(text):
            return None
        return self.phrases[tuple(found[0].split())]

    def _read_word(self, reading: Reading, word: str) -> None:
        if word in self.stopwords or len(word) < 2:
            return
        w = stem(word)
        if w in self.word_set:
            reading.words.append(w)
            return
        if len(w) >= 5 and not any(ch.isdigit() for ch in w):
            typos = _typos_allowed(w)
            kin = [
                x
                for n in range(len(w) - typos, len(w) + typos + 1)
                for x in self.word_buckets.get((w[0], n), ())
            ]
            found = process.extractOne(w, kin, scorer=OSA.distance, processor=None, score_cutoff=typos)
            if found is not None:
                reading.words.append(found[0])
                return
        reading.unknown.append(word)

    # -- scoring ---------------------------------------------------------------------------

    def _candidates(self, r: Reading) -> list[int]:
        """Cards sharing a concept or word with the query, the most promising first (capped).

        Keys are taken rarest first and their postings gathered until enough cards are in hand;
        commoner keys then only count in scoring. The work per query is bounded however large the
        deck.
        """
        keys = [("s", s) for s in r.subjects] + [("t", t) for t in r.topics] + [("w", w) for w in r.words]
        keys = sorted(
            (k for k in keys if f"{k[0]}:{k[1]}" in self.postings),
            key=lambda k: len(self.postings[f"{k[0]}:{k[1]}"]),
        )
        acc: dict[int, float] = {}
        get = acc.get
        for kind, value in keys:
            if len(acc) >= GATHER:
                break  # enough cards from the rarer keys; scoring weighs the common ones
            key = f"{kind}:{value}"
            weight = self.idf[key] * (2.0 if kind == "s" else 1.0)
            for i in self.postings[key][:GATHER]:  # postings list introductory cards first
                acc[i] = get(i, 0.0) + weight
        if len(acc) <= CANDIDATES:
            return list(acc)
        return heapq.nlargest(CANDIDATES, acc, key=acc.__getitem__)

    def _plan(self, r: Reading) -> _Plan:
        """What every candidate is scored against: the query's parts with their weights."""
        subjects = tuple(
            (
                s,
                self.idf.get(f"s:{s}", self.max_idf),  # "lupus" says more than "IL-2"
                self.kinds.get(s, "study"),
                frozenset(self.broader.get(s, ())),
            )
            for s in r.subjects
        )
        topics = tuple(
            (t, self.idf.get(f"t:{t}", self.max_idf) * self.topic_weight.get(t, 1.0))
            for t in r.topics
            if self.topic_weight.get(t, 1.0) > 0
        )
        focused = any(self.topic_weight.get(t, 1.0) >= STRONG_TOPIC for t in r.topics)
        words = tuple((w, self.idf.get(f"w:{w}", 0.0)) for w in r.words)
        weights = (
            W_SUBJECT if subjects else 0.0,
            W_TOPIC if focused else W_TOPIC / 2,
            W_WORDS if words else 0.0,
            W_FUZZY,
        )
        subject_total = sum(x[1] for x in subjects)
        topic_total = sum(x[1] for x in topics)
        word_total = sum(x[1] for x in words)
        asked = subject_total + TOPIC_EMPHASIS * topic_total + word_total + self.max_idf * len(r.unknown)
        return _Plan(
            subjects=subjects,
            subject_total=subject_total or 1.0,
            topics=topics,
            topic_total=topic_total or 1.0,
            words=words,
            word_total=word_total or 1.0,
            asked=asked or 1.0,
            weights=weights,
            scale=100.0 / sum(weights),
            text=utils.default_process(r.norm),
            focused=focused,
        )

    def _partial(self, e: _Entry, p: _Plan) -> tuple[float, float, float, float]:
        """A card's weighted score without its fuzzy part; its subject and topic credit; its coverage.

        Coverage is the share of the question, weighted by rarity, that the card speaks to (unknown
        words count fully against it; topics, being what is asked, count TOPIC_EMPHASIS times).
        """
        w_subject, w_topic, w_words, _ = p.weights
        total = subject = topic = covered = 0.0
        if p.subjects:
            credit = 0.0
            for s, weight, kind, wider in p.subjects:
                if s in e.subjects:
                    # A card about one drug answers "aldesleukin" better than one about three.
                    credit += weight * (0.85 + 0.15 / e.kind_counts.get(kind, 1))
                    covered += weight
                elif s in e.wider:
                    credit += weight * 0.75  # a low-dose IL-2 card partly answers a question on IL-2
                    covered += weight
                elif not wider.isdisjoint(e.subjects):
                    credit += weight * 0.5
            subject = credit / p.subject_total
            total += w_subject * subject
        if p.topics:
            got = sum(weight for t, weight in p.topics if t in e.topics)
            covered += TOPIC_EMPHASIS * got
            topic = got / p.topic_total
        if p.focused:
            # A card about few things answers a topic better than one that lists many.
            total += w_topic * topic * e.topic_focus
        else:
            # No particular topic ("lupus", "what is IL-7?"): the card that introduces it answers best.
            total += w_topic * (0.7 * e.hub + 0.3 * topic)
        if p.words:
            got = 0.0
            for x, weight in p.words:
                if x in e.strong:
                    got += weight
                    covered += weight
                elif x in e.weak:
                    got += weight * 0.6
                    covered += weight
            total += w_words * got / p.word_total
        return total, subject, topic, covered / p.asked

    def _ranked(self, r: Reading, need: int) -> list[Hit]:
        """The best `need` cards, exactly ranked; fuzzy similarity is computed only where it can matter."""
        p = self._plan(r)
        w_fuzzy, scale = p.weights[3], p.scale
        rows = []
        for i in self._candidates(r):
            e = self.entries[i]
            base, subject, topic, coverage = self._partial(e, p)
            # Of two close cards, the one that covers more of what was asked answers it.
            factor = e.prior * scale * (1.0 - COVERAGE_SHARE + COVERAGE_SHARE * coverage)
            rows.append((factor * (base + w_fuzzy), factor, base, subject, topic, coverage, i))
        rows.sort(key=lambda row: -row[0])
        hits: list[Hit] = []
        floor = -1.0
        for bound, factor, base, subject, topic, coverage, i in rows:
            if bound < floor:
                break  # even a perfect fuzzy match could not lift this card into the list
            # The fuzzy score this card needs to enter the list lets rapidfuzz stop early.
            cutoff = max(0.0, (floor / factor - base) / w_fuzzy * 100.0) if floor > 0 else 0.0
            # Card texts were put through utils.default_process when indexed, the query in _plan.
            found = process.extractOne(
                p.text, self.entries[i].texts, scorer=fuzz.token_ratio, processor=None, score_cutoff=cutoff
            )
            if found is None:
                continue
            score = factor * (base + w_fuzzy * found[1] / 100.0)
            hits.append(Hit(self.cards[i], score, subject, topic, coverage, i))
            if len(hits) >= need:
                hits.sort(key=lambda h: (-h.score, h.card.id))
                del hits[need:]
                floor = hits[-1].score
        hits.sort(key=lambda h: (-h.score, h.card.id))
        return hits

    def search(self, query: str, *, limit: int = 3) -> Result:
        """The best cards for a query, best first, or an abstention with suggestions."""
        r = self.read(query)
        need = limit + 2  # the answers, and two more to suggest
        exact = self.exact.get(r.norm)
        if exact is not None:
            hit = Hit(self.cards[exact], 100.0, 1.0, 1.0, 1.0, exact)
            others = [h for h in self._ranked(r, need) if h.position != exact]
            return Result(
                query, True, (hit, *others[: limit - 1]), self._titles(others[limit - 1 : limit + 2])
            )
        ranked = self._ranked(r, need)
        # A card on another drug, study or disease never answers.
        hits = [h for h in ranked if self._names_all(r, h)]
        reason = self._abstain_reason(r, hits) if hits else "no card is about that drug, study or disease"
        if reason:
            return Result(query, False, (), self._titles(ranked[:3]) or self.deck.examples[:4], reason)
        best = hits[0].score
        close = [h for h in hits[limit:] if h.score >= best - 25]
        return Result(query, True, tuple(hits[:limit]), self._titles(close[:3]))

    def _abstain_reason(self, r: Reading, hits: list[Hit]) -> str:
        if not hits:
            return "no card shares a word with the question"
        best = hits[0]
        if r.subjects and best.subject == 0.0:
            return "no card is about that subject"
        foreign = [w for w in r.unknown if w.endswith(self.foreign_suffixes)]
        if foreign and not any(self.kinds.get(s) == "drug" for s in r.subjects):
            return f"not a drug the cards cover: {', '.join(foreign[:3])}"
        names = [w for w in r.unknown if (m := _NAME_NUMBER.match(w)) and m.group(1) in self.numbered_names]
        if names:
            return f"not a name the cards know: {', '.join(names[:3])}"  # IL-21, NCT05555555
        if r.unknown and not r.subjects:
            return f"unknown words: {', '.join(r.unknown[:5])}"
        coverage = best.coverage
        if (
            any(self.topic_weight.get(t, 1.0) >= STRONG_TOPIC for t in r.topics)
            and best.topic == 0.0
            and coverage < MIN_COVERAGE_OFF_TOPIC
            and not self._names_study(r, best)
        ):
            return "no card on that subject covers that topic"
        if coverage < (MIN_COVERAGE_UNKNOWN if r.unknown else MIN_COVERAGE):
            return "the best card does not cover enough of the question"
        if best.score < ANSWER_THRESHOLD:
            return "no card matches closely enough"
        return ""

    def _names_all(self, r: Reading, hit: Hit) -> bool:
        """Whether the card is about what the question names: one of its drugs, one of its studies,
        and one of its diseases unless the card names no disease at all.

        A kind counts for its kind ("low-dose IL-2" for "IL-2", "melanoma" for "cancer") and the
        other way round; "dose of IL-2 in HIV" is never answered by an IL-7 card.
        """
        e = self.entries[hit.position]

        def about(s: str) -> bool:
            return s in e.subjects or s in e.wider or not e.subjects.isdisjoint(self.broader.get(s, ()))

        for kind in ("drug", "study", "disease"):
            named = [s for s in r.subjects if self.kinds.get(s, "study") == kind]
            if not named or (kind == "disease" and not e.kind_counts.get("disease")):
                continue
            if not any(about(s) for s in named):
                return False
        return True

    def _names_study(self, r: Reading, hit: Hit) -> bool:
        """Whether the question names a study that is this card's own (it answers what is known)."""
        e = self.entries[hit.position]
        return any(self.kinds.get(s, "study") == "study" and s in e.subjects for s in r.subjects)

    def _titles(self, hits: Iterable[Hit]) -> tuple[str, ...]:
        return tuple(h.card.title for h in hits)


_NAME_NUMBER = re.compile(r"^([a-z]+)(\d+)$")


def _typos_allowed(text: str) -> int:
    """Edits (with transpositions) tolerated in a word or phrase of this length."""
    return 1 if len(text) < 10 else 2


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
