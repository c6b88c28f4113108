"""Reading a query: subjects, topics, fact kinds asked, known and unknown words (typos tolerated)."""

# No `from __future__ import annotations`: typing.NamedTuple would compile Reading's string
# annotations at import, on every `il2bot ask` (tests/test_startup.py checks).
import re
from collections.abc import Callable, Mapping
from functools import partial
from itertools import takewhile
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from bot.cards.model import CONCEPT, DRUG, ORGANIZATION, STUDY, Deck
from bot.matcher import fuzzy
from bot.matcher.index import Index, stem
from bot.text import normalize, spell_signs

if TYPE_CHECKING:  # the lexicon is read only when building
    from bot.matcher.lexicon import Lexicon

T = TypeVar("T")
NCT_TOKEN = re.compile(r"^nct\d{8}$")
NAME_NUMBER = re.compile(r"^([a-z]+)(\d+)$")
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![.\d])")  # "0.5", not "1.2.3" nor "v1.2"
RUN_IN_UNIT = re.compile(r"^(\d+(?:\.\d+)?)(\D+)$")  # a number typed against its unit ("1.0MIU": "1 0miu")
PER = "per"  # "IU per kg" is one unit
CHOICE = "or"  # a word asking a kind only alone asks it beside "or" ("IV or under the skin?")
ESCAPED = re.compile(r"\\(.)")  # a character re.escape escaped (the space in "HR for")
BESIDE = 4  # words from a name within which a number is said of it ("IL2 2.4 MIU/m", "CD4 count ... 200")
SLOT = "it"  # the word a topic phrase uses for its subject ("how does it work")
MAX_PHRASE = 6  # longest vocabulary phrase, in tokens, that the reader tries
IDIOM = 4  # a topic's phrase this long is an idiom: its words say the topic, not content of their own
MAX_TOKENS = 60  # tokens of a query that are read; the rest cannot change the answer
MAX_CHARS = 500  # characters of a query that are read (bounds the work on pasted walls of text)
MAX_ABBREVIATION = 4  # longest abbreviation, in tokens
SHORT_TYPO = 10  # words shorter than this tolerate one typo, longer ones two
MIN_TYPO_WORD = 5  # shorter words are never corrected (too many near neighbours)
GAPPED_OPENERS = frozenset(("which", "what"))  # "which Danish centres": an ask one word on
APART = 12  # most words between the two parts of an ask ("what did | show")
FOCUS_SPAN = 3  # words after a which/what/how-many opening that may say what is asked for
AUXILIARY = {"does": "do", "did": "do"}  # in a phrase about "it": "what do [Tregs] do", "did it work"
WH_WORDS = frozenset(("what", "which", "who", "when", "where", "why", "how"))  # open a question for a fact
# "who can help her decide whether it's right for her": the advice is the matter a person asked about
# will help with, and the question asks who that person is.
ASKS_A_PERSON = "who"
EMBEDS = frozenset(("whether", "if"))
PARTITIVE = ("of", "the", "those", "these")  # "how many of the 46 patients": what is counted follows
LONG_SLIP = 7  # a word this long, a slip from a stopword, is that stopword before a card's word
MEMO_SIZE = 4096  # typo'd words and phrases remembered (all forgotten when full)
LONG_ASK = 8  # a word this long may be a one-word ask ("sponsored") with ASK_TYPOS slips
ASK_TYPOS = 2


# What a question is for, said in passing ("... for our site log?", "... for my newsletter"): not
# what it asks.
PURPOSE = re.compile(r"\bfor (?:our|my) [^.,;:?!()\u2013\u2014-]*(?=[?.!]*\s*$)", re.I)


def longest_at(
    table: Mapping[tuple[str, ...], T], toks: list[str], i: int, longest: int
) -> tuple[T | None, int]:
    """The entry of the longest phrase of a table (at most `longest` words) starting at token i, and
    its length in words (None, 0 when no phrase starts there)."""
    for n in range(min(longest, len(toks) - i), 0, -1):
        found = table.get(tuple(toks[i : i + n]))
        if found:
            return found, n
    return None, 0


class Reading(NamedTuple):
    """A query as the matcher reads it."""

    norm: str
    subjects: list[str]
    topics: list[str]
    words: list[str]  # known content words (stemmed)
    unknown: list[str]  # content words no card or term knows
    kinds: list[str] = []  # noqa: RUF012 - fact kinds asked (enrollment, dose, ...); never mutated when empty
    followup: bool = False  # opens like a follow-up ("and ...", "what about ...")
    loose: int = 0  # content words outside any subject, topic or fact-kind phrase
    common: list[str] = []  # noqa: RUF012 - ordinary English words no card uses ("got", "big")
    asking: frozenset[str] = frozenset()  # words that asked for a fact kind ("company", "sponsor")
    advice: bool = False  # asks for personal medical advice ("should I take it?")
    focus: str = ""  # the word a which/what question asks for ("which cells make IL-2": cell), stemmed
    focus_span: tuple[str, ...] = ()  # the known words there ("how many toxic deaths": toxic, death)
    idioms: tuple[tuple[str, str], ...] = ()  # (word, topic): words of a topic's idiom ("in the first place")
    units: tuple[str, ...] = ()  # the units a figure is asked in ("the dose in IU/kg": iu, kg)
    decimals: tuple[str, ...] = ()  # the numbers typed with a decimal point ("0.5 MIU": 0.5)


class Reader:
    """Reads queries with the deck's vocabulary and the words its cards use."""

    def __init__(self, deck: Deck, index: Index, lexicon: "Lexicon") -> None:
        self.stopwords = index.stopwords
        self.signs = index.signs
        self.topic_ids = index.topic_ids
        self.word_set = index.word_set
        self.abbreviations = lexicon.abbreviations
        self.abbreviation_longest: dict[str, int] = {}  # the longest abbreviation starting with a word
        for short in self.abbreviations:
            self.abbreviation_longest[short[0]] = max(self.abbreviation_longest.get(short[0], 0), len(short))
        # Abbreviations read only in capitals ("US"), in one pattern: one pass over the query.
        self.cased_words = {p.pattern[len("(?<!\\w)") : -len("(?!\\w)")]: long for p, long in lexicon.cased}
        self.cased_typed = tuple(ESCAPED.sub(r"\1", w) for w in self.cased_words)  # "HR for", as typed
        self.cased_pattern = (
            re.compile("|".join(p.pattern for p, _ in lexicon.cased)) if lexicon.cased else None
        )
        self.ascii_signs = any(sign.isascii() for sign in self.signs)  # else only non-ASCII text has one
        self.followups = frozenset(lexicon.followups)
        self.focus_openers = frozenset(lexicon.focus_openers)
        self.not_diseases = frozenset(stem(w) for w in lexicon.not_diseases)
        self.disease_names = lexicon.disease_names  # "covid": a disease, with no disease ending
        self.small_talk = lexicon.small_talk  # "weather": chat, not a question on IL-2
        self.drug_brands = lexicon.drug_brands  # "keytruda": a drug no card covers
        self.disease_heads = lexicon.disease_heads
        self.units = lexicon.units
        self.unit_names = frozenset(lexicon.units.values())
        self.longest_unit = max(map(len, lexicon.units), default=0)
        self.unit_starts = frozenset(u[0] for u in lexicon.units)
        self.max_opener = max(map(len, self.focus_openers), default=0)
        self.opener_starts = frozenset(o[0] for o in self.focus_openers)
        self.followup_starts = frozenset(f[0] for f in self.followups)
        self.advice = frozenset(lexicon.advice)
        self.max_advice = max((len(a) for a in lexicon.advice), default=0)
        self.advice_starts = frozenset(a[0] for a in lexicon.advice)
        self.kind_asks: dict[tuple[str, ...], str] = {}
        for k in lexicon.kinds:
            for toks in k.asks:
                self.kind_asks.setdefault(tuple(stem(w) for w in toks), k.id)
        # "how much" asks for a dose, unless the question asks for something else ("how much ... cost").
        self.alone_asks: dict[tuple[str, ...], str] = {
            tuple(stem(w) for w in toks): k.id for k in lexicon.kinds for toks in k.asks_alone
        }
        for toks, kid in self.alone_asks.items():
            self.kind_asks.setdefault(toks, kid)
        self.per_drug_kinds = frozenset(k.id for k in lexicon.kinds if k.per_drug)  # a dose, a route
        # Asks in two parts with words between ("what did | show": "what did the CROI presentation show").
        self.apart_asks = tuple(
            (tuple(map(stem, before)), tuple(map(stem, after)), k.id)
            for k in lexicon.kinds
            for before, after in k.asks_apart
            if before and after
        )
        # Words that make a kind asked another ("how many people quit": a count, not the enrollment).
        self.narrowing = {
            k.id: (k.narrowed_to, frozenset(map(stem, k.narrowing))) for k in lexicon.kinds if k.narrowed_to
        }
        self.doing = frozenset(w for _, words in self.narrowing.values() for w in words)  # quit, died
        # Kinds asked instead of others ("how many enrolled so far": the actual enrollment).
        self.replaces = {k.id: frozenset(k.replaces) for k in lexicon.kinds if k.replaces}
        self.drops_topics = {k.id: frozenset(k.drops_topics) for k in lexicon.kinds if k.drops_topics}
        self.unit_asks = {u: k.id for k in lexicon.kinds for u in k.unit_asks}  # "in IU/kg": a dose
        self.last_asks = {w: k.id for k in lexicon.kinds for w in k.asks_last}  # "silcaat n": enrollment
        # Phrases that hold an ask's words but ask for something else ("primary outcome").
        self.not_asks = frozenset(tuple(stem(w) for w in toks) for k in lexicon.kinds for toks in k.not_asks)
        self.max_ask = max((len(x) for x in (*self.kind_asks, *self.not_asks)), default=0)
        # The longest ask, or phrase that asks nothing, starting with each word: most words start none.
        self.ask_longest: dict[str, int] = {}
        for toks in (*self.kind_asks, *self.not_asks):
            self.ask_longest[toks[0]] = max(self.ask_longest.get(toks[0], 0), len(toks))
        # One-word asks ("sponsor", "sponsored"), stemmed and as typed: a typo of one still asks.
        self.ask_words = {x[0]: kid for x, kid in self.kind_asks.items() if len(x) == 1}
        for k in lexicon.kinds:
            for toks in k.asks:
                if len(toks) == 1:
                    self.ask_words.setdefault(toks[0], k.id)
        self.common = index.common
        # Vocabulary phrases, as token tuples, to concept ids.
        self.phrases: dict[tuple[str, ...], str] = {}
        for term in deck.terms.values():
            for p in (term.id, *term.terms):
                toks = tuple(normalize(p).split())
                if toks:
                    self.phrases.setdefault(toks, term.id)
        for card in deck.cards:
            for s in card.subjects:
                if s.startswith("NCT"):
                    self.phrases.setdefault((s.lower(),), s)
        # The words of each subject's names: they name the subject, they are not what is asked.
        self.subject_words: dict[str, frozenset[str]] = {}
        for term in deck.terms.values():
            if not term.is_topic:
                self.subject_words[term.id] = frozenset(
                    stem(w) for p in (term.id, *term.terms) for w in normalize(p).split()
                )
        # The words naming one concept and no other subject ("cd8", "treg"; not "cell" or "count").
        named_by: dict[str, int] = {}
        for words in self.subject_words.values():
            for w in words:
                named_by[w] = named_by.get(w, 0) + 1
        self.concept_words = {
            s: frozenset(w for w in words if named_by[w] == 1 and w not in self.stopwords and not w.isdigit())
            for s, words in self.subject_words.items()
            if index.kinds.get(s) == CONCEPT
        }
        # Every word of every subject's names ("il2", "cd4"): a numbered name outside them is foreign.
        self.subject_names = frozenset(w for words in self.subject_words.values() for w in words)
        self.kinds = index.kinds  # each subject's kind (drug, study, organization ...)
        # The names our drugs are numbered under ("il", "interleukin"): il15 is a sibling, not ours.
        self.drug_prefixes = frozenset(
            m.group(1)
            for term in deck.terms.values()
            if term.kind == DRUG
            for p in (term.id, *term.terms)
            for w in normalize(p).split()
            if (m := NAME_NUMBER.match(w))
        )
        # A study's name may hold a drug's name ("the 11 autoimmune diseases low-dose IL-2 trial",
        # "Rosenzwajg ld-IL2 study"): read without the drug's words, it is the study's own name.
        self.drug_words = frozenset(
            w
            for term in deck.terms.values()
            if term.kind == DRUG
            for p in (term.id, *term.terms)
            for w in normalize(p).split()
        )
        self.study_phrases: dict[tuple[str, ...], str] = {
            toks: cid
            for toks, cid in self.phrases.items()
            if len(toks) > 1
            and (named := deck.terms.get(cid)) is not None
            and named.kind == STUDY
            and self.drug_words.isdisjoint(toks)
        }
        self.study_phrase_words = frozenset(w for toks in self.study_phrases for w in toks)
        # The same phrases by their stemmed words: "randomisation" finds "randomised".
        self.stem_phrases: dict[tuple[str, ...], str] = {}
        for toks, concept in self.phrases.items():
            self.stem_phrases.setdefault(tuple(stem(t) for t in toks), concept)
        # ... and of each concept (the HIV reservoir, Tregs), the phrases naming it in a fact's text
        self.concept_phrases: dict[str, list[tuple[str, ...]]] = {}
        for stems, concept in self.stem_phrases.items():
            if index.kinds.get(concept) == CONCEPT:
                self.concept_phrases.setdefault(concept, []).append(stems)
        # The longest phrase starting with each word (typed, and stemmed): most words start none.
        self.longest: dict[str, int] = {}
        for toks in self.phrases:
            self.longest[toks[0]] = max(self.longest.get(toks[0], 0), len(toks))
        self.longest_stem: dict[str, int] = {}
        for toks in self.stem_phrases:
            self.longest_stem[toks[0]] = max(self.longest_stem.get(toks[0], 0), len(toks))
        # Phrases about "it" that ask a topic ("what does it do") or a kind of fact ("what did it
        # find"), matched with a subject's name in its place: phrase -> (topic, kind).
        self.slot_phrases: dict[tuple[str, ...], tuple[str, str]] = {
            tuple(AUXILIARY.get(w, w) for w in toks): (concept, "")
            for toks, concept in self.phrases.items()
            if SLOT in toks and concept in index.topic_ids
        }
        for k in lexicon.kinds:
            for toks in k.asks:
                if SLOT in toks:
                    phrase = tuple(AUXILIARY.get(w, w) for w in toks)
                    self.slot_phrases[phrase] = (self.slot_phrases.get(phrase, ("", ""))[0], k.id)
        self.slot_starts = frozenset(toks[0] for toks in self.slot_phrases)
        self.slot_words = frozenset(w for toks in self.slot_phrases for w in toks)
        # Topics that only colour a question ("trials"): their words after a name are part of it
        # ("the ILIADE trial": "it").
        self.colour_topics = frozenset(x for x, w in index.topic_weight.items() if w < 1.0)
        # Names the vocabulary gives numbers to ("il" of il2, "nct", "interleukin", "cd"): typed
        # with a space ("IL 2", "nct 04077684", "interleukin 6") they are still one name.
        self.numbered_names = frozenset(
            name
            for toks in self.phrases
            for t in toks
            if (m := NAME_NUMBER.match(t)) and len(name := m.group(1)) > 1 and name not in self.stopwords
        )
        # Fuzzy candidates: phrases of at least five letters, grouped by token count.
        self.fuzzy_phrases: dict[int, list[str]] = {}
        for toks in self.phrases:
            if len(" ".join(toks)) >= 5:
                self.fuzzy_phrases.setdefault(len(toks), []).append(" ".join(toks))
        # Typo candidates by first letter and length: a word is compared only with its near kin.
        self.word_buckets: dict[tuple[str, int], list[str]] = {}
        for word in index.vocab_words:
            self.word_buckets.setdefault((word[0], len(word)), []).append(word)
        # Typos of one-word asks and of ordinary English, tried only when no card word is near.
        self.ask_buckets: dict[tuple[str, int], list[str]] = {}
        for word in sorted(self.ask_words):
            if len(word) >= MIN_TYPO_WORD:
                self.ask_buckets.setdefault((word[0], len(word)), []).append(word)
        # The words of asks in several words ("how many people"), as typed: a typo of one is that word
        # before the asks are read ("how many poeple" still asks the enrollment).
        self.ask_word_buckets: dict[tuple[str, int], list[str]] = {}
        phrase_words = {
            w
            for k in lexicon.kinds
            for toks in (*k.asks, *k.asks_alone, *(p for pair in k.asks_apart for p in pair))
            if len(toks) > 1
            for w in toks
        }
        for word in sorted(phrase_words):
            if len(word) >= MIN_TYPO_WORD and word.isalpha():
                self.ask_word_buckets.setdefault((word[0], len(word)), []).append(word)
        self._common_buckets: dict[tuple[str, int], list[str]] | None = None  # built when first needed
        self._phrases_near: dict[tuple[int, int, int], list[str]] = {}  # filled as queries need them
        # What typo'd words and phrases were read as (a pure function of the word): the same slips
        # recur across questions, and finding the nearest word is the reader's dearest step.
        self._typos_memo: dict[tuple[str, str], tuple[str, str]] = {}
        self.stopword_stems = frozenset(stem(w) for w in self.stopwords if len(w) >= MIN_TYPO_WORD - 1)
        self.stopword_buckets: dict[tuple[str, int], list[str]] = {}  # long stopwords, for their typos
        for word in sorted(self.stopwords):
            if len(word) >= MIN_TYPO_WORD:
                self.stopword_buckets.setdefault((word[0], len(word)), []).append(word)

    def forget_typos(self) -> None:
        """Forget what typo'd words and phrases were read as (a benchmark repeating its questions
        would otherwise time the memory, not the reading)."""
        self._typos_memo.clear()

    def _near_lengths(self, size: int, length: int, typos: int) -> list[str]:
        """The fuzzy phrases of `size` tokens within `typos` letters of `length` long, in their order:
        no other phrase is within `typos` edits (remembered per size, length and typos)."""
        key = (size, length, typos)
        found = self._phrases_near.get(key)
        if found is None:
            choices = self.fuzzy_phrases.get(size, [])
            found = self._phrases_near[key] = [p for p in choices if abs(len(p) - length) <= typos]
        return found

    def _known_or_common(self, w: str) -> bool:
        return w in self.word_set or w in self.common  # never fuzzed into a vocabulary phrase

    def common_buckets(self) -> dict[tuple[str, int], list[str]]:
        """Ordinary English words by first letter and length, for typos (built on first use: only a
        word no card knows needs them, so the cached index does not carry them)."""
        if self._common_buckets is None:
            buckets: dict[tuple[str, int], list[str]] = {}
            for word in sorted(self.common):
                if len(word) >= MIN_TYPO_WORD:
                    buckets.setdefault((word[0], len(word)), []).append(word)
            self._common_buckets = buckets
        return self._common_buckets

    def tokens(self, query: str, *, purpose: bool = False) -> list[str]:
        """The query's tokens: normalised, name-numbers joined, abbreviations spelled out (without
        the purpose said in passing, "for my newsletter", unless asked for)."""
        text = query[:MAX_CHARS]
        if not purpose and ("our " in text or "my " in text):  # what every purpose said holds
            text = PURPOSE.sub(" ", text)
        if not text.isascii() or self.ascii_signs:
            text = spell_signs(text, self.signs)
        if (
            self.cased_pattern is not None
            and not text.islower()
            and any(w in text for w in self.cased_typed)  # what every match holds
        ):
            text = self.cased_pattern.sub(self._spell_cased, text)
        return self.spelled_out(self._ask_typos(self.join_numbered(normalize(text).split()[:MAX_TOKENS])))

    def _ask_typos(self, toks: list[str]) -> list[str]:
        """Tokens with a typo'd word of a several-word ask corrected ("poeple": "people"); a word the
        cards, the vocabulary or ordinary English know, or a typo of a vocabulary phrase ("Bejing"),
        is never corrected."""
        out = toks
        for i, t in enumerate(toks):
            if len(t) < MIN_TYPO_WORD or t in self.stopwords or t in self.longest or not t.isalpha():
                continue
            w = stem(t)
            if w in self.word_set or w in self.common or w in self.longest_stem:
                continue
            found = self._remembered(("ask", t), partial(self._ask_word, t))
            if found[0] and found[0] != t:
                if out is toks:
                    out = list(toks)
                out[i] = found[0]
        return out

    def _ask_word(self, t: str) -> tuple[str, str]:
        """The word of a several-word ask a typo'd word misspells, or "" (none, or it misspells a
        vocabulary phrase), paired with "" as the memory holds it."""
        return ("" if self._fuzzy_phrase([t]) else _near(t, self.ask_word_buckets) or "", "")

    def _remembered(self, key: tuple[str, str], read: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """What a typo'd word or phrase was read as, read once (all forgotten when the memory is full)."""
        memo = self._typos_memo
        found = memo.get(key)
        if found is None:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            found = memo[key] = read()
        return found

    def names_concept(self, text: str, concept: str) -> bool:
        """Whether a text names a concept by one of its phrases ("regulatory T-cell" names Tregs)."""
        stems = [stem(t) for t in normalize(text).split()]
        return any(
            tuple(stems[i : i + len(p)]) == p
            for p in self.concept_phrases.get(concept, ())
            for i in range(len(stems) - len(p) + 1)
        )

    def spelled_out(self, toks: list[str]) -> list[str]:
        """Normalised tokens with their abbreviations spelled out ("irAEs": immune related adverse events)."""
        longest = self.abbreviation_longest
        if longest.keys().isdisjoint(toks):  # no abbreviation starts at any token
            return toks
        out: list[str] = []
        i = 0
        while i < len(toks):
            most = min(longest.get(toks[i], 0), MAX_ABBREVIATION)
            spelled, n = longest_at(self.abbreviations, toks, i, most)
            if spelled:
                out.extend(spelled)
                i += n
            else:
                out.append(toks[i])
                i += 1
        return out

    def in_units(self, toks: list[str]) -> list[str]:
        """Normalised tokens with each unit read as the one it stands for ("mcg": "ug", "million iu":
        "miu"), and a number typed against its unit split from it ("0miu": "0", "miu")."""
        out: list[str] = []
        i = 0
        while i < len(toks):
            unit, n = longest_at(self.units, toks, i, self.longest_unit)
            if unit:
                out.append(unit)
                i += n
            else:
                m = RUN_IN_UNIT.match(toks[i])
                unit = self.units.get((m.group(2),)) if m else None
                out.extend((m.group(1), unit) if m and unit else (toks[i],))
                i += 1
        return out

    def asked_units(self, norm: str) -> tuple[str, ...]:
        """The units a question asks a figure in: units typed with no number before them ("the dose
        in IU/kg": iu, kg; not "40 ug/ml", which states one)."""
        said = norm.split()
        if self.unit_starts.isdisjoint(said):  # most questions name no unit
            return ()
        toks = [t for t in self.in_units(said) if t != PER]
        names = self.unit_names
        for i, tok in enumerate(toks):
            if tok in names and not (i and (toks[i - 1].isdigit() or toks[i - 1] in names)):
                return tuple(takewhile(names.__contains__, toks[i:]))
        return ()

    def states_units(self, text: str, units: tuple[str, ...]) -> bool:
        """Whether a text states a number in those units, among others ("125,000 IU/kg/day" is in
        iu and kg, and per kg)."""
        toks = [t for t in self.in_units(normalize(text).split()) if t != PER]
        names = self.unit_names
        return any(
            tok.isdigit() and set(units) <= set(takewhile(names.__contains__, toks[i + 1 :]))
            for i, tok in enumerate(toks)
        )

    def doses_of(self, text: str, names: frozenset[str], others: frozenset[str] = frozenset()) -> bool:
        """Whether a text states an amount (a number in a unit) within a few words of one of those
        names ("IL2 2.4 MIU/m", "ld-IL2 (1 million IU/day)"; not "s.c. IL-2 on d8-12"), and no nearer
        to another drug's name ("corticosteroids (≤1.0 mg/kg), hydroxychloroquine": the steroid's)."""
        toks = self.in_units(normalize(text).split())
        named = [i for i, t in enumerate(toks) if stem(t) in names]
        other = [i for i, t in enumerate(toks) if stem(t) in others]
        units = self.unit_names
        return any(
            abs(i - n) <= BESIDE and all(abs(i - o) >= abs(i - n) for o in other)
            for i, t in enumerate(toks[:-1])
            if t.isdigit() and toks[i + 1] in units
            for n in named
        )

    def numbers_beside(self, text: str, names: frozenset[str], asked: frozenset[str]) -> bool:
        """Whether a text states a number (one not asked) within a few words of one of those names
        ("CD4 count increased from 200 to over 500" beside "CD4", not beside "CD8")."""
        toks = normalize(text).split()
        named = [i for i, t in enumerate(toks) if stem(t) in names]
        said = [i for i, t in enumerate(toks) if t.isdigit() and t not in asked]
        return any(abs(i - n) <= BESIDE for i in said for n in named)

    def _spell_cased(self, m: re.Match[str]) -> str:
        return self.cased_words.get(re.escape(m.group(0)), m.group(0))

    def read(self, query: str) -> Reading:
        """Split a query into concepts, fact kinds asked, known words and unknown words."""
        toks = self.tokens(query)
        reading = Reading(" ".join(toks), [], [], [], [], [], self._is_followup(toks), 0, [], frozenset())
        advice = self._asks_advice(toks)
        if not advice and ("our " in query or "my " in query) and PURPOSE.search(query[:MAX_CHARS]):
            advice = self._asks_advice(self.tokens(query, purpose=True))  # "is it safe for my son"
        stems = [stem(t) for t in toks]
        leftovers: list[list[str]] = [[]]
        idioms: list[tuple[str, str]] = []
        free: list[list[str]] = [[]]  # stemmed runs outside subject names, where fact kinds are asked
        slotted: list[str] = []  # the question with each subject's name read as "it"
        i = 0
        starts, stem_starts = self.longest, self.longest_stem
        phrases, stem_phrases = self.phrases, self.stem_phrases
        while i < len(toks):
            longest = max(starts.get(toks[i], 0), stem_starts.get(stems[i], 0))
            if not longest:  # most words start no phrase
                leftovers[-1].append(toks[i])
                free[-1].append(stems[i])
                slotted.append(toks[i])
                i += 1
                continue
            for n in range(min(longest, MAX_PHRASE, len(toks) - i), 0, -1):
                concept = phrases.get(tuple(toks[i : i + n])) or stem_phrases.get(tuple(stems[i : i + n]))
                if concept:
                    if concept not in self.topic_ids:
                        slotted.append(SLOT)
                    elif not (concept in self.colour_topics and slotted and slotted[-1] == SLOT):
                        slotted += toks[i : i + n]
                    self._add_concept(reading, concept)
                    # The words still tell cards apart ("exclusion" vs "inclusion" criteria).
                    said = [w for w in stems[i : i + n] if w in self.word_set and w not in self.stopwords]
                    reading.words.extend(said)
                    if concept in self.topic_ids:
                        free[-1].extend(stems[i : i + n])
                        if n >= IDIOM:
                            idioms.extend((w, concept) for w in said)
                    else:
                        free.append([])
                    leftovers.append([])
                    i += n
                    break
            else:
                leftovers[-1].append(toks[i])
                free[-1].append(stems[i])
                slotted.append(toks[i])
                i += 1
        self._read_gapped_studies(reading, toks)
        self._drop_study_places(reading)
        # A topic or kind asked around a subject's name: "what does IL-7 do" is "what does it do".
        slot_asked: set[str] = set()
        for topic, kind, phrase in self._slot_phrases(slotted):
            if topic:
                self._add_concept(reading, topic)
            if kind and kind not in reading.kinds:
                reading.kinds.append(kind)
                slot_asked.update(stem(w) for w in phrase if w != SLOT)
        for run in leftovers:
            self._read_run(reading, run)
        # Asks read across a subject's name too: "how many [melanoma] patients".
        free_words = [w for run in free for w in run]
        asked = self._read_kinds(reading, free_words) | slot_asked
        asked |= self._read_gapped_asks(reading, stems)
        asked |= self._read_named_asks(reading, stems, set(free_words))
        units = self.asked_units(reading.norm)
        if units and not reading.kinds:  # "the standard regimen in IU/kg" asks a dose
            reading.kinds.extend(dict.fromkeys(self.unit_asks[u] for u in units if u in self.unit_asks))
        if toks and toks[-1] in self.last_asks and reading.subjects and not reading.kinds:
            reading.kinds.append(self.last_asks[toks[-1]])  # a name, then "n": its enrollment
            asked.add(toks[-1])
        self._narrow_kinds(reading, stems)
        loose = sum(1 for run in leftovers for t in run if t not in self.stopwords and stem(t) not in asked)
        if asked and (reading.common or reading.unknown):  # "markets" in "who markets it" asked
            reading.common[:] = [w for w in reading.common if stem(w) not in asked]
            reading.unknown[:] = [w for w in reading.unknown if stem(w) not in asked]
        span = self._focus_span(toks, reading.words)
        # norm, subjects, topics, words, unknown, kinds, followup, loose, common, asking, advice, focus, span,
        # idioms, units, decimals
        return Reading(
            *reading[:7],
            loose,
            reading.common,
            frozenset(asked),
            advice,
            span[0] if span else "",
            span,
            tuple(idioms),
            units,
            tuple(DECIMAL.findall(query)) if "." in query else (),
        )

    def _narrow_kinds(self, reading: Reading, stems: list[str]) -> None:
        """Read a kind asked as the kind a narrowing word makes it ("how many people quit"), and drop
        the kinds another kind asked is asked instead of, and the topics its words said."""
        if self.replaces:
            replaced = {x for k in reading.kinds for x in self.replaces.get(k, ())}
            if replaced:
                reading.kinds[:] = [k for k in reading.kinds if k not in replaced]
        if self.drops_topics:
            dropped = {t for k in reading.kinds for t in self.drops_topics.get(k, ())}
            if dropped:
                reading.topics[:] = [t for t in reading.topics if t not in dropped]
        for n, kind in enumerate(reading.kinds):
            narrowed = self.narrowing.get(kind)
            if narrowed is not None and not narrowed[1].isdisjoint(stems):
                if narrowed[0] in reading.kinds:
                    reading.kinds.remove(kind)
                else:
                    reading.kinds[n] = narrowed[0]
                return

    def _drop_study_places(self, reading: Reading) -> None:
        """An organisation read only from words of a study's name asked ("the Peking SLE trial") is
        that study's place, not asked about of its own."""
        kinds = self.kinds
        studies = [s for s in reading.subjects if kinds.get(s) == STUDY]
        if not studies or all(kinds.get(s) != ORGANIZATION for s in reading.subjects):
            return
        named = {w for s in studies for w in self.subject_words.get(s, ())}
        said = set(reading.words)
        reading.subjects[:] = [
            s
            for s in reading.subjects
            if kinds.get(s) != ORGANIZATION or not said & self.subject_words.get(s, frozenset()) <= named
        ]

    def _read_gapped_studies(self, reading: Reading, toks: list[str]) -> None:
        """Add a study named with a drug's name inside its own ("Rosenzwajg ld-IL2 study")."""
        if self.drug_words.isdisjoint(toks) or self.study_phrase_words.isdisjoint(toks):
            return
        gapped = [t for t in toks if t not in self.drug_words]
        for i in range(len(gapped) - 1):
            for n in range(min(MAX_PHRASE, len(gapped) - i), 1, -1):
                concept = self.study_phrases.get(tuple(gapped[i : i + n]))
                if concept:
                    self._add_concept(reading, concept)
                    break

    def _slot_phrases(self, slotted: list[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """The topic and kind of each phrase about "it" in the question read with its subjects as "it"."""
        if SLOT not in slotted:
            return []
        # Filler between the words of a phrase is skipped ("did the [study] actually work"), and a
        # run of subjects is one "it" ("does [IL-2] in [lupus] work").
        folded = [AUXILIARY.get(w, w) for w in slotted]
        kept = [w for w in folded if w in self.slot_words or w in WH_WORDS or w not in self.stopwords]
        slotted = [w for n, w in enumerate(kept) if not (w == SLOT and n and kept[n - 1] == SLOT)]
        found: list[tuple[str, str, tuple[str, ...]]] = []
        i, n = 0, len(slotted)
        while i < n:  # the longest phrase at each place: "how does it work", not also "does it work"
            if slotted[i] not in self.slot_starts:
                i += 1
                continue
            sizes = range(min(MAX_PHRASE, n - i), 1, -1)
            k = next((k for k in sizes if tuple(slotted[i : i + k]) in self.slot_phrases), 0)
            if k and i and slotted[i - 1] in WH_WORDS:  # "when did it work start": "work" is a noun
                k = 0
            if k:
                phrase = tuple(slotted[i : i + k])
                found.append((*self.slot_phrases[phrase], phrase))
            i += k or 1
        return found

    def _asks_advice(self, toks: list[str]) -> bool:
        """Whether an advice phrase ("should i take") occurs in the question, not right after a
        which/what word ("who should i talk to" asks for a contact), nor in what a person asked about
        is to help decide ("who can help her decide whether it is right for her", "who should help me
        decide if it is right for me")."""
        n, starts = self.max_advice, self.advice_starts
        if starts.isdisjoint(toks):
            return False
        who = toks.index(ASKS_A_PERSON) if ASKS_A_PERSON in toks else len(toks)
        return any(
            tuple(toks[i : i + k]) in self.advice
            for i, t in enumerate(toks)
            if t in starts
            and not (i and toks[i - 1] in WH_WORDS)
            and not (who < i and not EMBEDS.isdisjoint(toks[who:]))
            for k in range(1, n + 1)
        )

    def _focus_span(self, toks: list[str], words: list[str]) -> tuple[str, ...]:
        """What the first which/what/how-many opening asks for: the known words of the FOCUS_SPAN
        words after it, stemmed, from the one right after it ("what kind of molecule": molecule)."""
        starts = self.opener_starts
        for i in range(len(toks) - 1):
            if toks[i] not in starts:
                continue
            sizes = range(min(self.max_opener, len(toks) - i - 1), 0, -1)
            n = next((n for n in sizes if tuple(toks[i : i + n]) in self.focus_openers), 0)
            if n:
                rest, whole = toks[i + n :], ""
                while len(rest) > 1 and (rest[0] in PARTITIVE or rest[0].isdigit()):
                    whole = rest[0] if rest[0].isdigit() else whole
                    rest = rest[1:]  # "how many of the 46 patients": patients
                if stem(rest[0]) not in words:
                    return (whole,) if whole else ()  # "how many of the 46 had lupus": a part of 46
                return tuple(w for t in rest[:FOCUS_SPAN] if (w := stem(t)) in words)
        return ()

    def _read_gapped_asks(self, reading: Reading, stems: list[str]) -> set[str]:
        """Add the kinds asked in two parts ("what did the CROI presentation show"), or by a
        which/what ask one word on ("which Danish centres" asks "which centre"); return the words
        that asked."""
        asked: set[str] = set()
        present = set(stems)  # an ask whose first word is not in the question is not tried
        for before, after, kind in self.apart_asks:
            if kind in reading.kinds or before[0] not in present:
                continue
            a, b = len(before), len(after)
            for i in range(len(stems) - a - b):
                if tuple(stems[i : i + a]) != before:
                    continue
                last = min(len(stems) - b, i + a + APART)
                if any(tuple(stems[j : j + b]) == after for j in range(i + a + 1, last + 1)):
                    reading.kinds.append(kind)
                    asked.update((*before, *after))
                    break
        for i in range(len(stems) - 2):
            opener, between, word = stems[i], stems[i + 1], stems[i + 2]
            if opener not in GAPPED_OPENERS or between in self.stopwords:
                continue  # the word between is a content word ...
            if (opener, between) in self.kind_asks:
                continue  # ... that asks nothing itself
            one_on = self.kind_asks.get((opener, word))
            if one_on and one_on not in reading.kinds:
                reading.kinds.append(one_on)
                return asked | {word}
        return asked

    def _is_followup(self, toks: list[str]) -> bool:
        if not toks or toks[0] not in self.followup_starts:
            return False
        return any(tuple(toks[:n]) in self.followups for n in range(1, 4))

    def _read_named_asks(self, reading: Reading, stems: list[str], free: set[str]) -> set[str]:
        """Add the kinds a which/what asks of a word that names a subject too ("which cancers is IL-7
        studied in": cancer types, though "cancers" names the subject cancer); return the words."""
        words: set[str] = set()
        for i, w in enumerate(stems):
            if w not in WH_WORDS:
                continue
            for n in range(min(self.ask_longest.get(w, 0), len(stems) - i), 1, -1):  # the longest ask
                gram = tuple(stems[i : i + n])  # ("which cancer centre": a place, not cancer types)
                kind = self.kind_asks.get(gram)
                if kind:
                    if not free.issuperset(gram[1:]) and kind not in reading.kinds:
                        reading.kinds.append(kind)
                        words.update(gram)
                    break
        return words

    def _read_kinds(self, reading: Reading, run: list[str]) -> set[str]:
        """Add the fact kinds a run of stemmed words asks for; return the words that asked."""
        words: set[str] = set()
        alone: list[str] = []  # kinds asked only by a phrase that asks for them alone
        alone_words: dict[str, set[str]] = {}  # ... and the words of those phrases
        specific: set[str] = set()
        specific_words: set[str] = set()
        i = 0
        starts = self.ask_longest
        while i < len(run):
            longest = starts.get(run[i], 0)
            if not longest:
                i += 1
                continue
            sizes = range(min(longest, len(run) - i), 1, -1)
            skip = next((n for n in sizes if tuple(run[i : i + n]) in self.not_asks), 0)
            if skip:  # "primary outcome": its words ask for nothing here
                i += skip
                continue
            for n in range(min(longest, len(run) - i), 0, -1):
                gram = tuple(run[i : i + n])
                kind = self.kind_asks.get(gram)
                if kind:
                    words.update(gram)
                    choice = CHOICE in run[i - 1 : i] or CHOICE in run[i + n : i + n + 1]
                    if gram in self.alone_asks and not choice:  # "IV or under the skin?" asks it
                        alone.append(kind)
                        alone_words.setdefault(kind, set()).update(gram)
                    else:
                        specific.add(kind)
                        specific_words.update(gram)
                    if kind not in reading.kinds:
                        reading.kinds.append(kind)
            i += 1
        for kind in alone:
            # asked alone, unless another kind is asked, or it is a drug's and nothing is named
            # ("how much PGA worsening is allowed": no dose)
            if kind in specific or kind not in reading.kinds:
                continue
            if specific or (kind in self.per_drug_kinds and not reading.subjects):
                reading.kinds.remove(kind)  # ... and its words ask nothing ("when was it approved")
                words -= alone_words[kind] - specific_words
        return words

    def join_numbered(self, toks: list[str]) -> list[str]:
        """Join a name to the number typed after it ("il 2" -> "il2")."""
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
        # A typo'd phrase has a misspelt word: "at all" is not "T-ALL".
        plain = [w in self.stopwords or self._known_or_common(stem(w)) for w in run]
        i = 0
        while i < len(run):
            if all(plain[i : i + 3]):  # no gram from here has a misspelt word
                self._read_word(reading, run[i])
                i += 1
                continue
            for n in (3, 2, 1):
                if i + n > len(run) or all(plain[i : i + n]):
                    continue
                gram = run[i : i + n]
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
        found = self._remembered(("phrase", text), lambda: (self._nearest_phrase(gram, text) or "", ""))
        return found[0] or None

    def _nearest_phrase(self, gram: list[str], text: str) -> str | None:
        """The vocabulary phrase of as many tokens that a typo'd phrase is (its digits unchanged)."""
        choices = self.fuzzy_phrases.get(len(gram))
        if not choices:
            return None
        typos = _typos_allowed(text)
        found = fuzzy.closest(text, self._near_lengths(len(gram), len(text), typos), typos)
        if found is None or _digits(found[0]) != _digits(text):
            return None
        return self.phrases[tuple(found[0].split())]

    def _read_word(self, reading: Reading, word: str) -> None:
        if word in self.stopwords or len(word) < 2:
            return
        w = stem(word)
        if w in self.stopword_stems:  # "wants", "asked", "needs": a stopword's forms say nothing either
            return
        if w in self.word_set:
            reading.words.append(w)
            return
        if w in self.ask_words:
            return  # it asks for a kind of fact (read already)
        if w in self.common:
            reading.common.append(word)
            return
        part, found = self._remembered(("word", word), lambda: self._typo(word, w))
        if part == "words":
            reading.words.append(found)
            kind = self.ask_words.get(found)  # "sponser": the cards' "sponsor", and it asks
            if kind is not None and kind not in reading.kinds:
                reading.kinds.append(kind)
        elif part == "restored":
            reading.words.append(found)
        elif part == "kinds":
            if self.ask_words[found] not in reading.kinds:
                reading.kinds.append(self.ask_words[found])
        elif part == "common":
            reading.common.append(word)
        elif part == "unknown":
            reading.unknown.append(word)

    def _typo(self, word: str, w: str) -> tuple[str, str]:
        """What a word no card, term or ordinary English holds is read as, tolerating typos (`w` is its
        stem): ("words", the card word it misspells), ("restored", the card word it is with a letter
        dropped), ("kinds", the one-word ask it misspells), ("", "") for a slip in a stopword,
        ("common", ""), or ("unknown", "")."""
        if len(word) >= MIN_TYPO_WORD and not any(ch.isdigit() for ch in w):
            if len(word) >= LONG_SLIP and _near(word, self.stopword_buckets) is not None:
                return "", ""  # a slip in a long word that says nothing ("breifly"), not a card's "brief"
            found = _near(w, self.word_buckets)
            if found is not None:
                return "words", found
            # A one-word ask is one of a few dozen words: two slips are tolerated from LONG_ASK letters.
            found = _near(word, self.ask_buckets, ASK_TYPOS if len(word) >= LONG_ASK else None)
            if found is not None:
                return "kinds", found
            if _near(word, self.stopword_buckets) is not None:
                return "", ""  # a slip in a word that says nothing ("beeing")
            if _near(w, self.common_buckets()) is not None:
                return "common", ""
        elif len(word) == MIN_TYPO_WORD - 1 and word.isalpha():
            found = _restored(word, self.word_buckets)
            if found is not None:  # "stdy": a short word with the commonest slip, a letter dropped
                return "restored", found
        return "unknown", ""


def _near(word: str, buckets: dict[tuple[str, int], list[str]], typos: int | None = None) -> str | None:
    """The word of the buckets within `typos` edits (default: those allowed for its length) that
    starts with the same letter, if any."""
    typos = _typos_allowed(word) if typos is None else typos
    # Of equally near words, the same length first, then one letter more (a letter dropped is the
    # commonest slip: "sytem" is "system", not "stem").
    lengths = sorted(range(len(word) - typos, len(word) + typos + 1), key=lambda n: (abs(n - len(word)), -n))
    kin = [x for n in lengths for x in buckets.get((word[0], n), ())]
    found = fuzzy.closest(word, kin, typos)
    return None if found is None else str(found[0])


def _restored(word: str, buckets: dict[tuple[str, int], list[str]]) -> str | None:
    """The one word of the buckets, starting with the same letter, that is this word with a letter
    restored ("stdy": "study"), if there is exactly one."""
    found = {
        x
        for x in buckets.get((word[0], len(word) + 1), ())
        if any(x[:i] + x[i + 1 :] == word for i in range(1, len(x)))
    }
    return found.pop() if len(found) == 1 else None


def _typos_allowed(text: str) -> int:
    """Edits (with transpositions) tolerated in a word or phrase of this length."""
    return 1 if len(text) < SHORT_TYPO else 2


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
