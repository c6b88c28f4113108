"""Whether a card gives the kind of fact a question asks (a dose, an enrollment, a cut-off): the
facts of that kind about what was asked, in the units, for the drug, group or concept it names."""

from __future__ import annotations

import re

from bot.cards.model import (
    APPROVAL_TOPIC,
    CONCEPT,
    DATE_KIND,
    DISEASE,
    DRUG,
    FUNDER_KIND,
    ORGANIZATION,
    PLACE_KIND,
    PUBLICATION_CARD,
    REFERENCE_KIND,
    SPONSOR_KIND,
    STUDY,
    TRIAL_CARD,
)
from bot.matcher.index import FactEntry, Index, numbers_in, places_in, stem, title_words
from bot.matcher.reader import WH_WORDS, Reader, Reading
from bot.text import fold, normalize

ONE_STUDY_KINDS = (TRIAL_CARD, PUBLICATION_CARD)  # a card of these kinds is about one study, by its names
COUNTED_WITHIN = 3  # words after a number in which what it counts is named ("46 adult patients")
DONE_WITHIN = 6  # ... and what they did ("eleven participants receiving aldesleukin stopped")
DONE_AFTER = 2  # words after what a question counts in which it says what they did ("patients dropped out")
LONGEST_COUNT = 5  # digits of the longest number that counts things in the sources (1,535 patients)
OF = "of"  # "the dose of IL-7": the drug whose dose is asked follows ...
OF_WITHIN = 2  # ... within this many words ("the dose of subcutaneous IL-2")
RARE_WORD_CARDS = 2  # a word on this many cards or fewer, beside "dose", may name a medicine
WORD_KEY = "w:"  # the index's key for a word's postings
SETTING_ASIDE = frozenset(  # "who made it before Clinigen": an organisation other than the one named
    (("before",), ("after",), ("besides",), ("except",), ("other", "than"), ("apart", "from"),
     ("instead", "of"), ("prior", "to"))
)
SET_ASIDE_WITHIN = 2  # words after them in which the organisation set aside is named
NOT_WHERE = frozenset((REFERENCE_KIND, FUNDER_KIND))  # facts whose countries are not where a study ran
NOT_SITES = NOT_WHERE | {SPONSOR_KIND}  # ... nor whose institutions are its sites (a sponsoring institute)
OR = "or"  # "11 or 12?": numbers offered as choices, not stated
SAME_ROOT = 6  # first letters two words share when one root ("metastatic", "metastases")
COUNTING = frozenset(("many", "number", "avg", "average", "total"))  # "how many doses": a count, no amount
CHOICE_WITHIN = 2  # tokens from an "or" within which a choice's number stands ("1 MIU or 3 MIU")
SPELLED_FROM = 4  # letters of the shortest name a fact can spell out (STALWART, DaRenCa; not IL-2)
SPELL_PREFIX = 3  # most letters of a name one word spells ("da-ren-ca": Danish Renal Cancer)


def gives_kind(ix: Index, reader: Reader, r: Reading, position: int, kind: str) -> bool:
    """Whether a card gives a fact of that kind about what was asked: on a card about several
    studies, a fact naming the study asked (ILIADE's enrollment is not ESPRIT's); for a figure
    (an enrollment, a dose), a fact stating a number the question does not ("how many of the 46 had
    lupus?" is not answered by "46 patients")."""
    e = ix.entries[position]
    if kind not in e.fact_kinds:
        return False
    if given_by_trial_field(ix, position, kind):
        return True
    facts = [f for f in e.facts if kind in f.kinds]
    if kind == DATE_KIND and APPROVAL_TOPIC in r.topics:  # a paper's date is no approval's
        facts = [f for f in facts if REFERENCE_KIND not in f.kinds]
        if not facts:
            return False
    if kind in ix.events:  # when it started or finished: not when it was registered or published
        events, topics = ix.events[kind]
        typed = set(map(stem, r.norm.split()))
        words = frozenset().union(*(e for e in events if not e.isdisjoint(typed)))  # the events asked
        if words:
            facts = [
                f for f in facts if not topics.isdisjoint(f.topics) or not words.isdisjoint(f.words.split())
            ]
            if not facts:
                return False
    if kind in ix.per_disease:  # the melanoma approval's date or response rate, on a card about two
        facts = _on_the_disease_asked(ix, reader, r, position, facts)
        if not facts:
            return False
    # the facts' texts, for the checks that read them whole (numbers and what stands beside them)
    naming = ix.kind_named.get(kind, ())
    names_one = bool(naming) and any(re.search(p, r.norm) for p in naming)
    whole = kind in ix.figures or kind in ix.per_concept or kind in ix.per_place or names_one
    said = fact_texts(ix, position) if whole else {}
    if names_one:  # "subcutaneous or IV?": a fact naming a route, not one saying "injections"
        facts = [f for f in facts if any(re.search(p, fold(said[id(f)])) for p in naming)]
        if kind == PLACE_KIND:  # "which hospitals": one named as a site, not the sponsoring institute
            facts = [f for f in facts if NOT_SITES.isdisjoint(f.kinds)]
        if not facts:
            return False
    if kind in ix.per_place:  # "which countries besides the US": a country named, not the US; not
        # by a reference's journal or affiliation, nor by a funder ("European Commission")
        countries, longest = ix.country_names, ix.longest_place
        in_question = set(places_in(r.norm.split(), countries, longest))
        facts = [
            f
            for f in facts
            if NOT_WHERE.isdisjoint(f.kinds)
            and set(places_in(normalize(said[id(f)]).split(), countries, longest)) - in_question
        ]
        if not facts:
            return False
    if kind in ix.spells_name and (spelled := _names_asked(reader, r)):  # "what does ESPRIT stand for":
        # words spelling the name out, in a fact's text or quotes, not the name again
        cards_facts = zip(e.facts, ix.cards[position].facts, strict=True)
        texts = {id(f): (fact.text, *(c.quote for c in fact.citations)) for f, fact in cards_facts}
        facts = [
            f
            for f in facts
            if any(spells(n, normalize(t).split(), ix.stopwords) for n in spelled for t in texts[id(f)])
        ]
        if not facts:
            return False
    if kind in ix.figures:  # a number of its own, not a publication reference's volume and pages
        asked = asked_numbers(r)
        vague = ix.vague_counts.get(kind, frozenset())
        facts = [
            f
            for f in facts
            if (not asked.issuperset(f.numbers) or not vague.isdisjoint(normalize(said[id(f)]).split()))
            and REFERENCE_KIND not in f.kinds
        ]
        if r.units:  # "the dose in IU/kg": a number in IU/kg, not "16.5 total doses"
            facts = [f for f in facts if reader.states_units(said[id(f)], r.units)]
        elif kind in ix.amounts and _which_asks(reader, r, kind) and COUNTING.isdisjoint(r.norm.split()):
            # "what dose did they get": an amount in one of its units, not "16.5 total doses"
            units = ix.amounts[kind]
            facts = [f for f in facts if any(reader.states_units(said[id(f)], (u,)) for u in units)]
        if kind in ix.counted and r.focus_span:  # "how many cycles": a number counting cycles
            counted = set(r.focus_span)
            if not ix.counted[kind].isdisjoint(counted):  # patients, participants, children alike
                counted |= ix.counted[kind]
            counted |= {x for w in r.focus_span for x in ix.related.get(w, ())}  # deaths: died
            spell = reader.spelled_out  # "152 irAEs" counts immune related adverse events
            doing = _doing_asked(reader, r, kind)  # "how many stopped": people who stopped
            people = ix.counted[kind] if doing else frozenset()
            def says(f: FactEntry) -> list[str]:
                return spell(normalize(said[id(f)]).split())

            facts = [f for f in facts if counts(says(f), counted, asked, doing, people, vague)]
        facts = _of_the_group_asked(ix, reader, r, position, facts)
        if not facts:
            return False
    if kind in ix.per_each:  # "is HD IL-2 better than nivolumab": a card about both, not one
        about = e.subjects | e.wider
        if any(s not in about for s in r.subjects if ix.kinds.get(s) != DISEASE):
            return False
    measures = [s for s in r.subjects if ix.kinds.get(s) == CONCEPT] if kind in ix.per_measure else []
    if measures:  # "did IL-7 shrink the HIV reservoir": a result naming the reservoir
        measured = said or fact_texts(ix, position)
        for concept in measures:
            facts = [f for f in facts if reader.names_concept(measured[id(f)], concept)]
        if not facts:
            return False
    if kind in ix.said_of and (what := _said_of(reader, r, ix.said_of[kind])):  # "what % had brain mets":
        stated = said or fact_texts(ix, position)  # a rate naming brain metastases (or its lay word)
        what |= {x for w in what for x in ix.related.get(w, ())}
        facts = [f for f in facts if _names_any(what, reader.spelled_out(normalize(stated[id(f)]).split()))]
        if not facts:
            return False
    if kind in ix.per_concept:  # "how much did CD8 counts rise": a number beside "CD8"
        names = {w for s in r.subjects for w in reader.concept_words.get(s, ())}
        if names:
            asked = asked_numbers(r)
            facts = [f for f in facts if reader.numbers_beside(said[id(f)], frozenset(names), asked)]
            if not facts:
                return False
    if kind in ix.per_organization and not WH_WORDS.isdisjoint(r.norm.split()):
        named = _organizations_named(ix, reader, r)  # "who made it before Clinigen"
        facts = [f for f in facts if named.isdisjoint(f.words.split())]
        if not facts:
            return False
    if kind in ix.per_drug and _on_a_sibling_drug(ix, r, position):
        return False  # low-dose IL-2's dose is not the high-dose regimen asked
    if kind in ix.per_drug and kind in ix.figures:  # "the isotretinoin dose": a fact naming it
        other = _other_the_kind_names(ix, reader, r)
        if other and all(other.isdisjoint(f.words.split()) for f in facts):
            return False
    named = _drug_the_kind_names(ix, reader, r) if kind in ix.per_drug else frozenset()
    if named and all(named.isdisjoint(f.words.split()) for f in facts):
        return False  # "what IL-2 dose": not the antibody's dose on a card about both
    if named and kind in ix.figures:  # ... and, in a fact naming another drug too, an amount said
        # of IL-2 ("IFN 3 MIU ... and IL2 2.4 MIU/m"), not the antibody's beside "s.c. IL-2 on d8-12"
        beside = _other_drug_names(ix, reader, r, position, named) - named
        facts = [
            f
            for f in facts
            if beside.isdisjoint(f.words.split()) or reader.doses_of(said[id(f)], named, beside)
        ]
        if not facts:
            return False
    others = other_drugs(ix, r) if kind in ix.per_drug else []
    if others:  # "rituximab dose": a fact of that kind naming rituximab, not the corticosteroid dose
        drug = frozenset(w for s in others for w in reader.subject_words.get(s, ()))
        facts = [f for f in facts if not drug.isdisjoint(f.words.split())]
        titled = title_words(e)  # a card about it (berberine's)
        if kind in ix.figures and facts and drug.isdisjoint(titled):
            # ... an amount said of it, not the steroid cap listed beside MMF
            beside = _other_drug_names(ix, reader, r, position, drug) - drug
            facts = [f for f in facts if reader.doses_of(said[id(f)], drug, beside)]
        return bool(facts)
    studies = [s for s in r.subjects if ix.kinds.get(s, STUDY) == STUDY]
    own = [s for s in e.subjects if ix.kinds.get(s, STUDY) == STUDY]
    if ix.cards[position].kind in ONE_STUDY_KINDS and _own_study_asked(ix, reader, position, studies):
        return True  # a study's facts are about that study, whichever of its drugs they name
    if not studies:
        names_of = reader.subject_words
        orgs = {w for x in r.subjects if ix.kinds.get(x) == ORGANIZATION for w in names_of.get(x, ())}
        if orgs and kind in ix.per_place:  # "what country is Cytheris from": a fact naming Cytheris
            facts = [f for f in facts if not orgs.isdisjoint(f.words.split())]
            if not facts:
                return False
        return _names_drug_asked(ix, reader, r, position, facts)
    if len(own) <= 1:
        return True
    names = {w for s in studies for w in reader.subject_words.get(s, ())}
    return any(not names.isdisjoint(f.words.split()) for f in facts)


def _said_of(reader: Reader, r: Reading, words: frozenset[str]) -> frozenset[str]:
    """The known words a question says after the first of those words, outside the names of the
    subjects asked ("what % of DaRenCa patients had grade 3 hypotension": grade, hypotension)."""
    toks = r.norm.split()
    start = next((i for i, t in enumerate(toks) if t in words), None)
    if start is None:
        return frozenset()
    known = set(r.words)
    names = {w for s in r.subjects for w in reader.subject_words.get(s, ())}
    return frozenset(w for t in toks[start + 1 :] if (w := stem(t)) in known and w not in names)


def _names_any(words: frozenset[str], toks: list[str]) -> bool:
    """Whether a text's words name one of those stemmed words, or a word of the same root
    ("metastatic" for "metastases": the same first letters)."""
    said = {stem(t) for t in toks}
    roots = {w[:SAME_ROOT] for w in said if len(w) >= SAME_ROOT}
    return any(w in said or (len(w) >= SAME_ROOT and w[:SAME_ROOT] in roots) for w in words)


def _which_asks(reader: Reader, r: Reading, kind: str) -> bool:
    """Whether the which/what of the question asks for that kind ("what HD IL-2 dose")."""
    asks = reader.ask_words
    return any(asks.get(w) == kind for w in r.focus_span)


def _doing_asked(reader: Reader, r: Reading, kind: str) -> frozenset[str]:
    """What the people a question counts did, said in or right after what it asks for ("how many
    patients dropped out", "how many toxic deaths"); any such word asks for all the words narrowing
    a question to that kind (those who dropped out are those who stopped)."""
    words = frozenset(w for to, narrowing in reader.narrowing.values() if to == kind for w in narrowing)
    if not r.focus_span or not words:
        return frozenset()
    stems = [stem(w) for w in r.norm.split()]
    start = stems.index(r.focus_span[0]) if r.focus_span[0] in stems else 0
    said = stems[start : start + len(r.focus_span) + DONE_AFTER]
    return words if not words.isdisjoint(said) else frozenset()


def _organizations_named(ix: Index, reader: Reader, r: Reading) -> frozenset[str]:
    """The names of the organisations a question sets aside ("before Clinigen", "other than
    Clinigen"): the organisation asked for is another."""
    toks = r.norm.split()
    after = {
        t
        for i in range(len(toks))
        for n in (1, 2)
        if tuple(toks[i : i + n]) in SETTING_ASIDE
        for t in toks[i + n : i + n + SET_ASIDE_WITHIN]
    }
    return frozenset(
        w
        for s in r.subjects
        if ix.kinds.get(s) == ORGANIZATION
        for w in reader.subject_words.get(s, ())
        if w in after and w not in reader.drug_words and w not in ix.stopwords
    )


def _names_asked(reader: Reader, r: Reading) -> list[str]:
    """The words of the question naming a subject asked that a fact could spell out ("esprit")."""
    names = {w for s in r.subjects for w in reader.subject_words.get(s, ())}
    toks = dict.fromkeys(r.norm.split())
    return [t for t in toks if t.isalpha() and len(t) >= SPELLED_FROM and (t in names or stem(t) in names)]


def spells(name: str, toks: list[str], skip: frozenset[str]) -> bool:
    """Whether words in a row spell the name out, each giving its next letters from the word's start,
    stopwords skipped (ESPRIT: "evaluation of subcutaneous proleukin in a randomized international
    trial"; DaRenCa: "Danish Renal Cancer")."""
    words = [w for w in toks if w not in skip]

    def rest(left: str, j: int) -> bool:
        if not left:
            return True
        if j >= len(words):
            return False
        w = words[j]
        top = min(len(w), len(left), SPELL_PREFIX)
        return any(w[:k] == left[:k] and rest(left[k:], j + 1) for k in range(1, top + 1))

    return any(w[0] == name[0] and rest(name, i) for i, w in enumerate(words))


def fact_texts(ix: Index, position: int) -> dict[int, str]:
    """A card's fact texts, by the identity of their index entries."""
    e = ix.entries[position]
    return {id(f): fact.text for f, fact in zip(e.facts, ix.cards[position].facts, strict=True)}


def _drug_the_kind_names(ix: Index, reader: Reader, r: Reading) -> frozenset[str]:
    """The names of a drug of ours said right with a word asking a dose or route asked ("IL-2 dose",
    "dose of subcutaneous IL-7"): the drug whose dose is asked, when the question names others too."""
    toks = r.norm.split()
    drugs = [s for s in r.subjects if ix.kinds.get(s) == DRUG]
    said: set[str] = set()
    asked = ix.per_drug.intersection(r.kinds)
    for i, tok in enumerate(toks):
        if reader.ask_words.get(tok) not in asked:
            continue
        beside = toks[i - 1 : i] + (toks[i + 2 : i + 2 + OF_WITHIN] if toks[i + 1 : i + 2] == [OF] else [])
        beside = [stem(t) for t in beside]  # as the names are ("hydroxychloroquine": hydroxychloroquin)
        for s in drugs:
            names = reader.subject_words.get(s, frozenset())
            if not names.isdisjoint(beside):
                said |= {w for w in names if not w.isdigit()}
    return frozenset(said)


def _other_drug_names(
    ix: Index, reader: Reader, r: Reading, position: int, named: frozenset[str]
) -> frozenset[str]:
    """The names of a card's drugs other than the one named (by those names), or a kind of it
    (low-dose IL-2 is IL-2)."""
    words, broader = reader.subject_words, ix.broader
    asked = {s for s in r.subjects if not named.isdisjoint(words.get(s, ()))}
    return frozenset(
        w
        for s in ix.entries[position].subjects
        if ix.kinds.get(s) == DRUG
        and s not in asked
        and asked.isdisjoint(broader.get(s, ()))
        and not any(s in broader.get(a, ()) for a in asked)
        for w in words.get(s, ())
        if not w.isdigit()
    )


def _other_the_kind_names(ix: Index, reader: Reader, r: Reading) -> frozenset[str]:
    """A rare word of the cards, named by no subject, said right with a word asking a dose or route
    asked ("isotretinoin dose", "dose of isotretinoin"): another medicine whose dose is asked."""
    toks = r.norm.split()
    asked = ix.per_drug.intersection(r.kinds).intersection(ix.figures)
    said: set[str] = set()
    for i, tok in enumerate(toks):
        if reader.ask_words.get(tok) not in asked:
            continue
        beside = toks[i - 1 : i] + (toks[i + 2 : i + 2 + OF_WITHIN] if toks[i + 1 : i + 2] == [OF] else [])
        for w in map(stem, beside):
            cards = ix.postings.get(WORD_KEY + w, ())
            if w not in reader.subject_names and w not in ix.stopwords and 0 < len(cards) <= RARE_WORD_CARDS:
                said.add(w)
    return frozenset(said)


def _own_study_asked(ix: Index, reader: Reader, position: int, studies: list[str]) -> bool:
    """Whether a study card is on a study asked, or none is asked: ESPRIT's card, which also names
    SILCAAT, gives ESPRIT's entry cut-off, not SILCAAT's."""
    trial = ix.cards[position].trial
    if not studies or trial is None:
        return True
    own = set(normalize(f"{trial.nct or ''} {trial.name or ''}").split())
    return any(not own.isdisjoint(reader.subject_words.get(s, ())) for s in studies)


def _on_a_sibling_drug(ix: Index, r: Reading, position: int) -> bool:
    """Whether the card is on a sibling of the drug asked and not on that drug (low-dose IL-2 for a
    question on high-dose IL-2), and on no study named: a dose or route it gives is the sibling's."""
    kinds, broader = ix.kinds, ix.broader
    if any(kinds.get(s, STUDY) == STUDY and s in ix.entries[position].subjects for s in r.subjects):
        return False  # the study named gives its own drug's dose, whatever else the message says
    asked = [s for s in r.subjects if kinds.get(s) == DRUG]
    specific = [s for s in asked if not any(s in broader.get(o, ()) for o in asked)]
    own = [s for s in ix.entries[position].subjects if kinds.get(s) == DRUG]
    return bool(specific) and not any(
        s in own or s in broader.get(d, ()) or d in broader.get(s, ()) for s in specific for d in own
    ) and any(set(broader.get(d, ())) & set(broader.get(s, ())) for s in specific for d in own)


def _of_the_group_asked(
    ix: Index, reader: Reader, r: Reading, position: int, facts: list[FactEntry]
) -> list[FactEntry]:
    """The figures that count the group asked: "how many SLE patients" in a study of several
    diseases is answered by a fact naming lupus, not by the whole study's "46 patients"."""
    words = reader.subject_words
    span = set(r.focus_span)
    kinds = ix.kinds
    asked = [s for s in r.subjects if kinds.get(s) == DISEASE and not span.isdisjoint(words.get(s, ()))]
    if not asked:
        return facts
    diseases = [s for s in ix.entries[position].subjects if kinds.get(s) == DISEASE]
    if all(s in asked for s in diseases):
        return facts  # a study of that one disease: all its patients have it
    names = {w for s in asked for w in words.get(s, ())}
    return [f for f in facts if not names.isdisjoint(f.words.split())]


def _on_the_disease_asked(
    ix: Index, reader: Reader, r: Reading, position: int, facts: list[FactEntry]
) -> list[FactEntry]:
    """On a card about several diseases, the facts naming a disease asked ("when was it approved for
    melanoma": not a date of the card's that names no disease)."""
    kinds, words = ix.kinds, reader.subject_words
    asked = [s for s in r.subjects if kinds.get(s) == DISEASE]
    diseases = [s for s in ix.entries[position].subjects if kinds.get(s) == DISEASE]
    # ... or on a card about a group of diseases, for one of the group asked ("RA patients", in a
    # study of eleven autoimmune diseases)
    narrower = [s for s in asked if s not in diseases and not set(diseases).isdisjoint(ix.broader.get(s, ()))]
    if not asked or (len(diseases) < 2 and not narrower) or all(s in asked for s in diseases):
        return facts
    names = {w for s in asked for w in words.get(s, ())}
    return [f for f in facts if not names.isdisjoint(f.words.split())]


def _names_drug_asked(ix: Index, reader: Reader, r: Reading, position: int, facts: list[FactEntry]) -> bool:
    """Whether, on a card (not a study's) naming several drugs, a fact of the kind asked is about the
    drug asked: one naming another of the card's drugs, and not the one asked, is not (IL-2's
    approval date on the IL-2 vs IL-7 card is not IL-7's)."""
    kinds = ix.kinds
    asked = {s for s in r.subjects if kinds.get(s) == DRUG}
    others = [s for s in ix.entries[position].subjects if kinds.get(s) == DRUG and s not in asked]
    if not asked or not others:
        return True
    words = reader.subject_words
    names = {w for s in asked for w in words.get(s, ()) if not w.isdigit()}
    other_names = {w for s in others for w in words.get(s, ()) if not w.isdigit()} - names
    return any(not names.isdisjoint(said := f.words.split()) or other_names.isdisjoint(said) for f in facts)


def counts(
    toks: list[str],
    counted: set[str],
    asked: frozenset[str],
    doing: frozenset[str] = frozenset(),
    people: frozenset[str] = frozenset(),
    vague: frozenset[str] = frozenset(),
) -> bool:
    """Whether a text's tokens state a number the question does not, counting the word asked ("3
    cycles", "eleven participants" for "how many cycles", "how many participants"), or a part of the
    whole asked ("5 of the 46" for "how many of the 46"); or, for what people did ("how many
    stopped"), a number of people followed by it ("eleven participants receiving aldesleukin
    stopped the study early"); a vague count ("several small trials") counts as the source gives it."""
    for i, tok in enumerate(toks):
        said = numbers_in(tok)
        # (a postcode or a phone number before "site status" counts no sites)
        stated = bool(said) and not asked.issuperset(said) and max(map(len, said)) <= LONGEST_COUNT
        if not stated and tok not in vague:
            continue
        after = [stem(w) for w in toks[i + 1 : i + 1 + (DONE_WITHIN if doing else COUNTED_WITHIN)]]
        near = after[:COUNTED_WITHIN]
        if doing and any(w in people for w in near):  # people: those who did what was asked
            if not doing.isdisjoint(after):
                return True
        elif any(w in counted for w in near):
            return True
    return False


def given_by_trial_field(ix: Index, position: int, kind: str) -> bool:
    """Whether a card gives a kind of fact by a trial field alone (no fact of that kind: its phase,
    its NCT number)."""
    e = ix.entries[position]
    return kind in e.fact_kinds and not any(kind in f.kinds for f in e.facts)


def asked_numbers(r: Reading) -> frozenset[str]:
    """The numbers a question states in digits (not the numbers of names: IL-2, NCT04077684), but
    not those it offers as choices ("11 or 12?": the answer may be either)."""
    toks = r.norm.split()
    choices = {
        n
        for i, tok in enumerate(toks)
        if tok == OR and 0 < i < len(toks) - 1
        for n in _choice_numbers(toks[:i][::-1]) | _choice_numbers(toks[i + 1 :])
    }
    return numbers_in(r.norm, spelled=False) - choices


def _choice_numbers(toks: list[str]) -> set[str]:
    """The number a choice beside an "or" states, a unit or label away at most ("3 MIU", "phase 2")."""
    near = [t for t in toks[:CHOICE_WITHIN] if t.isdigit()]
    return {near[0].lstrip("0") or "0"} if near else set()


def other_drugs(ix: Index, r: Reading) -> list[str]:
    """The drugs a question names that are none of the cards' own (rituximab, not low-dose IL-2)."""
    own = ix.own_drugs
    return [
        s
        for s in r.subjects
        if ix.kinds.get(s) == DRUG and s not in own and own.isdisjoint(ix.broader.get(s, ()))
    ]
