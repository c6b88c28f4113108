"""When the matcher abstains: small named rules, each returning the reason it gives (or "")."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise, takewhile

from bot.cards.model import CONCEPT, DISEASE, ORGANIZATION, STUDY
from bot.matcher.index import Index, figure, labelled_numbers, places_in, stem, title_words
from bot.matcher.kinds import OR, gives_kind, other_drugs
from bot.matcher.reader import NAME_NUMBER, Reader, Reading
from bot.matcher.scorer import Hit, Tuning, is_focused

JOINING = "and"  # the word that joins two questions in one ("what phase, and where published")
DIGIT = re.compile(r"\d")
PERCENT = "percent"  # as "%" is read
THOUSANDS = re.compile(r"(?<![\w.])(\d{1,3}) (?=\d{3}\b)")  # "125,000" read as "125 000"
YEAR = re.compile(r"(?:19|20)\d\d")  # a year, said as a number of its own ("in 1998")
WEIGHT = "kg"  # a number in kilograms alone is a person's weight ("a 90 kg patient"), no figure claimed


class Case:
    """What a rule looks at: the reading, the cards that name what was asked, best first."""

    __slots__ = ("disease_suffixes", "focused", "foreign_suffixes", "hits", "ix", "r", "reader", "t")

    def __init__(
        self,
        r: Reading,
        hits: list[Hit],
        ix: Index,
        reader: Reader,
        foreign_suffixes: tuple[str, ...],
        t: Tuning,
        disease_suffixes: tuple[str, ...] = (),
    ) -> None:
        self.r = r
        self.hits = hits
        self.ix = ix
        self.reader = reader
        self.foreign_suffixes = foreign_suffixes
        self.disease_suffixes = disease_suffixes
        self.t = t
        self.focused = is_focused(ix, r.topics, t)  # a strong topic is asked (several rules ask)


def no_card(c: Case) -> str:
    """Nothing shares a word with the question, or every card is on another drug, study or disease."""
    return "" if c.hits else "no card is about that drug, study or disease"


def personal_advice(c: Case) -> str:
    """The question asks what the person should do ("should I take it?"): the cards hold what their
    sources say, not advice for one person."""
    return "the cards give what their sources say, not personal medical advice" if c.r.advice else ""


def small_talk(c: Case) -> str:
    """A word of small talk (the weather, lunch) that the best card does not use: the question is
    chat that names one of our places or drugs in passing ("the weather in Beijing")."""
    e = c.ix.entries[c.hits[0].position]
    said = e.strong | e.weak | e.quoted
    talk = [w for w in dict.fromkeys(c.r.norm.split()) if w in c.reader.small_talk and stem(w) not in said]
    return f"that is not a question the cards answer: {', '.join(talk[:3])}" if talk else ""


def off_subject(c: Case) -> str:
    """The question names a subject and the best card is not about it."""
    return "no card is about that subject" if c.r.subjects and c.hits[0].subject == 0.0 else ""


def other_drug(c: Case) -> str:
    """An unknown word with a drug-name ending (pembrolizumab, pembrolizumab's), or a drug's brand
    (Keytruda): a drug no card covers, even beside one they do ("does tocilizumab help with IL-2
    capillary leak")."""
    ends, brands = c.foreign_suffixes, c.reader.drug_brands
    # ... as a plural or a possessive too ("pembrolizumab's" is read "pembrolizumabs")
    foreign = [w for w in c.r.unknown if w in brands or w.endswith(ends) or w.rstrip("s").endswith(ends)]
    if foreign:
        return f"not a drug the cards cover: {', '.join(foreign[:3])}"
    return ""


def other_disease(c: Case) -> str:
    """A word with a disease-name ending (sclerosis, fibrosis), or a disease's name (covid), that no
    card knows, or that the best card only mentions in passing (tuberculosis in an exclusion list),
    and no disease or study of ours named (a study named makes it the patient's: "TB and the lupus
    study")."""
    ends, words = c.disease_suffixes, c.reader.not_diseases  # "diagnosis" names no disease
    called = c.reader.disease_names
    foreign = [w for w in c.r.unknown if (w.endswith(ends) and stem(w) not in words) or w in called]
    known = [w for w in c.r.words if w.endswith(ends) and w not in words and not _in_subject_names(c, w)]
    # ... unless the best card is about it (its title and aliases say it), or a fact of the best card
    # about a strong topic asked names it (a history of sepsis among the exclusion criteria asked)
    if known and c.hits:
        e = c.ix.entries[c.hits[0].position]
        about = title_words(e)
        strong = {x for x in c.r.topics if c.ix.topic_weight.get(x, 1.0) >= c.t.strong_topic}
        about |= {w for f in e.facts if not strong.isdisjoint(f.topics) for w in f.words.split()}
        foreign += [w for w in known if w not in about]
    named = {c.ix.kinds.get(s, STUDY) for s in c.r.subjects}
    if foreign and not named & {DISEASE, STUDY}:
        return f"not a disease the cards cover: {', '.join(foreign[:3])}"
    # a form of a disease of ours that no card knows ("lupus nephritis")
    toks = c.r.norm.split()
    ours = [s for s in c.r.subjects if c.ix.kinds.get(s) == DISEASE]
    names = {w for s in ours for w in c.reader.subject_words.get(s, ())}
    forms = [f"{a} {b}" for a, b in pairwise(toks) if a in names and b in c.r.unknown and b.endswith(ends)]
    if forms:
        return f"not a disease the cards cover: {', '.join(forms[:3])}"
    # a word no card knows before "cancer" or "disease" names another one ("pancreatic cancer")
    if not c.r.unknown or STUDY in named:
        return ""
    named_other = [
        f"{a} {b}" for a, b in pairwise(toks) if b in c.reader.disease_heads and a in c.r.unknown
    ]
    if named_other:
        return f"not a disease the cards cover: {', '.join(named_other[:3])}"
    return ""


def other_place(c: Case) -> str:
    """A place asked about ("the brand name in the UK") that the best card does not name, nor any
    card on its study: what the cards say of another country is no answer for it."""
    named = places_in(c.r.norm.split(), c.ix.place_names, c.ix.longest_place)
    if not named:
        return ""
    covered = c.ix.places.get(c.hits[0].position, frozenset())
    missing = [p for p in named if p not in covered]
    return f"the cards do not cover {', '.join(missing[:3])}" if missing else ""


def unknown_name(c: Case) -> str:
    """A numbered name the cards do not know (IL-21, NCT05555555)."""
    names = [w for w in c.r.unknown if (m := NAME_NUMBER.match(w)) and m.group(1) in c.reader.numbered_names]
    return f"not a name the cards know: {', '.join(names[:3])}" if names else ""


def unknown_words(c: Case) -> str:
    """Words no card knows, and no subject of ours named (an ordinary English word no card uses,
    "supposed", "ones", only counts against the card's coverage)."""
    unknown = c.r.unknown
    return f"unknown words: {', '.join(unknown[:5])}" if unknown and not c.r.subjects else ""


def unknown_setting(c: Case) -> str:
    """A subject of ours in a setting no card knows ("low dose IL-2 in type 1 diabetes"): no topic
    asked, and what is unknown weighs more than what the best card shares beyond the subject."""
    unknown = [*c.r.unknown, *c.r.common]  # "hair" in "IL-2 for hair loss" is ordinary English
    if not unknown or c.focused or c.r.kinds:  # "any trials?" asks no topic
        return ""
    best = c.ix.entries[c.hits[0].position]
    shared = sum(
        1.0 if w in best.strong else c.t.setting_weak_word if w in best.weak else 0.0
        for w in set(c.r.words)
        if not _in_subject_names(c, w)
    )
    if (len(c.r.unknown) + c.t.setting_common_word * len(c.r.common)) * _brevity(c) > shared:
        return f"the cards do not cover {', '.join(unknown[:3])}"
    return ""


def _brevity(c: Case) -> float:
    """1 for a short question, less for a long message, which says more than it asks: what it must
    cover, and what it may leave uncovered, scale with it."""
    said = len(set(c.r.words)) + len(c.r.unknown) + len(c.r.common)
    return float((c.t.long_question / max(c.t.long_question, said)) ** c.t.long_question_relief)


def _in_subject_names(c: Case, word: str) -> bool:
    return any(word in c.reader.subject_words.get(s, ()) for s in c.r.subjects)


def passing_mention(c: Case) -> str:
    """The topic asked is only mentioned by the best card (a pregnancy test among trial criteria),
    and no fact of the kind asked is there (the email asked for, on a card about finding trials)."""
    best = c.hits[0]
    e = c.ix.entries[best.position]
    strong = [x for x in c.r.topics if c.ix.topic_weight.get(x, 1.0) >= c.t.strong_topic]
    if (
        strong
        and best.main_topic == 0.0
        and any(x in e.topics for x in strong)
        and not _names_study(c, best)
        and not (c.r.kinds and _gives_a_kind_asked(c, best) and _names_each_organization(c, best))
    ):
        return "the best card only mentions the topic asked"
    return ""


def unspoken_topic(c: Case) -> str:
    """The question names a study and asks a topic its card must speak of (its side effects) that the
    study's own card neither is about nor speaks of in any fact: it is on the study, not on that."""
    asked = [x for x in c.r.topics if x in c.ix.spoken_topics]
    if not asked or c.r.kinds:
        return ""
    e = c.ix.entries[c.hits[0].position]
    if not any(c.ix.kinds.get(s) == STUDY and s in e.subjects for s in c.r.subjects):
        return ""
    spoken = {x for f in e.facts for x in (*f.topics, *f.mentions)}
    missing = [x for x in asked if x not in e.topics and x not in spoken]
    return f"the best card does not cover {c.ix.labels[missing[0]]}" if missing else ""


def _names_each_organization(c: Case, hit: Hit) -> bool:
    """Whether the card's facts of the kinds asked name every organisation asked ("Cytheris phone
    number" is not answered by another body's helpline on a card that names Cytheris elsewhere)."""
    e = c.ix.entries[hit.position]
    words = c.reader.subject_words
    orgs = [s for s in c.r.subjects if c.ix.kinds.get(s) == ORGANIZATION]
    asked = frozenset(c.r.kinds)
    facts = [f.words.split() for f in e.facts if not asked.isdisjoint(f.kinds)]
    return all(any(not words.get(s, frozenset()).isdisjoint(f) for f in facts) for s in orgs)


def passing_word(c: Case) -> str:
    """A general question whose words the best card has only in labelled items about something else
    ("does IL-2 cause cataracts?": cataract is one of a lupus trial's exclusion criteria)."""
    if c.r.kinds or c.focused:
        return ""
    e = c.ix.entries[c.hits[0].position]
    if any(s in e.subjects for s in c.r.subjects):
        return ""  # it names the card's own subject (not just a wider one: IL-2 for low-dose IL-2)
    asked = set(c.r.words)
    shared = [
        w
        for w in asked
        if not _in_subject_names(c, w) and (w in e.strong or w in e.weak or w in e.quoted)
    ]
    if not shared:
        return ""
    named = title_words(e)
    for w in shared:
        facts = [f for f in e.facts if f" {w} " in f.words]
        if w in named or not facts or any(not f.topics or not asked.isdisjoint(f.lead) for f in facts):
            return ""
    return "the best card only mentions what was asked"


def foreign_numbered(c: Case) -> str:
    """A numbered name that is none of our subjects and only passes on the best card (IL-15 in a
    trial of IL-2): the question is about another cytokine or marker."""
    e = c.ix.entries[c.hits[0].position]
    names = [
        w
        for w in dict.fromkeys(c.r.words)
        if w[-1].isdigit()  # what every numbered name ends with (most words do not)
        and w not in c.reader.subject_names  # (so in none of the names of the subjects asked)
        and (m := NAME_NUMBER.match(w))
        and m.group(1) in c.reader.numbered_names
    ]
    if not names:
        return ""
    # A sibling of our drugs' names (IL-15 beside IL-2 and IL-7) asked about is another drug.
    asks = bool(c.r.kinds) or c.focused
    sibling = [w for w in names if (m := NAME_NUMBER.match(w)) and m.group(1) in c.reader.drug_prefixes]
    if any(w not in e.strong for w in names) or (asks and sibling):
        return f"not a name the cards are about: {', '.join(names[:3])}"
    return ""


def off_topic(c: Case) -> str:
    """The best card has none of the strong topics asked and covers too little of the rest."""
    best = c.hits[0]
    if (
        c.focused
        and best.topic == 0.0
        and best.coverage < c.t.min_coverage_off_topic
        and not _names_study(c, best)
        and not _a_fact_speaks_to(c, best)
        and not _only_card_with(c, best)
        and not _gives_a_kind_asked(c, best)
    ):
        return "no card on that subject covers that topic"
    return ""


def _only_card_with(c: Case, hit: Hit) -> bool:
    """Whether the question names what only this card is about (a word of its title or aliases that
    no other card holds: "ILTOO", "muteins"): the topic words around it are loose talk."""
    e = c.ix.entries[hit.position]
    named = title_words(e)
    # another drug's name is no name of the card's own unless its title says it ("how does rituximab
    # work" is not the topic of the exclusion criteria that name it; muteins are pub-leon-2018's own)
    title = {stem(x) for x in e.texts[0].split()}
    named -= {w for s in other_drugs(c.ix, c.r) for w in c.reader.subject_words.get(s, ())} - title
    named -= _concept_names(c)  # nor a concept it alone mentions ("side effects of IL-10 therapy")
    return any(w in named and len(c.ix.postings.get(f"w:{w}", ())) == 1 for w in c.r.words)


def _concept_names(c: Case) -> set[str]:
    """The words naming the concepts the question names (IL-10, CD8 cells)."""
    concepts = (s for s in c.r.subjects if c.ix.kinds.get(s) == CONCEPT)
    return {w for s in concepts for w in c.reader.subject_words.get(s, ())}


def _gives_a_kind_asked(c: Case, hit: Hit) -> bool:
    """Whether the card gives a kind of fact asked (a page's review date), which speaks to the topic
    that asked for it; not a drug's dose or route (the dose of a drug the cards are not about), unless
    the question names that drug and the card gives it ("the max steroid dose allowed")."""
    named = bool(other_drugs(c.ix, c.r))
    kinds = [k for k in c.r.kinds if named or k not in c.ix.per_drug]
    return any(gives_kind(c.ix, c.reader, c.r, hit.position, k) for k in kinds)


def _a_fact_speaks_to(c: Case, hit: Hit) -> bool:
    """Whether one of the card's facts is about a strong topic asked, by its label or first words (the
    card's own topics may not list it)."""
    e = c.ix.entries[hit.position]
    strong = {x for x in c.r.topics if c.ix.topic_weight.get(x, 1.0) >= c.t.strong_topic}
    return any(not strong.isdisjoint(f.topics) for f in e.facts)


def coverage_needed(c: Case) -> float:
    """The share of the question the best card must cover."""
    need = (
        c.t.min_coverage_unknown
        if c.r.unknown
        else c.t.min_coverage_common
        if c.r.common
        else c.t.min_coverage
    )
    return need * _brevity(c)


def low_coverage(c: Case) -> str:
    """The best card leaves most of the question uncovered (less of it must be covered when the card
    is the study's own, or the only one with a name asked, and gives the kind of fact asked)."""
    need = coverage_needed(c)
    best = c.hits[0]
    if (
        best.coverage < need
        and c.r.kinds
        and (_names_study(c, best) or _only_card_with(c, best))
        and _gives_a_kind_asked(c, best)
    ):
        need *= c.t.kind_given_relief
    return "the best card does not cover enough of the question" if best.coverage < need else ""


def weak_match(c: Case) -> str:
    """The best card's score is below the answer threshold (unless it is the own card of a study the
    question names, or the only card with a name asked, and gives the kind of fact asked: "who
    sponsored ANRS 119 and its other name", "when did the Cuban IL2 mutein project start")."""
    best = c.hits[0]
    if best.score >= c.t.answer_threshold:
        return ""
    if c.r.kinds and (_names_study(c, best) or _only_card_with(c, best)) and _gives_a_kind_asked(c, best):
        return ""
    return "no card matches closely enough"


def missing_kind(c: Case) -> str:
    """The question asks for a kind of fact (enrollment, a dose) that the best card does not give:
    every kind asked, or the one its which/what names ("what dose ... did they inject"), or one no
    card gives ("IL-7 cost per dose": a price)."""
    never = [k for k in c.r.kinds if k in c.ix.never_given]
    if never:
        return f"the card on that subject does not give its {kind_label(c.ix, never[0])}"
    missing = [k for k in c.r.kinds if not gives_kind(c.ix, c.reader, c.r, c.hits[0].position, k)]
    # the head of what a which/what asks for: "what subcutaneous dose" asks a dose, not a route
    asks = c.reader.ask_words
    span = c.r.focus_span
    named = next((asks[w] for w in reversed(span) if w in asks), asks.get(c.r.focus))
    # ... and the kinds its other words ask are only said of it ("subcutaneous" of the dose)
    said = {asks[w] for w in span if w in asks} - {named}
    if missing and named in missing and (
        (len(c.r.kinds) > 1 and JOINING not in c.r.norm.split()) or said.issuperset(set(c.r.kinds) - {named})
    ):
        missing = [named]  # one question, not two joined ("what phase ... and where published")
    elif len(missing) < len(c.r.kinds) or not c.r.kinds:
        return ""
    return f"the card on that subject does not give its {kind_label(c.ix, missing[0])}"


def unmentioned_concept(c: Case) -> str:
    """A concept asked of another subject ("Tregs in ILIADE") that the best card neither is about nor
    names in any fact: it says nothing of it."""
    best = c.hits[0]
    e = c.ix.entries[best.position]
    concepts = [s for s in c.r.subjects if c.ix.kinds.get(s) == CONCEPT and s not in e.subjects]
    others = [s for s in c.r.subjects if c.ix.kinds.get(s) != CONCEPT]
    if not concepts or not others or _brevity(c) < 1.0:  # a long message names more than it asks
        return ""
    card = c.ix.cards[best.position]
    quotes = (q.quote for f in card.facts for q in f.citations)
    texts = [card.title, card.summary, *(f.text for f in card.facts), *quotes]
    missing = [s for s in concepts if not any(c.reader.names_concept(t, s) for t in texts)]
    return f"the best card does not mention {c.ix.labels[missing[0]]}" if missing else ""


def unstated_number(c: Case) -> str:
    """An amount or a year the question states ("IL-7 at 30 ug/kg, right?", "a 50% response rate",
    "approved in 1998?") that the best card never states, in its title, aliases, summary, facts or
    quotes: it says nothing of that figure. Not amounts offered as choices ("10 or 30?"), nor a
    person's weight ("a 90 kg patient")."""
    if not DIGIT.search(c.r.norm) or OR in c.r.norm.split():  # most questions state no number
        return ""
    asked = _amounts(c)
    asked.update((t, t) for t in c.r.norm.split() if YEAR.fullmatch(t))  # "first approved in 1998?"
    if not asked:
        return ""
    stated = c.ix.entries[c.hits[0].position].stated
    missing = [said for number, said in asked.items() if number not in stated]
    return f"the best card does not state {missing[0]}" if missing else ""


def _amounts(c: Case) -> dict[str, str]:
    """The amounts a question states, each number with how it was said ("30 ug/kg", "40%")."""
    norm = c.r.norm
    for typed in c.r.decimals:  # "0 5 miu" read as typed: "0.5 miu"
        norm = re.sub(rf"(?<!\S){typed.replace('.', ' ')}(?!\d)", typed, norm)
    toks = c.reader.in_units(THOUSANDS.sub(r"\1", norm).split())  # "125 000 iu kg": 125000
    units, named = c.reader.unit_names - {WEIGHT}, c.reader.unit_names
    amounts: dict[str, str] = {}
    for i, (t, u) in enumerate(pairwise(toks)):
        if not t.replace(".", "", 1).isdigit() or (u not in units and u != PERCENT):
            continue
        said = "%" if u == PERCENT else " " + "/".join(takewhile(named.__contains__, toks[i + 1 :]))
        amounts[figure(t)] = t + said
    return amounts


def unstated_label(c: Case) -> str:
    """The question asks about a numbered category or span ("phase 3", "5-year survival", "type 1
    diabetes") the best card never states: it answers about another one, or none."""
    said = labelled_numbers(c.r.norm)
    asked = said - c.ix.entries[c.hits[0].position].labelled
    if asked and OR in c.r.norm.split():  # "phase 2 or phase 3?": choices, one of them on the card
        stated = {_label(x) for x in said - asked}
        asked = frozenset(x for x in asked if _label(x) not in stated)
    return f"the best card does not mention {min(asked)}" if asked else ""


def _label(labelled: str) -> str:
    """What a labelled number numbers: "phase" of "phase 2", "year" of "5-year"."""
    label, _, unit = labelled.partition(" ")
    return label if unit else labelled.partition("-")[2]


def other_study_size(c: Case) -> str:
    """The question names a study by its size ("the 46-patient study") that neither the best card
    nor the cards it names as related state, and a close card does: it is about another study."""
    people = {w for alike in c.ix.counted.values() for w in alike}
    sizes = {a for a, b in pairwise(c.r.norm.split()) if a.isdigit() and stem(b) in people}
    if not sizes:
        return ""
    entries = c.ix.entries

    def stated(position: int) -> set[str]:
        return {n for f in entries[position].facts for n in f.numbers}

    best = c.hits[0]
    related = [i for cid in best.card.related if (i := c.ix.positions.get(cid)) is not None]
    said = stated(best.position).union(*(stated(i) for i in related))
    other = [n for n in sorted(sizes - said) if any(n in stated(h.position) for h in c.hits[1:])]
    return f"the best card does not state the size of the study asked ({other[0]})" if other else ""


def kind_label(ix: Index, kind: str) -> str:
    """The label of a fact kind ("enrollment")."""
    return ix.kind_labels.get(kind, kind)


def _names_study(c: Case, hit: Hit) -> bool:
    """Whether the question names a study that is this card's own (it answers what is known), by the
    study's name or by a name only this card holds ("the Kleef case")."""
    e = c.ix.entries[hit.position]
    if any(c.ix.kinds.get(s, STUDY) == STUDY and s in e.subjects for s in c.r.subjects):
        return True
    # ... not by the name of a concept the card alone mentions ("IL-10" on the gastric cytokine
    # study's card names IL-10, not the study)
    concepts = _concept_names(c)
    own = [w for w in c.r.words if c.ix.names.get(w) == hit.position and w not in concepts]
    if not own:
        return False
    titled = title_words(e)
    return any(w in titled for w in own)


Rule = Callable[[Case], str]
# In order: the first rule that gives a reason decides.
RULES: tuple[Rule, ...] = (
    no_card,
    personal_advice,
    small_talk,
    off_subject,
    other_drug,
    other_disease,
    other_place,
    unknown_name,
    unknown_words,
    unknown_setting,
    foreign_numbered,
    missing_kind,
    unmentioned_concept,
    unstated_number,
    unstated_label,
    other_study_size,
    passing_word,
    passing_mention,
    unspoken_topic,
    off_topic,
    low_coverage,
    weak_match,
)
PARTIAL_RULES: frozenset[Rule] = frozenset({missing_kind})  # abstain, offering the best card as context


def abstain_reason(c: Case) -> tuple[str, bool]:
    """The reason of the first rule that says to abstain (or ""), and whether the best card is
    still offered as context (it is on the subject asked but lacks the kind of fact asked)."""
    for rule in RULES:
        reason = rule(c)
        if reason:
            return reason, rule in PARTIAL_RULES
    return "", False
