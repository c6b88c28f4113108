"""The neutral answer object that every renderer (terminal, JSON, Block Kit) works from."""

# No `from __future__ import annotations`: typing.NamedTuple would compile each string annotation
# at import, on the `il2bot ask` path (tests/test_startup.py checks).

from typing import Any, Literal, NamedTuple

from bot.cards.model import Card, Citation, Deck
from bot.matcher import Context

ReplyKind = Literal["answer", "abstain", "help", "clarify"]

DISCLAIMER = (
    "Information from the cited sources, not medical advice. "
    "Talk to a health care provider about treatment decisions."
)


class SourceRef(NamedTuple):
    """A citation as shown to a person: the quote, where it is from and how current that is."""

    source_id: str
    source_title: str
    site: str
    quote: str
    reference: str
    url: str | None
    as_of: str  # ISO date the source gives for itself
    as_of_text: str  # that date as the source writes it
    source_url: str | None = None  # the source document itself (not the page a quote's reference names)


class TrialFields(NamedTuple):
    """Registry fields of a trial answer."""

    nct: str | None
    name: str | None
    phase: str | None
    status: str | None
    enrollment: str | None
    location: str | None
    url: str | None


class FactView(NamedTuple):
    """One fact as shown: its text, what kind of evidence it is, and the quotes that support it."""

    text: str
    citations: tuple[SourceRef, ...] = ()
    evidence: str = ""  # evidence type id (facts/vocabulary/evidence.yaml)
    evidence_label: str = ""  # that type as shown beside the fact ("lab or animal study")
    time_sensitive: bool = False  # shown with its date and a warning


class Partial(NamedTuple):
    """A card on the subject asked that lacks the kind of fact asked (offered as context)."""

    id: str
    title: str
    missing: str  # the fact kind asked for and absent ("enrollment")


class HelpGroup(NamedTuple):
    """What help lists for one kind of subject: the names the cards cover and example questions."""

    kind: str  # a vocabulary subject kind: drug, disease, study
    names: tuple[str, ...]
    examples: tuple[str, ...]


class Answer(NamedTuple):
    """One matched card, ready to show."""

    id: str
    title: str
    kind: str
    score: float
    summary: str
    facts: tuple[FactView, ...]
    citations: tuple[SourceRef, ...]
    as_of: str
    trial: TrialFields | None = None
    answering: tuple[int, ...] = ()  # indices into `facts` that answer the question, best first

    def fact_refs(self, i: int) -> tuple[SourceRef, ...]:
        """The citations supporting fact i (none if there is no fact i)."""
        return self.facts[i].citations if 0 <= i < len(self.facts) else ()


class Reply(NamedTuple):
    """What the bot says to one query: answers best first, or an abstention, or help."""

    query: str
    kind: ReplyKind
    matches: tuple[Answer, ...] = ()
    suggestions: tuple[str, ...] = ()
    more: bool = False  # more matches exist beyond those shown
    offset: int = 0  # how many better matches were skipped (for "More results")
    examples: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    reason: str = ""  # why the matcher answered or abstained (a named rule of the abstention policy)
    partial: Partial | None = None  # abstained: the card on the subject that lacks the fact asked
    choices: tuple[str, ...] = ()  # clarify: the subjects to choose from ("which drug or study?")
    catalog: tuple[HelpGroup, ...] = ()  # help: the drugs, diseases and studies covered, with examples
    subjects: tuple[str, ...] = ()  # vocabulary ids the question was about: a follow-up inherits them
    card_id: str = ""  # the card answered (or offered as context): a follow-up's context
    about: tuple[str, ...] = ()  # topic ids the question asked about: a follow-up naming none inherits them

    def context(self) -> Context | None:
        """What the adapter keeps for the next follow-up in this thread or DM (None: nothing to keep)."""
        return Context(self.subjects, self.card_id, self.about) if self.subjects else None

    @property
    def answered(self) -> bool:
        """Whether the bot gives an answer (not an abstention or help)."""
        return self.kind == "answer"

    def to_json(self) -> dict[str, Any]:
        """The `il2bot ask --json` contract."""
        return {
            "query": self.query,
            "answered": self.answered,
            "kind": self.kind,
            "matches": [
                {
                    "id": a.id,
                    "title": a.title,
                    "kind": a.kind,
                    "score": round(a.score, 1),
                    "summary": a.summary,
                    "facts": [f.text for f in a.facts],
                    "fact_quotes": [[c.quote for c in f.citations] for f in a.facts],
                    "fact_evidence": [f.evidence for f in a.facts],
                    "citations": [
                        {
                            "source": c.source_title,
                            "site": c.site,
                            "quote": c.quote,
                            "reference": c.reference,
                            "url": c.url,
                            "as_of": c.as_of,
                        }
                        for c in a.citations
                    ],
                    "as_of": a.as_of,
                    "trial": None
                    if a.trial is None
                    else {
                        k: getattr(a.trial, k)
                        for k in ("nct", "name", "phase", "status", "enrollment", "location", "url")
                    },
                }
                for a in self.matches
            ],
            "answer": [
                {"text": f.text, "quotes": [c.quote for c in f.citations], "evidence": f.evidence}
                for f in (self.matches[0].facts[i] for i in self.matches[0].answering)
            ]
            if self.matches
            else [],
            "reason": self.reason,
            "subjects": list(self.subjects),
            "choices": list(self.choices),
            "partial": None
            if self.partial is None
            else {"id": self.partial.id, "title": self.partial.title, "missing": self.partial.missing},
            "suggestions": list(self.suggestions),
            "more": self.more,
        }


def trial_url(nct: str | None) -> str | None:
    """The registry page of an NCT number."""
    return f"https://clinicaltrials.gov/study/{nct}" if nct else None


def _source_ref(deck: Deck, c: Citation) -> SourceRef:
    s = deck.sources[c.source]
    return SourceRef(
        source_id=s.id,
        source_title=s.title,
        site=s.site,
        quote=c.quote,
        reference=c.ref,
        url=c.url or s.url,
        as_of=s.date,
        as_of_text=s.date_text,
        source_url=s.url,
    )


def answer_from_card(deck: Deck, card: Card, score: float, answering: tuple[int, ...] = ()) -> Answer:
    """Turn a card into an Answer, resolving its sources and dates."""
    refs = [_source_ref(deck, c) for c in card.citations()]
    labels = deck.evidence or {}
    facts = tuple(
        FactView(
            text=f.text,
            citations=tuple(dict.fromkeys(_source_ref(deck, c) for c in f.citations)),
            evidence=f.evidence,
            evidence_label=labels.get(f.evidence, ""),
            time_sensitive=f.time_sensitive,
        )
        for f in card.facts
    )
    trial = None
    if card.trial is not None:
        t = card.trial
        trial = TrialFields(t.nct, t.name, t.phase, t.status, t.enrollment, t.location, trial_url(t.nct))
    return Answer(
        id=card.id,
        title=card.title,
        kind=card.kind,
        score=score,
        summary=card.summary,
        facts=facts,
        citations=tuple(refs),
        as_of=deck.as_of(card),
        trial=trial,
        answering=answering,
    )
