"""The content model: sources, vocabulary, cards and the deck that holds them."""

# No `from __future__ import annotations`: typing.NamedTuple would compile each string annotation
# at import, on the `il2bot ask` path (tests/test_startup.py checks).

from typing import NamedTuple

OVERVIEW_TOPIC = "overview"  # the topic of cards that introduce their subject
TRIALS_TOPIC = "trials"  # the topic of every card about one study (a trial's, a publication's)
APPROVAL_TOPIC = "approval"  # the topic of a drug's approval (a paper's date gives none)
DATE_KIND, REFERENCE_KIND = "date", "reference"  # kinds of fact asked: a date, a publication reference
FUNDER_KIND = "funder"  # ... a funder (whose country is not where a study ran)
PLACE_KIND, SPONSOR_KIND = "place", "sponsor"  # ... where a study ran; who ran it (its institute is no site)
# The kinds of subject a vocabulary term may be (facts/schema/vocabulary.schema.json; also "concept").
DRUG, DISEASE, STUDY, ORGANIZATION, CONCEPT = "drug", "disease", "study", "organization", "concept"
# The kinds of card about one study (facts/schema/card.schema.json): a trial's, a publication's.
TRIAL_CARD, PUBLICATION_CARD = "trial", "publication"
# Vocabulary ids the code cannot work without: `il2bot check` verifies the vocabulary defines each.
RELIED_ON_TOPICS = (OVERVIEW_TOPIC, TRIALS_TOPIC, APPROVAL_TOPIC)
# ... and the kinds of fact, when it defines any
RELIED_ON_KINDS = (DATE_KIND, REFERENCE_KIND, FUNDER_KIND, PLACE_KIND, SPONSOR_KIND)


class CardError(NamedTuple):
    """One problem in the content, located at a file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DeckError(Exception):
    """The content could not be loaded; carries every problem found."""

    def __init__(self, errors: list[CardError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class Source(NamedTuple):
    """One seed document and what it says about itself."""

    id: str
    file: str
    title: str
    site: str
    kind: str
    date: str
    date_text: str
    identifiers: dict[str, str]
    url: str | None
    line: int = 1


class Citation(NamedTuple):
    """A verbatim quote from a seed, with the seed's own reference."""

    source: str
    quote: str
    ref: str
    url: str | None = None


class Fact(NamedTuple):
    """One statement the bot may make, with its citations."""

    text: str
    citations: tuple[Citation, ...]
    evidence: str = ""  # an evidence type id from facts/vocabulary/evidence.yaml
    time_sensitive: bool = False  # its truth changes with time (status, contacts, "currently")


class TrialInfo(NamedTuple):
    """Registry fields of a trial card, each verified against its seed."""

    nct: str | None = None
    name: str | None = None
    phase: str | None = None
    status: str | None = None
    enrollment: str | None = None
    location: str | None = None


class Card(NamedTuple):
    """A curated answer about one subject and topic."""

    id: str
    title: str
    kind: str
    subjects: tuple[str, ...]
    topics: tuple[str, ...]
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    summary: str
    facts: tuple[Fact, ...]
    trial: TrialInfo | None
    file: str
    line: int
    related: tuple[str, ...] = ()  # cards holding facts this one refers to instead of repeating

    def citations(self) -> list[Citation]:
        """Every citation of the card, once each, in order."""
        seen: dict[tuple[str, str], Citation] = {}
        for fact in self.facts:
            for c in fact.citations:
                seen.setdefault((c.source, c.quote), c)
        return list(seen.values())

    def source_ids(self) -> list[str]:
        """The sources the card cites, in order of first citation."""
        return list(dict.fromkeys(c.source for f in self.facts for c in f.citations))


class Term(NamedTuple):
    """A vocabulary entry: a subject or topic and the words that name it."""

    id: str
    label: str
    kind: str  # "topic" or a subject kind: drug, disease, study, organization, concept
    terms: tuple[str, ...]
    file: str
    line: int
    broader: tuple[str, ...] = ()
    weight: float = 1.0  # for topics: how much naming it says about what is asked
    spoken: bool = False  # for topics: a study's own card answers it only where it speaks of it

    @property
    def is_topic(self) -> bool:
        """Whether this term is a topic rather than a subject."""
        return self.kind == "topic"


class Deck(NamedTuple):
    """Everything the matcher needs: cards, vocabulary and sources."""

    cards: list[Card]
    terms: dict[str, Term]
    sources: dict[str, Source]
    stopwords: frozenset[str] = frozenset()
    examples: tuple[str, ...] = ()
    foreign_suffixes: tuple[str, ...] = ()
    disease_suffixes: tuple[str, ...] = ()  # endings of disease names ("sclerosis") the cards may lack
    evidence: dict[str, str] | None = None  # evidence type id -> short label shown beside a fact

    def card(self, card_id: str) -> Card | None:
        """The card with this id, if any."""
        for c in self.cards:
            if c.id == card_id:
                return c
        return None

    def as_of(self, card: Card) -> str:
        """The oldest own-date of the sources a card cites (how current the answer is)."""
        dates = [self.sources[s].date for s in card.source_ids() if s in self.sources]
        return min(dates) if dates else ""
