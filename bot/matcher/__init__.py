"""Turn what a person types into the right cards and facts, or an honest abstention.

`reader` reads a query into subjects, topics, fact kinds and words; `index` holds what is built
once per deck (and cached); `scorer` ranks cards and facts with one `Tuning`; `policy` holds the
named rules for abstaining. `Matcher` puts them together and carries follow-ups over from a context.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every string annotation
# at import, which costs `il2bot ask` about 0.1 ms a field (tests/test_startup.py checks).
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from bot.cards.model import DISEASE, DRUG, STUDY, TRIAL_CARD, Deck
from bot.matcher.index import OVERVIEW, Index, stem
from bot.matcher.kinds import ONE_STUDY_KINDS, given_by_trial_field, gives_kind
from bot.matcher.policy import Case, abstain_reason, coverage_needed, kind_label
from bot.matcher.reader import Reader, Reading
from bot.matcher.scorer import (
    TUNING,
    Hit,
    Search,
    Tuning,
    answering_facts,
    fact_strength,
    fact_strength_bound,
    is_focused,
    rank,
)

if TYPE_CHECKING:  # the lexicon is read only when building (not on the `il2bot ask` path)
    from bot.matcher.lexicon import Lexicon

__all__ = ["Context", "Hit", "Matcher", "Reading", "Result", "Tuning", "stem"]

CONTEXT_KINDS = (DRUG, STUDY)  # what a follow-up inherits when it names none of its own
CHOICE_KINDS = (DRUG, STUDY)  # what the bot asks about when a follow-up has no context
PREAMBLE_KINDS = (DRUG, STUDY, DISEASE)  # what a long message's question inherits from its context
SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
REFERS_BACK = frozenset(("it", "this", "that", "they", "them"))  # a question about what its context named


class Context(NamedTuple):
    """The previous answer in a thread or DM: what a follow-up question inherits."""

    subjects: tuple[str, ...] = ()
    card_id: str = ""
    topics: tuple[str, ...] = ()  # what it asked about: "what about HIV?" after "side effects of IL-2"


class Result(NamedTuple):
    """What the matcher found for one query."""

    query: str
    answered: bool
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]
    reason: str = ""
    answering: tuple[int, ...] = ()  # facts of the first hit that answer, best first
    partial: Hit | None = None  # abstained: the card on the subject that lacks the fact kind asked
    missing: str = ""  # the label of the fact kind it lacks
    subjects: tuple[str, ...] = ()  # what the question was about (for the next follow-up)
    topics: tuple[str, ...] = ()  # the topics it asked about (for the next follow-up)
    clarify: tuple[str, ...] = ()  # a follow-up with no context: the subjects to choose from


class Matcher:
    """Scores cards and facts against queries; build once per deck, then call search()."""

    def __init__(self, deck: Deck, lexicon: "Lexicon | None" = None, tuning: Tuning = TUNING) -> None:
        if lexicon is None:
            from bot.matcher.lexicon import default_lexicon

            lexicon = default_lexicon()
        self.deck = deck
        self.tuning = tuning
        self.index = Index(deck, lexicon, tuning)
        self.reader = Reader(deck, self.index, lexicon)
        self.cards = self.index.cards
        self.positions = self.index.positions
        self.exact: dict[str, int] = {}
        for i, card in enumerate(self.cards):
            for text in (card.id, card.title):
                self.exact.setdefault(" ".join(self.reader.tokens(text)), i)
        self.foreign_suffixes = tuple(deck.foreign_suffixes)
        self.disease_suffixes = tuple(deck.disease_suffixes)
        self.choices = self._choices(deck)

    def read(self, query: str) -> Reading:
        """Split a query into concepts, fact kinds asked, known words and unknown words."""
        return self.reader.read(query)

    def search(self, query: str, *, limit: int = 3, context: Context | None = None) -> Result:
        """The best cards for a query, best first, or an abstention with suggestions."""
        r = self.read(query)
        need = limit + 2  # the answers, and two more to suggest
        exact = self.exact.get(r.norm)
        if exact is not None:
            hit = Hit(self.cards[exact], 100.0, 1.0, 1.0, 1.0, exact)
            s = Search(self.index, r, self.tuning)
            others = [h for h in rank(self.index, r, need, self.tuning, s=s) if h.position != exact]
            return Result(
                query,
                True,
                (hit, *others[: limit - 1]),
                self._titles(others[limit - 1 : limit + 2]),
                "the question is a card's title",
                answering_facts(self.index, self.index.entries[exact], r, self.tuning, s),
                subjects=self._subjects(r, hit),
                topics=tuple(r.topics),
            )
        r = self._question_part(query, r)
        if self._is_followup(r):
            if context is None or not context.subjects:
                return Result(
                    query, False, (), (), "a follow-up with no earlier answer to follow", clarify=self.choices
                )
            r = self._inherit(r, context)
        # A card on another drug, study or disease never answers.
        keep = self._keep(r)
        s = Search(self.index, r, self.tuning)  # what one ranking pass computes, the next reuses
        hits = rank(self.index, r, need, self.tuning, keep=keep, s=s)
        if r.kinds and hits:
            hits = self._prefer_kind(r, hits, keep, s)
        if hits:
            hits = self._prefer_fact(r, hits, keep, s)
        case = Case(
            r, hits, self.index, self.reader, self.foreign_suffixes, self.tuning, self.disease_suffixes
        )
        if hits:
            hits = case.hits = self._prefer_covering(case)
            hits = case.hits = self._prefer_superset(case)
        reason, partial = abstain_reason(case)
        if partial:
            kinds = self.index.kinds
            studies = {s for s in r.subjects if kinds.get(s, STUDY) == STUDY}
            # Offer the study's own card (ESPRIT's, not a side-effect card that also names it).
            offered = next(
                (h for h in hits if h.card.kind in ONE_STUDY_KINDS and studies & set(h.card.subjects)),
                None,
            )
            if offered is None and not is_focused(self.index, r.topics, self.tuning) and self._names_only(r):
                # nothing but the fact asked of a subject ("cost of IL-7"): the card introducing it
                entries = self.index.entries
                offered = max(hits, key=lambda h: entries[h.position].hub)  # the first of the most
            offered = offered or hits[0]
            if context is not None:  # offer the card the thread was about, when it lacks that too
                offered = next(
                    (
                        h
                        for h in hits
                        if h.card.id == context.card_id
                        and not any(gives_kind(self.index, self.reader, r, h.position, k) for k in r.kinds)
                    ),
                    offered,
                )
            missing = next(
                (k for k in r.kinds if not gives_kind(self.index, self.reader, r, offered.position, k)),
                r.kinds[0],
            )
            return Result(
                query,
                False,
                (),
                self._titles(h for h in hits[:4] if h is not offered),
                reason,
                partial=offered,
                missing=kind_label(self.index, missing),
                subjects=self._subjects(r, offered),
                topics=tuple(r.topics),
            )
        if reason:
            suggest = self._titles(rank(self.index, r, 3, self.tuning, s=s)) or self.deck.examples[:4]
            return Result(query, False, (), suggest, reason)
        best = hits[0].score
        close = [h for h in hits[limit:] if h.score >= best - self.tuning.suggest_margin]
        return Result(
            query,
            True,
            tuple(hits[:limit]),
            self._titles(close[:3]),
            "the best card is about what was asked",
            answering_facts(self.index, self.index.entries[hits[0].position], r, self.tuning, s),
            subjects=self._subjects(r, hits[0]),
            topics=tuple(r.topics),
        )

    # -- long messages ---------------------------------------------------------------------

    def _question_part(self, query: str, r: Reading) -> Reading:
        """A message that sets out its context before asking (a long one, or one that ends with its
        question): read the sentences that ask (end in "?"), about the drugs, studies and diseases
        the whole message names."""
        if "?" not in query:
            return r  # no sentence asks
        sentences = [x.strip() for x in SENTENCE_END.split(query) if x.strip()]
        asking = [x for x in sentences if x.endswith("?")]
        if not asking or len(asking) == len(sentences):
            return r
        said = len(r.words) + len(r.unknown) + len(r.common)
        if said <= self.tuning.long_question and not sentences[-1].endswith("?"):
            return r
        q = self.read(" ".join(asking))
        if not (q.subjects or q.topics or q.kinds or q.words):
            return r
        kinds = self.index.kinds
        named = [s for s in r.subjects if s not in q.subjects and kinds.get(s, STUDY) in PREAMBLE_KINDS]
        if not q.subjects and not named and REFERS_BACK.intersection(q.norm.split()):
            # "... what an 'immune modulator' means. How does the page define it?": it is the context's
            return q._replace(
                topics=[*q.topics, *(x for x in r.topics if x not in q.topics)],
                words=[*q.words, *(w for w in r.words if w not in q.words)],
                followup=False,
            )
        return q._replace(subjects=[*q.subjects, *named], followup=False)

    # -- follow-ups ------------------------------------------------------------------------

    def _names_main(self, r: Reading) -> bool:
        return any(self.index.kinds.get(s, STUDY) in CONTEXT_KINDS for s in r.subjects)

    def _is_followup(self, r: Reading) -> bool:
        """A question that names no drug or study and opens like a follow-up, or names nothing but
        what it asks about ("and the dose?", "what about HIV?", "enrollment?")."""
        if self._names_main(r):
            return False
        postings = self.index.postings
        if any(len(postings.get(f"w:{w}", ())) == 1 for w in r.words):
            return False  # a word only one card holds names what it asks about ("SRI-4")
        if r.followup:  # "and ..." with something asked, in words the cards know
            return not r.unknown and bool(r.subjects or r.topics or r.kinds or r.words)
        asks = bool(r.kinds) or is_focused(self.index, r.topics, self.tuning)
        defines = OVERVIEW in r.topics  # "what does 'immune modulator' mean": the term is the subject
        return asks and not defines and not r.subjects and not r.unknown and r.loose == 0

    def _inherit(self, r: Reading, context: Context) -> Reading:
        """The reading with the context's drug and study (and its disease, unless one is named)."""
        kinds = self.index.kinds
        named_disease = any(kinds.get(s) == DISEASE for s in r.subjects)
        inherited = [
            s
            for s in context.subjects
            if kinds.get(s, STUDY) in CONTEXT_KINDS or (kinds.get(s) == DISEASE and not named_disease)
        ]
        subjects = [*inherited, *(s for s in r.subjects if s not in inherited)]
        topics = r.topics
        if not r.kinds and not is_focused(self.index, r.topics, self.tuning):  # "what about HIV?"
            topics = [*context.topics, *(x for x in r.topics if x not in context.topics)]
        return r._replace(subjects=subjects, topics=topics, followup=False)

    def _subjects(self, r: Reading, hit: Hit) -> tuple[str, ...]:
        """What the answer was about: the subjects asked, else the card's drugs and studies."""
        if r.subjects:
            return tuple(r.subjects)
        kinds = self.index.kinds
        return tuple(s for s in hit.card.subjects if kinds.get(s, STUDY) in CONTEXT_KINDS)

    def _choices(self, deck: Deck) -> tuple[str, ...]:
        """The main subjects to ask about: the drugs cards introduce, then studies with a trial card."""
        own = {s for c in deck.cards if c.kind == TRIAL_CARD for s in c.subjects}
        introduced = {s for c in deck.cards if OVERVIEW in c.topics for s in c.subjects}
        drugs = [t for t in deck.terms.values() if t.kind == DRUG and not t.broader and t.id in introduced]
        studies = [t for t in deck.terms.values() if t.kind == STUDY and t.id in own]
        return tuple(t.terms[0] for t in (*drugs, *studies))

    # -- which cards may answer ------------------------------------------------------------

    def _prefer_kind(
        self, r: Reading, hits: list[Hit], keep: Callable[[int], bool] | None, s: Search
    ) -> list[Hit]:
        """A close card that gives the fact kind asked answers before a better one that does not; a
        card the best one names as related (where the fact lives) may be a little further behind."""
        t = self.tuning

        def gives(position: int) -> bool:
            return self._gives(r, position)

        if gives(hits[0].position):
            return hits
        floor = hits[0].score - t.kind_margin
        for n, h in enumerate(hits[1:], 1):
            if h.score < floor:
                break
            if gives(h.position):
                return [h, *hits[:n], *hits[n + 1 :]]
        related = [
            i
            for cid in hits[0].card.related
            if (i := self.positions.get(cid)) is not None and self._gives_kind_on_subject(r, i)
        ]
        if not related:
            return hits
        floor = max(hits[0].score - t.related_kind_margin, t.answer_threshold)
        found = [
            h
            for h in rank(self.index, r, len(related), t, keep=keep, only=related, s=s, at_least=floor)
            if h.score >= floor
        ]
        if not found:
            return hits
        return [found[0], *(h for h in hits if h.position != found[0].position)]

    def _prefer_fact(
        self, r: Reading, hits: list[Hit], keep: Callable[[int], bool] | None, s: Search
    ) -> list[Hit]:
        """Facts scored across the close cards and the cards the best one names as related: the card
        whose fact answers the question best (the enrollment on the trial's card, not its paper's)
        answers, when it is close enough."""
        t, ix = self.tuning, self.index
        if t.fact_weight <= 0 or (not r.kinds and not r.topics and self._names_only(r)):
            return hits  # a name alone ("ILIADE") asks for its own card, not a fact naming it
        floor = hits[0].score - t.fact_margin
        pool = [h for h in hits if h.score >= floor]
        seen = {h.position for h in hits}
        related = [
            i for cid in hits[0].card.related if (i := self.positions.get(cid)) is not None and i not in seen
        ]
        if related:
            pool += [
                h
                for h in rank(ix, r, len(related), t, keep=keep, only=related, s=s, at_least=floor)
                if h.score >= floor
            ]
        if r.kinds and self._gives(r, hits[0].position):  # the card giving the fact kind asked stays
            pool = [h for h in pool if self._gives(r, h.position)]
        if len(pool) == 1:
            return hits
        # The first card of greatest score plus fact strength (as max() would pick it); a card that
        # could not beat the best so far even with the strongest fact possible is not scored.
        bound = t.fact_weight * fact_strength_bound(ix, r, t, s)
        best, most = hits[0], 0.0
        for n, h in enumerate(pool):
            if n and h.score + bound <= most:
                continue
            value = h.score + t.fact_weight * fact_strength(ix, ix.entries[h.position], r, t, s)
            if n == 0 or value > most:
                best, most = h, value
        if best is hits[0]:
            return hits
        return [best, *(h for h in hits if h.position != best.position)]

    def _prefer_covering(self, case: Case) -> list[Hit]:
        """Of two close cards, one that covers enough of the question answers before a better scored
        one that does not (the exclusion criteria before the trial's own card, for 'cataracts')."""
        hits, t, r = case.hits, self.tuning, case.r
        need = coverage_needed(case)
        if hits[0].coverage >= need:
            return hits
        kind_given = bool(r.kinds) and self._gives(r, hits[0].position)
        for n, h in enumerate(hits[1:], 1):
            if h.score < hits[0].score - t.cover_margin:
                break
            if h.coverage >= need and (not kind_given or self._gives(r, h.position)):
                return [h, *hits[:n], *hits[n + 1 :]]
        return hits

    def _prefer_superset(self, case: Case) -> list[Hit]:
        """Of two close cards, one that holds every word of the question the best one holds, and
        more, answers first ("intervention model": the design card, not the trial's own)."""
        hits, t, r = case.hits, self.tuning, case.r
        entries = self.index.entries

        def held(position: int) -> set[str]:
            e = entries[position]
            return {w for w in r.words if w in e.strong or w in e.weak or w in e.quoted}

        close = [h for h in hits[1:] if h.score >= hits[0].score - t.superset_margin]
        if not close:
            return hits
        best = held(hits[0].position)
        kind_given = bool(r.kinds) and self._gives(r, hits[0].position)
        for h in close:
            if held(h.position) > best and (not kind_given or self._gives(r, h.position)):
                return [h, *(x for x in hits if x is not h)]
        return hits

    def _names_only(self, r: Reading) -> bool:
        """Whether the question's words are only its subjects' names and the words that ask."""
        names = {w for x in r.subjects for w in self.reader.subject_words.get(x, ())}
        return all(w in names or w in r.asking for w in r.words)

    def _gives(self, r: Reading, position: int) -> bool:
        """Whether a card gives a fact of a kind asked, about what was asked."""
        return any(gives_kind(self.index, self.reader, r, position, k) for k in r.kinds)

    def _gives_kind_on_subject(self, r: Reading, position: int) -> bool:
        """Whether a card has a fact of a kind asked that names the study (else the subject) asked:
        the enrollment of a side-effect study is not the enrollment of ESPRIT."""
        kinds = self.index.kinds
        studies = [s for s in r.subjects if kinds.get(s, STUDY) == STUDY]
        named = studies or r.subjects
        names = {w for s in named for w in self.reader.subject_words.get(s, ())}
        if any(given_by_trial_field(self.index, position, k) for k in r.kinds):
            return True  # the registry record of the study the card names as related
        e = self.index.entries[position]
        if self.cards[position].kind in ONE_STUDY_KINDS and set(studies) <= e.subjects:
            # a card on that one study gives a name (its identifier, its sponsor) by any fact; a figure
            # must still be a fact naming the study (a date on the registry card counts nobody)
            figures = self.index.figures
            if any(k not in figures and gives_kind(self.index, self.reader, r, position, k) for k in r.kinds):
                return True
        return any(
            not names.isdisjoint(f.words.split()) for f in e.facts if any(k in f.kinds for k in r.kinds)
        )

    def _keep(self, r: Reading) -> Callable[[int], bool] | None:
        """Which cards may answer: those about what the question names (None: any card).

        One of its drugs, one of its studies, and one of its diseases unless the card names no
        disease at all or the question names a study (then a disease is the patient's: "breast cancer
        before the lupus study"). A kind counts for its kind ("low-dose IL-2" for "IL-2", "melanoma" for
        "cancer") and the other way round; "dose of IL-2 in HIV" is never answered by an IL-7 card.
        """
        kinds, broader, entries = self.index.kinds, self.index.broader, self.index.entries
        named: dict[str, list[str]] = {DRUG: [], STUDY: [], DISEASE: []}
        for s in r.subjects:
            group = named.get(kinds.get(s, STUDY))
            if group is not None:
                group.append(s)
        if named[STUDY]:  # the study decides: a disease named is of the person asking about it
            named[DISEASE] = []
        # A card is on one of a group's subjects when its subjects hold one (a disease not only in
        # passing), its wider subjects hold one, or its subjects hold one's broader term.
        # (For a drug or study, "its subjects hold a name or a broader term" is one set operation.)
        groups = [
            (
                kind == DISEASE,
                names := frozenset(group),
                siblings := frozenset(b for s in group for b in broader.get(s, ())),
                names | siblings,
            )
            for kind, group in named.items()
            if group
        ]
        if not groups:
            return None

        def keep(position: int) -> bool:
            e = entries[position]
            subjects, wider = e.subjects, e.wider
            for disease, names, siblings, either in groups:
                if disease:
                    if not e.kind_counts.get(DISEASE):
                        continue
                    own = subjects - e.passing if e.passing else subjects  # not a disease only mentioned
                    if own.isdisjoint(names) and wider.isdisjoint(names) and subjects.isdisjoint(siblings):
                        return False
                elif subjects.isdisjoint(either) and wider.isdisjoint(names):
                    return False
            return True

        return keep

    @staticmethod
    def _titles(hits: Iterable[Hit]) -> tuple[str, ...]:
        return tuple(h.card.title for h in hits)
