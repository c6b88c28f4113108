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
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

from bot.cards.model import Card, Deck
from bot.text import normalize

NCT_TOKEN = re.compile(r"^nct\d{8}$")
MAX_PHRASE = 6  # longest vocabulary phrase, in tokens, that the reader tries
MAX_TOKENS = 60  # tokens of a query that are read; the rest cannot change the answer
CANDIDATES = 60  # cards scored in full after the index has ranked them
COMMON_POSTINGS = 3000  # postings longer than this only filter candidates found through rarer keys

# Weights of the score's parts (renormalised over the parts a query has); tuning, not content.
W_SUBJECT, W_TOPIC, W_WORDS, W_FUZZY = 0.38, 0.27, 0.20, 0.15
KIND_PRIOR = {"overview": 1.0, "topic": 1.0, "drug": 1.0, "trial": 0.98, "publication": 0.95}
WEAK_TOPICS = frozenset({"overview"})
KIND_TOPICS = {"trial": ("trials",)}  # a trial card is always about trials
ANSWER_THRESHOLD = 50.0


def stem(word: str) -> str:
    """A light plural fold, applied alike to cards and queries ("trials" -> "trial")."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored card."""

    card: Card
    score: float
    subject: float = 0.0
    topic: float = 0.0


@dataclass(frozen=True, slots=True)
class Result:
    """What the matcher found for one query."""

    query: str
    answered: bool
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]
    reason: str = ""


@dataclass(slots=True)
class Reading:
    """A query as the matcher reads it."""

    norm: str
    subjects: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # known content words (stemmed)
    unknown: list[str] = field(default_factory=list)  # content words no card or term knows


@dataclass(slots=True)
class _Entry:
    """What the matcher keeps of one card."""

    subjects: frozenset[str]
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
            keys = {f"s:{s}" for s in entry.subjects} | {f"t:{t}" for t in entry.topics}
            keys |= {f"w:{w}" for w in entry.strong | entry.weak}
            for k in keys:
                self.postings.setdefault(k, []).append(i)
            self.exact.setdefault(normalize(card.id), i)
            self.exact.setdefault(normalize(card.title), i)
        n = max(len(self.cards), 1)
        self.idf = {k: math.log(1 + n / len(v)) for k, v in self.postings.items()}
        self.max_idf = math.log(1 + n)
        self.vocab_words = sorted({k[2:] for k in self.postings if k.startswith("w:")})

    # -- reading a query -------------------------------------------------------------------

    def _entry(self, card: Card) -> _Entry:
        subjects = set(card.subjects)
        for s in card.subjects:
            subjects.update(self.broader.get(s, ()))
        strong_text = " ".join((card.title, *card.aliases, *card.keywords, *card.subjects))
        weak_text = " ".join((card.summary, *(f.text for f in card.facts)))
        return _Entry(
            subjects=frozenset(subjects),
            topics=frozenset((*card.topics, *KIND_TOPICS.get(card.kind, ()))),
            strong=frozenset(self._content_words(strong_text)),
            weak=frozenset(self._content_words(weak_text)),
            texts=tuple(normalize(t) for t in (card.title, *card.aliases)),
            prior=KIND_PRIOR.get(card.kind, 0.95),
        )

    def _content_words(self, text: str) -> Iterable[str]:
        return (stem(w) for w in normalize(text).split() if w not in self.stopwords and len(w) > 1)

    def read(self, query: str) -> Reading:
        """Split a query into concepts, known words and unknown words."""
        toks = normalize(query).split()[:MAX_TOKENS]
        reading = Reading(norm=" ".join(toks))
        leftovers: list[list[str]] = [[]]
        i = 0
        while i < len(toks):
            for n in range(min(MAX_PHRASE, len(toks) - i), 0, -1):
                concept = self.phrases.get(tuple(toks[i : i + n]))
                if concept:
                    self._add_concept(reading, concept)
                    leftovers.append([])
                    i += n
                    break
            else:
                leftovers[-1].append(toks[i])
                i += 1
        for run in leftovers:
            self._read_run(reading, run)
        return reading

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
                if n == 1 and (gram[0] in self.stopwords or stem(gram[0]) in self._word_set):
                    continue
                concept = self._fuzzy_phrase(gram)
                if concept:
                    self._add_concept(reading, concept)
                    i += n
                    break
            else:
                self._read_word(reading, run[i])
                i += 1

    @property
    def _word_set(self) -> frozenset[str]:
        ws = getattr(self, "_ws", None)
        if ws is None:
            ws = frozenset(self.vocab_words)
            self._ws = ws
        return ws

    def _fuzzy_phrase(self, gram: list[str]) -> str | None:
        text = " ".join(gram)
        if len(text) < 5 or NCT_TOKEN.match(text):
            return None
        choices = self.fuzzy_phrases.get(len(gram))
        if not choices:
            return None
        cutoff = 88 if len(text) < 8 else 85
        found = process.extractOne(text, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
        if found is None or _digits(found[0]) != _digits(text):
            return None
        return self.phrases[tuple(found[0].split())]

    def _read_word(self, reading: Reading, word: str) -> None:
        if word in self.stopwords or len(word) < 2:
            return
        w = stem(word)
        if w in self._word_set:
            reading.words.append(w)
            return
        if len(w) >= 5 and not any(ch.isdigit() for ch in w):
            found = process.extractOne(
                w, self.vocab_words, scorer=fuzz.ratio, processor=None, score_cutoff=86
            )
            if found is not None:
                reading.words.append(found[0])
                return
        reading.unknown.append(word)

    # -- scoring ---------------------------------------------------------------------------

    def _candidates(self, r: Reading) -> list[int]:
        keys = [f"s:{s}" for s in r.subjects] + [f"t:{t}" for t in r.topics] + [f"w:{w}" for w in r.words]
        keys = sorted((k for k in keys if k in self.postings), key=lambda k: len(self.postings[k]))
        acc: dict[int, float] = {}
        for k in keys:
            weight = self.idf[k] * (2.0 if k.startswith("s:") else 1.0)
            posting = self.postings[k]
            if len(posting) > COMMON_POSTINGS and acc:
                members = set(posting)
                for i in acc:
                    if i in members:
                        acc[i] += weight
                continue
            for i in posting[: COMMON_POSTINGS * 4]:
                acc[i] = acc.get(i, 0.0) + weight
        return heapq.nlargest(CANDIDATES, acc, key=acc.__getitem__)

    def _score(self, i: int, r: Reading) -> Hit:
        e = self.entries[i]
        parts: list[tuple[float, float]] = []
        subject = 0.0
        if r.subjects:
            credit = 0.0
            for s in r.subjects:
                if s in e.subjects:
                    credit += 1.0
                elif any(b in e.subjects for b in self.broader.get(s, ())):
                    credit += 0.5
            subject = credit / len(r.subjects)
            parts.append((W_SUBJECT, subject))
        topic = 0.0
        asked = [t for t in r.topics if t not in WEAK_TOPICS] or r.topics
        if asked:
            topic = sum(1.0 for t in asked if t in e.topics) / len(asked)
            # A card that is about few things answers a topic better than one that lists many.
            focus = 1.0 / math.sqrt(max(len(e.topics), 1))
            parts.append((W_TOPIC, topic * (0.8 + 0.2 * focus)))
        if r.words:
            total = sum(self.idf.get(f"w:{w}", self.max_idf) for w in r.words)
            got = sum(
                self.idf.get(f"w:{w}", 0.0) * (1.0 if w in e.strong else 0.6)
                for w in r.words
                if w in e.strong or w in e.weak
            )
            parts.append((W_WORDS, got / total if total else 0.0))
        fuzzy = max(
            (fuzz.token_set_ratio(r.norm, t, processor=utils.default_process) for t in e.texts),
            default=0.0,
        )
        parts.append((W_FUZZY, fuzzy / 100.0))
        total_w = sum(w for w, _ in parts)
        score = 100.0 * e.prior * sum(w * v for w, v in parts) / total_w
        return Hit(self.cards[i], score, subject, topic)

    def search(self, query: str, *, limit: int = 3) -> Result:
        """The best cards for a query, best first, or an abstention with suggestions."""
        r = self.read(query)
        exact = self.exact.get(r.norm)
        if exact is not None:
            hit = Hit(self.cards[exact], 100.0, 1.0, 1.0)
            others = [h for h in self._ranked(r) if h.card.id != hit.card.id]
            return Result(query, True, (hit, *others[: limit - 1]), self._titles(others[:3]))
        hits = self._ranked(r)
        reason = self._abstain_reason(r, hits)
        if reason:
            return Result(query, False, (), self._titles(hits[:3]) or self.deck.examples[:4], reason)
        best = hits[0].score
        close = [h for h in hits[1:] if h.score >= best - 25]
        return Result(query, True, tuple(hits[:limit]), self._titles(close[limit - 1 : limit + 2] or close[:3]))

    def _ranked(self, r: Reading) -> list[Hit]:
        hits = [self._score(i, r) for i in self._candidates(r)]
        hits.sort(key=lambda h: (-h.score, h.card.id))
        return hits

    def _abstain_reason(self, r: Reading, hits: list[Hit]) -> str:
        if not hits:
            return "no card shares a word with the question"
        best = hits[0]
        if r.subjects and best.subject == 0.0:
            return "no card is about that subject"
        strong_topics = [t for t in r.topics if t not in WEAK_TOPICS]
        if strong_topics and best.topic == 0.0:
            return "no card on that subject covers that topic"
        foreign = [w for w in r.unknown if w.endswith(self.foreign_suffixes)]
        if foreign:
            return f"not a drug the cards cover: {', '.join(foreign[:3])}"
        known = len(r.subjects) + len(r.words) + len(strong_topics)
        if r.unknown and (not r.subjects or len(r.unknown) >= known):
            return f"unknown words: {', '.join(r.unknown[:5])}"
        if best.score < ANSWER_THRESHOLD:
            return "no card matches closely enough"
        return ""

    def _titles(self, hits: Iterable[Hit]) -> tuple[str, ...]:
        return tuple(h.card.title for h in hits)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
