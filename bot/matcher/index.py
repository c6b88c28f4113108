"""What the matcher builds once per deck and caches: card entries, facts, postings, rarity."""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every string annotation
# at import, which costs `il2bot ask` about 0.1 ms a field (tests/test_startup.py checks).
import math
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from bot.cards.model import OVERVIEW_TOPIC, Card, Deck
from bot.matcher import fuzzy
from bot.matcher.scorer import TUNING, Tuning
from bot.text import fold, normalize

if TYPE_CHECKING:  # the lexicon is read only when building
    from bot.matcher.lexicon import Lexicon

KIND_TOPICS = {"trial": ("trials",), "publication": ("trials",)}  # cards about a study
OVERVIEW = OVERVIEW_TOPIC  # the topic of cards that introduce their subject (`il2bot check` verifies it)
LEAD_WORDS = 8  # an unlabelled fact is about its first words
LABEL_CHARS = 60  # a fact whose first colon comes this early is labelled ("Inclusion: ...")

_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "es", "ed", "ly", "s")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix fold, applied alike to cards and queries ("replacement" ~ "replace")."""
    if len(word) <= 4 or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


class FactEntry(NamedTuple):
    """What the matcher keeps of one fact."""

    # Small collections are tuples: read faster from the cache than frozensets.
    words: str  # stemmed content words of its text and quotes, " w1 w2 ... ": one string loads fast
    lead: tuple[str, ...]  # words of its label ("Inclusion", "Dose"): what it is about
    topics: tuple[str, ...]  # topics its label, or else its first words, speak of
    mentions: tuple[str, ...]  # topics its text speaks of anywhere
    kinds: tuple[str, ...]  # fact kinds it gives (enrollment, dose, ...)


class Entry(NamedTuple):
    """What the matcher keeps of one card."""

    subjects: frozenset[str]
    wider: frozenset[str]  # subjects the card's subjects are kinds of
    kind_counts: dict[str, int]  # how many subjects of each kind (drug, disease, study...) it has
    hub: float  # how much the card introduces its subject
    topic_focus: float  # 1 for a card on one topic, less for a card that lists many
    topics: frozenset[str]
    main_topics: frozenset[str]  # topics the card is about (not just mentions)
    passing: frozenset[str]  # diseases the card only mentions (hepatitis among trial exclusions)
    strong: frozenset[str]  # words of title, aliases, keywords
    weak: frozenset[str]  # words of summary and facts
    quoted: frozenset[str]  # words only in the quotes behind its facts
    texts: tuple[str, ...]  # normalised title and aliases, for fuzzy similarity
    prior: float
    facts: tuple[FactEntry, ...]
    fact_kinds: frozenset[str]  # kinds of fact the card gives (its facts and trial fields)


class Index:
    """Card entries, postings and rarity for one deck; built once, pickled in the deck cache."""

    def __init__(self, deck: Deck, lexicon: "Lexicon", tuning: Tuning = TUNING) -> None:
        self.cards = list(deck.cards)
        self.stopwords = frozenset(normalize(w) for w in deck.stopwords)
        self.broader: dict[str, tuple[str, ...]] = {t.id: t.broader for t in deck.terms.values()}
        self.topic_ids = frozenset(t.id for t in deck.terms.values() if t.is_topic)
        self.kinds = {t.id: t.kind for t in deck.terms.values()}
        # The drugs the cards introduce (IL-2, IL-7); any other drug a question names (rituximab) is
        # something a card may only mention.
        introduced = {s for c in deck.cards if OVERVIEW in c.topics for s in c.subjects}
        self.own_drugs = frozenset(
            t.id for t in deck.terms.values() if t.kind == "drug" and not t.broader and t.id in introduced
        )
        self.topic_weight = {t.id: t.weight for t in deck.terms.values() if t.is_topic}
        # Fact kinds: how to recognise each in a fact's text, and how to name it.
        # Pattern texts, compiled when first used: the cache then loads without compiling them.
        self.kind_patterns = tuple((k.id, tuple(p.pattern for p in k.patterns)) for k in lexicon.kinds)
        self.kind_evidence = {k.id: frozenset(k.evidence) for k in lexicon.kinds if k.evidence}
        self.kind_labels = {k.id: k.label for k in lexicon.kinds}
        self.per_drug = frozenset(k.id for k in lexicon.kinds if k.per_drug)
        self.trial_fields = tuple((k.id, k.trial_fields) for k in lexicon.kinds)
        # Topic and disease phrases by stemmed words, keyed by their first word, to find them in a text.
        self.topic_phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for term in deck.terms.values():
            if term.is_topic or term.kind == "disease":
                for p in (term.id, *term.terms):
                    toks = tuple(stem(w) for w in normalize(p).split())
                    if toks:
                        self.topic_phrases.setdefault(toks[0], []).append((toks, term.id))
        self._normal: dict[str, str] = {}  # texts normalised while building (a card repeats its title)
        priors = {"trial": tuning.prior_trial, "publication": tuning.prior_publication}
        self.entries = [
            self._entry(card, priors.get(card.kind, tuning.prior_other), tuning) for card in self.cards
        ]
        del self._normal  # not kept in the cache
        self.topic_phrases.clear()  # only needed to build the entries
        self.postings: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            keys = {f"s:{s}" for s in entry.subjects | entry.wider} | {f"t:{t}" for t in entry.topics}
            keys |= {f"w:{w}" for w in entry.strong | entry.weak | entry.quoted}
            for k in keys:
                self.postings.setdefault(k, []).append(i)
        for posting in self.postings.values():
            posting.sort(key=lambda i: -self.entries[i].hub)  # stable: ties keep deck order
        n = max(len(self.cards), 1)
        self.idf = {k: math.log(1 + n / len(v)) for k, v in self.postings.items()}
        self.max_idf = math.log(1 + n)
        # Interned: the cache then stores each word once, however many structures hold it.
        self.vocab_words = sorted({sys.intern(k[2:]) for k in self.postings if k.startswith("w:")})
        self.word_set = frozenset(self.vocab_words)
        # Ordinary English no card uses ("got", "supposed", "big"): not content words the cards lack.
        self.common = frozenset(sys.intern(stem(w)) for w in lexicon.common) - self.word_set

    def _norm(self, text: str) -> str:
        """normalize(text), once per text while building."""
        cache: dict[str, str] | None = getattr(self, "_normal", None)
        if cache is None:
            return normalize(text)
        found = cache.get(text)
        if found is None:
            found = cache[text] = normalize(text)
        return found

    def content_words(self, text: str) -> Iterable[str]:
        """The stemmed content words of a text (interned: one object per word in the cache)."""
        return (
            sys.intern(stem(w)) for w in self._norm(text).split() if w not in self.stopwords and len(w) > 1
        )

    def _topics_in(self, stems: list[str]) -> frozenset[str]:
        """The topics whose phrases occur in a run of stemmed words (while building only)."""
        found = set()
        for i, w in enumerate(stems):
            for toks, tid in self.topic_phrases.get(w, ()):
                if tuple(stems[i : i + len(toks)]) == toks:
                    found.add(tid)
        return frozenset(found)

    def kinds_of(self, text: str, evidence: str = "") -> tuple[str, ...]:
        """The fact kinds a fact's text gives, recognised by the vocabulary's patterns (a registry's
        purpose "to see whether it could decrease ..." is not a result: a kind may require evidence)."""
        folded = fold(text)
        return tuple(
            kid
            for kid, patterns in self.kind_patterns
            if any(re.search(p, folded) for p in patterns)
            and (not evidence or evidence in self.kind_evidence.get(kid, (evidence,)))
        )

    def _fact(self, text: str, quotes: Iterable[str], evidence: str = "") -> FactEntry:
        toks = self._norm(text).split()
        stems = [stem(w) for w in toks]
        colon = text.find(":")
        labelled = 0 < colon <= LABEL_CHARS
        lead = [stem(w) for w in normalize(text[:colon]).split()] if labelled else stems[:LEAD_WORDS]
        words = {
            sys.intern(x) for w, x in zip(toks, stems, strict=True) if w not in self.stopwords and len(w) > 1
        }
        for q in quotes:
            words.update(self.content_words(q))
        mentions = self._topics_in(stems)
        # A label ("Dose:", "Exclusion:") says what a fact is about; first words only what it is on.
        label = tuple(dict.fromkeys(lead)) if labelled else ()
        return FactEntry(
            f" {' '.join(sorted(words))} ",
            label,
            tuple(sorted(self._topics_in(lead))),
            tuple(sorted(mentions)),
            self.kinds_of(text, evidence),
        )

    def _entry(self, card: Card, prior: float, t: Tuning) -> Entry:
        wider = {b for s in card.subjects for b in self.broader.get(s, ())} - set(card.subjects)
        kind_counts: dict[str, int] = {}
        for s in card.subjects:
            kind = self.kinds.get(s, "study")
            kind_counts[kind] = kind_counts.get(kind, 0) + 1
        strong_texts = (card.title, *card.aliases, *card.keywords, *card.subjects)
        strong = frozenset(w for text in strong_texts for w in self.content_words(text))
        weak = frozenset(
            w for text in (card.summary, *(f.text for f in card.facts)) for w in self.content_words(text)
        )
        quoted = (
            frozenset(w for f in card.facts for c in f.citations for w in self.content_words(c.quote))
            - strong
            - weak
        )
        facts = tuple(self._fact(f.text, (c.quote for c in f.citations), f.evidence) for f in card.facts)
        topics = (*card.topics, *KIND_TOPICS.get(card.kind, ()))
        # A topic the card lists is only mentioned when its title does not name it and every fact
        # speaking of it is about another topic (a pregnancy test among trial criteria).
        named = self._topics_in([stem(w) for w in self._norm(card.title).split()])
        main = (
            {
                x
                for x in topics
                if x in named
                or not any(x in f.mentions for f in facts)
                or any(x in f.mentions and (x in f.topics or not f.topics) for f in facts)
            }
            | set(card.topics[:1])
            | set(KIND_TOPICS.get(card.kind, ()))
        )
        # A disease the card lists is only mentioned when it is not the card's first, its title does
        # not name it, and every fact speaking of it is a labelled item about something else.
        diseases = [s for s in card.subjects if self.kinds.get(s) == "disease"]
        passing = {
            d
            for d in diseases[1:]
            if d not in named
            and any(d in f.mentions for f in facts)
            and all(f.lead and d not in f.topics for f in facts if d in f.mentions)
        }
        trial_kinds = set()
        if card.trial is not None:
            for kid, fields in self.trial_fields:
                if any(getattr(card.trial, field, None) for field in fields):
                    trial_kinds.add(kid)
        return Entry(
            subjects=frozenset(card.subjects),
            wider=frozenset(wider),
            kind_counts=kind_counts,
            hub=t.hub_overview
            if OVERVIEW in card.topics
            else t.hub_main
            if card.kind != "topic"
            else t.hub_detail,
            topic_focus=t.focus_base + (1 - t.focus_base) / math.sqrt(max(len(topics), 1)),
            topics=frozenset(topics),
            main_topics=frozenset(main),
            passing=frozenset(passing),
            strong=strong,
            weak=weak - strong,
            quoted=quoted,
            texts=tuple(fuzzy.default_process(self._norm(x)) for x in (card.title, *card.aliases)),
            prior=prior,
            facts=facts,
            fact_kinds=frozenset(trial_kinds | {k for f in facts for k in f.kinds}),
        )
