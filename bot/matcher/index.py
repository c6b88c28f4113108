"""What the matcher builds once per deck and caches: card entries, facts, postings, rarity."""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every string annotation
# at import, which costs `il2bot ask` about 0.1 ms a field (tests/test_startup.py checks).
import math
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from bot.cards.model import (
    DISEASE,
    DRUG,
    OVERVIEW_TOPIC,
    PUBLICATION_CARD,
    STUDY,
    TRIAL_CARD,
    TRIALS_TOPIC,
    Card,
    Deck,
)
from bot.matcher import fuzzy
from bot.matcher.scorer import NAME_PREFIX, TUNING, Tuning
from bot.text import fold, normalize, spell_signs

if TYPE_CHECKING:  # the lexicon is read only when building
    from bot.matcher.lexicon import Lexicon

KIND_TOPICS = {TRIAL_CARD: (TRIALS_TOPIC,), PUBLICATION_CARD: (TRIALS_TOPIC,)}  # cards about a study
OVERVIEW = OVERVIEW_TOPIC  # the topic of cards that introduce their subject (`il2bot check` verifies it)
LEAD_WORDS = 8  # an unlabelled fact is about its first words
LABEL_CHARS = 60  # a fact whose first colon comes this early is labelled ("Inclusion: ...")

# Numbers that name a category, with their label ("Phase II", "grade 3/4", "type 1"), and spans
# of years ("5-year survival", "three years"; not a "17-year-old"): a question asking for one asks
# for that one. The patterns are compiled when first needed (most questions have no such label):
# compiling them costs `il2bot ask` about a millisecond.
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}
_LABELS = ("phase", "stage", "grade", "type", "cycle", "cohort", "year")  # a text without them has none
_NUMBER = r"(?:\d+|iv|v?i{1,3}|vi?)"
_JOIN = r"\s*(?:/|-|\u2013|,|or|and|to)\s*"
_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


# A source named with its date in passing ("(HIVinfo, 2023)", "(AIDSmeds, last revised 2011)"): when
# the source was written, not a date the fact gives.
ATTRIBUTION = re.compile(
    r"\((?:[a-z][\w.-]*)(?: [\w.-]+){0,3}, (?:last (?:revised|reviewed|updated) )?(?:19|20)\d\d\)"
)


@lru_cache(maxsize=1)
def _number_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The labelled-number, number-joining and span-of-years patterns."""
    labels = "|".join(_LABELS[:-1])
    labelled = re.compile(rf"\b({labels})s?\s+({_NUMBER}(?:{_JOIN}{_NUMBER})*)\b")
    span = re.compile(rf"\b(\d+|{'|'.join(_SMALL)})[- ](year)s?(?![- ]old| ago)\b")  # years only
    return labelled, re.compile(_JOIN), span


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "es", "ed", "ly", "s")
# Irregular verb forms no suffix fold reaches, read as the verb ("made" ~ "make", "ran" ~ "run");
# the forms of verbs that are stopwords ("given", "shown") stay words, as they were.
_IRREGULAR = {
    **dict.fromkeys(("made", "making"), "make"),
    **dict.fromkeys(("ran", "running"), "run"),
    **dict.fromkeys(("took", "taken", "taking"), "take"),
    **dict.fromkeys(("found",), "find"),
    **dict.fromkeys(("held",), "hold"),
    **dict.fromkeys(("kept",), "keep"),
    **dict.fromkeys(("grew", "grown"), "grow"),
    **dict.fromkeys(("rose", "risen", "rising"), "rise"),
    **dict.fromkeys(("fell", "fallen"), "fall"),
    **dict.fromkeys(("began", "begun", "beginning"), "begin"),
    **dict.fromkeys(("brought",), "bring"),
    **dict.fromkeys(("wrote", "written", "writing"), "write"),
    **dict.fromkeys(("chose", "chosen", "choosing"), "choose"),
    **dict.fromkeys(("lost", "losing"), "lose"),
    **dict.fromkeys(("fought",), "fight"),
    **dict.fromkeys(("caught",), "catch"),
    **dict.fromkeys(("built",), "build"),
    **dict.fromkeys(("led",), "lead"),
    # regular forms of four-letter verbs that the suffix fold's length rule keeps whole
    **dict.fromkeys(("dated", "dating"), "date"),
    **dict.fromkeys(("aged", "ages"), "age"),
    **dict.fromkeys(("dosed", "dosing"), "dose"),
    **dict.fromkeys(("cited", "citing"), "cite"),
    **dict.fromkeys(("based",), "base"),
    **dict.fromkeys(("hoped", "hoping"), "hope"),
}

# British spellings folded to American ones, alike in cards and queries: tumour, randomised,
# analysed, haemoglobin, diarrhoea, oedema, centre ("tumor", "randomized", "hemoglobin", ...).
# (British part, American part, the endings it takes, letters it needs before it.)
_BRITISH = (
    ("our", "or", ("", "s", "ed", "ing", "able", "ably", "ite", "ites", "ful"), 2),
    ("is", "iz", ("e", "es", "ed", "ing", "ation", "ations", "er", "ers"), 3),
    ("ys", "yz", ("e", "es", "ed", "ing", "er", "ers"), 2),
    ("tre", "ter", ("", "s"), 2),
)


def american(word: str) -> str:
    """A word's American spelling, for the British spellings that differ by a pattern."""
    for british, us, endings, before in _BRITISH:
        for end in endings:
            if word.endswith(british + end) and len(word) - len(british + end) >= before:
                word = word[: len(word) - len(british + end)] + us + end
                break
    if "ae" in word[1:]:  # haemoglobin, paediatric
        word = word[0] + word[1:].replace("ae", "e")
    if word.startswith("oe"):  # oedema, oesophagus
        word = word[1:]
    return word.replace("hoea", "hea")  # diarrhoea


_NUMBERED_PLURAL = re.compile(r"[a-z]+\d+s$")


_NOT_PLURAL = ("ss", "us", "is", "as", "os", "oes")  # short words whose "s" is not a plural's ...
_NOT_PLURAL_WORDS = frozenset(("aids", "news", "lens"))  # ... and a few more


def _short_singular(word: str) -> str:
    """A four-letter plural's singular ("ARVs" ~ "ARV", "days" ~ "day"); other words as they are."""
    if word.endswith("s") and not word.endswith(_NOT_PLURAL) and word not in _NOT_PLURAL_WORDS:
        return word[:-1]
    return word


def places_in(toks: list[str], names: dict[tuple[str, ...], str], longest: int) -> list[str]:
    """The places a run of normalised words names (in names of at most `longest` words), in order,
    each once ("the uk or europe")."""
    found: list[str] = []
    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            place = names.get(tuple(toks[i : i + n]))
            if place:
                if place not in found:
                    found.append(place)
                i += n - 1
                break
        i += 1
    return found


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix fold, applied alike to cards and queries ("replacement" ~ "replace"), after
    British spellings are folded to American ones ("tumour" ~ "tumor")."""
    if not word.isalpha():
        # a numbered name's plural is the name ("CD4s" ~ "CD4")
        return word[:-1] if word.endswith("s") and _NUMBERED_PLURAL.match(word) else word
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    word = american(word)
    if len(word) <= 4 or word.endswith(("ss", "us", "is")):
        return _short_singular(word) if len(word) == 4 else word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "1,200" is one number


def numbers_in(text: str, spelled: bool = True) -> frozenset[str]:
    """The numbers a text states: its digit tokens, and its spelled-out numbers ("eleven": "11")."""
    if "," in text:
        text = _THOUSANDS_COMMA.sub("", text)
    digits = [w.lstrip("0") or "0" for w in normalize(text).split() if w.isdigit()]
    if not spelled:
        return frozenset(digits)
    from bot.cards.tokens import spelled_numbers  # only when building (its patterns cost start-up)

    return frozenset(digits + spelled_numbers(text))


# A figure: a number standing alone, its decimals whole ("0.2 MIU": 0.2, not 0 and 2); not the number
# of a name ("IL-2", "CD4", "NCT04077684").
_FIGURE = re.compile(r"(?<![^\W_])(?<![^\W\d_]-)(?<!\.)\d+(?:\.\d+)?")


def figure(number: str) -> str:
    """A number in one form: "007" as "7", "0.50" as "0.5", "1.0" as "1"."""
    whole, _, part = number.partition(".")
    part = part.rstrip("0")
    return (whole.lstrip("0") or "0") + ("." + part if part else "")


def figures_in(text: str) -> frozenset[str]:
    """The figures a text states ("0.2 MIU", "1,200 patients", "eleven"), each in one form."""
    if "," in text:
        text = _THOUSANDS_COMMA.sub("", text)
    from bot.cards.tokens import spelled_numbers  # only when building (its patterns cost start-up)

    return frozenset([figure(n) for n in _FIGURE.findall(fold(text))] + spelled_numbers(text))


def labelled_numbers(text: str) -> frozenset[str]:
    """The numbers a text gives with the label that says what they number ("Phase II", "grade 3/4",
    "5-year"), as "phase 2", "grade 3", "grade 4", "5-year"."""
    text = fold(text)
    if not any(label in text for label in _LABELS):
        return frozenset()
    labelled, join, span = _number_patterns()
    found = set()
    for label, number in labelled.findall(text):
        for part in join.split(number):
            if part:
                found.add(f"{label} {_ROMAN.get(part, part)}")
    small = {w: str(n) for n, w in enumerate(_SMALL)}
    found.update(f"{small.get(n, n)}-{unit}" for n, unit in span.findall(text))
    return frozenset(found)


class FactEntry(NamedTuple):
    """What the matcher keeps of one fact."""

    # Small collections are tuples: read faster from the cache than frozensets.
    words: str  # stemmed content words of its text and quotes, " w1 w2 ... ": one string loads fast
    lead: tuple[str, ...]  # words of its label ("Inclusion", "Dose"): what it is about
    topics: tuple[str, ...]  # topics its label, or else its first words, speak of
    mentions: tuple[str, ...]  # topics its text speaks of anywhere
    kinds: tuple[str, ...]  # fact kinds it gives (enrollment, dose, ...)
    numbers: tuple[str, ...] = ()  # the numbers its text states, past its label


FIRST_AUTHOR = re.compile(r"([A-Z][\w'-]+)(?: et al\.?)? (?:19|20)\d\d\b")  # "Sullivan 2019: ..."
AUTHOR_CARDS = 3  # cards a first author's name may be on (its paper, the trials citing it) and name it
CAPITALISED = re.compile(r"\b[A-Z][\w'-]*")  # a word written with a capital: a name, or a sentence's first


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
    labelled: frozenset[str] = frozenset()  # every labelled number it states ("phase 2", "3-year")
    stated: frozenset[str] = frozenset()  # every figure it states, in digits or words ("0.2", "eleven": "11")


def title_words(e: Entry) -> set[str]:
    """The stemmed words of a card's title and aliases: what it is about, not what it mentions."""
    return {stem(x) for text in e.texts for x in text.split()}


class Index:
    """Card entries, postings and rarity for one deck; built once, pickled in the deck cache."""

    def __init__(self, deck: Deck, lexicon: "Lexicon", tuning: Tuning = TUNING) -> None:
        self.cards = list(deck.cards)
        self.positions = {card.id: i for i, card in enumerate(self.cards)}  # where each card is
        self.stopwords = frozenset(normalize(w) for w in deck.stopwords)
        self.signs = dict(lexicon.signs)  # read as words in cards and questions alike
        self.broader: dict[str, tuple[str, ...]] = {t.id: t.broader for t in deck.terms.values()}
        self.topic_ids = frozenset(t.id for t in deck.terms.values() if t.is_topic)
        self.kinds = {t.id: t.kind for t in deck.terms.values()}
        self.labels = {t.id: t.label for t in deck.terms.values()}  # as said in a reason
        # The drugs the cards introduce (IL-2, IL-7); any other drug a question names (rituximab) is
        # something a card may only mention.
        introduced = {s for c in deck.cards if OVERVIEW in c.topics for s in c.subjects}
        self.own_drugs = frozenset(
            t.id for t in deck.terms.values() if t.kind == DRUG and not t.broader and t.id in introduced
        )
        self.topic_weight = {t.id: t.weight for t in deck.terms.values() if t.is_topic}
        self.spoken_topics = frozenset(t.id for t in deck.terms.values() if t.is_topic and t.spoken)
        # Fact kinds: how to recognise each in a fact's text, and how to name it.
        # Pattern texts, compiled when first used: the cache then loads without compiling them.
        # Countries, by the nouns naming them ("UK", "France") and, in the cards, adjectives ("French").
        self.place_names = dict(lexicon.places)
        self.country_names = {**lexicon.nationalities, **lexicon.places}
        self.longest_place = max(map(len, self.country_names), default=0)  # in words ("united states")
        countries = "|".join(sorted(re.escape(" ".join(k)) for k in self.country_names))
        self.per_place = frozenset(k.id for k in lexicon.kinds if k.per_place)
        self.kind_patterns = tuple(
            (k.id, tuple(p.pattern for p in k.patterns) + ((rf"\b(?:{countries})\b",) if k.per_place else ()))
            for k in lexicon.kinds
        )
        self.kind_evidence = {k.id: frozenset(k.evidence) for k in lexicon.kinds if k.evidence}
        self.kind_not_labels = {k.id: frozenset(k.not_labels) for k in lexicon.kinds if k.not_labels}
        self.kind_labels = {k.id: k.label for k in lexicon.kinds}
        self.kind_named = {k.id: tuple(p.pattern for p in k.named) for k in lexicon.kinds if k.named}
        self.per_drug = frozenset(k.id for k in lexicon.kinds if k.per_drug)
        self.per_disease = frozenset(k.id for k in lexicon.kinds if k.per_disease)
        self.per_concept = frozenset(k.id for k in lexicon.kinds if k.per_concept)
        self.per_measure = frozenset(k.id for k in lexicon.kinds if k.per_measure)
        self.per_each = frozenset(k.id for k in lexicon.kinds if k.per_each)
        self.spells_name = frozenset(k.id for k in lexicon.kinds if k.spells_name)
        self.per_organization = frozenset(k.id for k in lexicon.kinds if k.per_organization)
        self.events = {  # "when did it start": the date of an event, on a fact about it (the words
            # naming one event alike, "start began launched", stemmed)
            k.id: (tuple(frozenset(map(stem, e.split())) for e in k.event_words), frozenset(k.event_topics))
            for k in lexicon.kinds
            if k.event_words
        }
        self.figures = frozenset(k.id for k in lexicon.kinds if k.figure)
        # Kinds stated as an amount in units ("what dose": a number in IU or mg), with those units.
        self.amounts = {k.id: k.unit_asks for k in lexicon.kinds if k.unit_asks}
        # Kinds asked of what people had ("what % had brain metastases"), with the words saying it.
        self.said_of = {k.id: frozenset(k.said_of) for k in lexicon.kinds if k.said_of}
        # Counted kinds ("how many cycles": a number counting cycles), with the words counting alike.
        self.counted = {k.id: frozenset(map(stem, k.counted_alike)) for k in lexicon.kinds if k.counted}
        self.vague_counts = {k.id: frozenset(k.vague_counts) for k in lexicon.kinds if k.vague_counts}
        self.trial_fields = tuple((k.id, k.trial_fields) for k in lexicon.kinds)
        # Words and their one-word lay words, both ways ("deaths" and "died", "institutions" and
        # "centres"): what a number counts is named either way.
        related: dict[str, set[str]] = {}
        for w, lay in lexicon.lay_words.items():
            for x in lay:
                if len(normalize(x).split()) == 1 and len(normalize(w).split()) == 1:
                    a, b = stem(normalize(w)), stem(normalize(x))
                    related.setdefault(a, set()).add(b)
                    related.setdefault(b, set()).add(a)
        self.related = {w: frozenset(xs) for w, xs in related.items()}
        # Topic and disease phrases by stemmed words, keyed by their first word, to find them in a text.
        self.topic_phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for term in deck.terms.values():
            if term.is_topic or term.kind == DISEASE:
                for p in (term.id, *term.terms):
                    toks = tuple(stem(w) for w in normalize(p).split())
                    if toks:
                        self.topic_phrases.setdefault(toks[0], []).append((toks, term.id))
        self._normal: dict[str, str] = {}  # texts normalised while building (a card repeats its title)
        self._lay = {  # while building: the lay words for a card's words ("hepatic": "liver")
            sys.intern(stem(w)): tuple(sys.intern(stem(x)) for p in lay for x in normalize(p).split())
            for w, lay in lexicon.lay_words.items()
        }
        self._registry_numbers = {  # while building: a study's NCT numbers among its names
            t.id: tuple(x for x in t.terms if re.fullmatch(r"NCT\d{8}", x))
            for t in deck.terms.values()
            if t.kind == STUDY
        }
        priors = {TRIAL_CARD: tuning.prior_trial, PUBLICATION_CARD: tuning.prior_publication}
        self.entries = [
            self._entry(card, priors.get(card.kind, tuning.prior_other), tuning) for card in self.cards
        ]
        del self._normal, self._registry_numbers, self._lay  # not kept in the cache
        # Kinds of fact no card gives (a price, a storage condition): asked, the cards lack it. Not a
        # figure: a number may be what a result is about ("did IL-2 lengthen the time off ART").
        self.never_given = frozenset(self.kind_labels).difference(
            self.figures, *(e.fact_kinds for e in self.entries)
        )
        self.places = self._places(deck)
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
        english = frozenset(sys.intern(stem(w)) for w in lexicon.common)
        self.common = english - self.word_set
        # A word only one card holds, capitalised in its title, aliases or keywords, and no ordinary
        # English word, names that card ("Kleef", "Shokrzadeh"): it counts as one of its subjects.
        self.names: dict[str, int] = {}
        capitalised: dict[int, frozenset[str]] = {}  # each card's, computed once
        # ... and no one-word name of a subject several cards are on ("ARVs": antiretroviral therapy)
        shared = (t for t in deck.terms.values() if len(self.postings.get(f"s:{t.id}", ())) > 1)
        phrases = (normalize(x).split() for t in shared for x in (t.id, *t.terms))
        terms = {stem(toks[0]) for toks in phrases if len(toks) == 1}
        for key, posting in self.postings.items():
            if len(posting) != 1 or not key.startswith("w:") or key[2:] in english or key[2:] in terms:
                continue
            i = posting[0]
            if i not in capitalised:
                capitalised[i] = self._capitalised(self.cards[i])
            if key[2:] in capitalised[i]:
                self.names[sys.intern(key[2:])] = i
        named = list(self.names.items())
        # A publication's first author, before its year in the title ("Sullivan 2019: ..."), names it
        # even when the name is ordinary English, and names the trial reported in it too (a card
        # summing up several papers that cites it is not named by it).
        for i, card in enumerate(self.cards):
            lead = FIRST_AUTHOR.match(card.title) if card.kind == PUBLICATION_CARD else None
            for w in self.content_words(lead.group(1)) if lead else ():
                if w not in self.names and len(self.postings.get(f"w:{w}", ())) <= AUTHOR_CARDS:
                    self.names[sys.intern(w)] = i
                    posting = self.postings[f"w:{w}"]
                    named += [(w, j) for j in posting if j == i or self.cards[j].kind == TRIAL_CARD]
        for w, i in named:
            e = self.entries[i]
            self.entries[i] = e._replace(subjects=e.subjects | {NAME_PREFIX + w})

    def _capitalised(self, card: Card) -> frozenset[str]:
        """The stemmed words its title, aliases and keywords write with a capital (names, while building)."""
        texts = (card.title, *card.aliases, *card.keywords)
        return frozenset(
            w for text in texts for name in CAPITALISED.findall(text) for w in self.content_words(name)
        )

    def _norm(self, text: str) -> str:
        """normalize(text), once per text while building."""
        cache: dict[str, str] | None = getattr(self, "_normal", None)
        if cache is None:
            return normalize(spell_signs(text, self.signs))
        found = cache.get(text)
        if found is None:
            found = cache[text] = normalize(spell_signs(text, self.signs))
        return found

    def _with_lay(self, words: Iterable[str]) -> frozenset[str]:
        """Stemmed words with the lay words for them ("hepatic": "liver"), while building."""
        found = set(words)
        for w in list(found):
            found.update(self._lay.get(w, ()))
        return frozenset(found)

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
        folded = ATTRIBUTION.sub("", fold(text))
        colon = text.find(":")
        label = frozenset(normalize(text[:colon]).split()) if 0 < colon <= LABEL_CHARS else frozenset()
        return tuple(
            kid
            for kid, patterns in self.kind_patterns
            if any(re.search(p, folded) for p in patterns)
            and (not evidence or evidence in self.kind_evidence.get(kid, (evidence,)))
            and label.isdisjoint(self.kind_not_labels.get(kid, ()))
        )

    def _fact(self, text: str, quotes: tuple[str, ...], evidence: str = "") -> FactEntry:
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
        words = set(self._with_lay(words))
        mentions = self._topics_in(stems)
        # A label ("Dose:", "Exclusion:") says what a fact is about; first words only what it is on.
        label = tuple(dict.fromkeys(lead)) if labelled else ()
        return FactEntry(
            f" {' '.join(sorted(words))} ",
            label,
            tuple(sorted(self._topics_in(lead))),
            tuple(sorted(mentions)),
            self.kinds_of(text, evidence),
            # The numbers it states: not those of its label ("Boyman 2019 (review): ...") or of the
            # references its quotes include.
            tuple(sorted(numbers_in(text[colon + 1 :] if labelled else text))),
        )

    def _places(self, deck: Deck) -> dict[int, frozenset[str]]:
        """The places each card names, with those named by any card on the same study (a detail
        card of the Chinese lupus trial is on a trial run in China); cards naming none are left out."""
        named: list[frozenset[str]] = []
        for card in self.cards:
            texts = [card.title, *card.aliases, *card.keywords, card.summary]
            texts += [x for f in card.facts for x in (f.text, *(c.quote for c in f.citations))]
            if card.trial is not None and card.trial.location:
                texts.append(card.trial.location)
            words = normalize(" ".join(texts)).split()
            named.append(frozenset(places_in(words, self.place_names, self.longest_place)))
        by_study: dict[str, set[str]] = {}
        for card, found in zip(self.cards, named, strict=True):
            for x in card.subjects:
                if self.kinds.get(x) == STUDY:
                    by_study.setdefault(x, set()).update(found)
        out = {}
        for i, (card, found) in enumerate(zip(self.cards, named, strict=True)):
            pooled = found.union(*(by_study.get(x, ()) for x in card.subjects))
            if pooled:
                out[i] = frozenset(pooled)
        return out

    def _entry(self, card: Card, prior: float, t: Tuning) -> Entry:
        wider = {b for s in card.subjects for b in self.broader.get(s, ())} - set(card.subjects)
        kind_counts: dict[str, int] = {}
        for s in card.subjects:
            kind = self.kinds.get(s, STUDY)
            kind_counts[kind] = kind_counts.get(kind, 0) + 1
        # A study's registry number is one of its names, said as often as the study's own id.
        registry = [x for s in card.subjects for x in self._registry_numbers.get(s, ())]
        strong_texts = (card.title, *card.aliases, *card.keywords, *card.subjects, *registry)
        strong = frozenset(w for text in strong_texts for w in self.content_words(text))
        weak = self._with_lay(
            w for text in (card.summary, *(f.text for f in card.facts)) for w in self.content_words(text)
        ) | (self._with_lay(strong) - strong)  # a lay word for a word of its title is a word of its text
        quoted = (
            self._with_lay(w for f in card.facts for c in f.citations for w in self.content_words(c.quote))
            - strong
            - weak
        )
        facts = tuple(self._fact(f.text, tuple(c.quote for c in f.citations), f.evidence) for f in card.facts)
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
        diseases = [s for s in card.subjects if self.kinds.get(s) == DISEASE]
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
        every_text = (
            *strong_texts,
            card.summary,
            *_trial_texts(card),
            *(f.text for f in card.facts),
            *(c.quote for f in card.facts for c in f.citations),
        )
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
            labelled=frozenset(n for text in every_text for n in labelled_numbers(text)),
            stated=frozenset(n for text in every_text for n in figures_in(text)),
        )


def _trial_texts(card: Card) -> tuple[str, ...]:
    """The trial fields of a card, each as its name and value ("phase II")."""
    if card.trial is None:
        return ()
    return tuple(f"{name} {value}" for name, value in card.trial._asdict().items() if value)
