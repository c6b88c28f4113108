"""Every word the renderers show, in one place: the terminal and Block Kit say the same things."""

from __future__ import annotations

import re

from bot.reply import DISCLAIMER

__all__ = ["DISCLAIMER"]

# Buttons (the terminal names the same actions as options of `il2bot ask`).
SHOW_ALL_FACTS = "Show all facts"
SHOW_SOURCES = "Show sources"
SHOW_ANSWER = "Show the answer"
POST_TO_CHANNEL = "Post to channel"
WHAT_CAN_I_ASK = "What can I ask?"
ALSO = "Also:"
BEST_MATCH = "Back to the best match"
I_CAN_ANSWER = "I can answer:"
VOTE_LABELS = {"helpful": "Helpful", "not_right": "Not right", "outdated": "Outdated"}
FEEDBACK_TITLE = "Feedback"  # the modal's title (Slack: at most 24 characters)
FEEDBACK_SUBMIT = "Send"
FEEDBACK_CANCEL = "Cancel"
FEEDBACK_QUESTION = "What was wrong? (optional)"
FEEDBACK_HINT = "A line for the curators who keep the cards; no patient details, please."
FEEDBACK_HEADS = {"not_right": "You marked this answer as not right.",
                  "outdated": "You marked this answer as outdated."}
THANKS = {"helpful": "Thanks, noted as helpful.",
          "not_right": "Thanks, the curators will look at this answer.",
          "outdated": "Thanks, the curators will check whether this answer is out of date."}

# Headings and notes.
SOURCES = "Sources"
REFERENCES = "References"
WORD_FOR_WORD = "Word for word, from the sources:"
ANSWER_MARK = "▸"  # the facts that answer the question
FACT_MARK = "•"  # the other facts
SCOPE = "I answer only from curated, cited sources on IL-2 (aldesleukin, Proleukin) and IL-7 therapies."
HELP_TITLE = "il2bot: sourced answers on IL-2 and IL-7 therapies"
HELP_HOW = ("Ask with `/il2 your question`, mention me in a channel (I answer in the thread), or send me "
            "a direct message. Every answer comes from curated fact cards and cites its sources; when "
            "the cards don't cover a question, I say so instead of guessing.")
HELP_TERMINAL = 'Usage: il2bot ask "QUESTION"   (what you would type after /il2 in Slack)'
HELP_KINDS = {"drug": "Drugs", "disease": "Diseases", "study": "Trials and studies"}
HELP_EXAMPLES = "for example"
FAILURE = "Sorry, something went wrong while answering. The error was logged; please try again later."
SHORT_TITLE = 40  # characters of a card title on an "Also" button


def answers_to(query: str) -> str:
    """The line that says which question this answers."""
    return f"Answer to “{query}”"


def match_of(query: str, page: int) -> str:
    """The same line for a later match ("Also" clicked)."""
    return f"Match {page + 1} for “{query}”"


def shared_by(who: str, what: str) -> str:
    """Credit for a shared answer: '@ann shared: answer to ...'."""
    return f"{who} shared: {what[0].lower()}{what[1:]}" if what else f"{who} shared this"


def abstain(query: str) -> str:
    """An abstention, plainly."""
    return f"The cards don't cover “{query}”, so I won't guess."


def abstain_fallback(query: str) -> str:
    """An abstention's notification text."""
    return f"The cards don't cover “{query}”."


def partial(query: str, title: str, missing: str) -> str:
    """The best card on the subject lacks the fact asked: named by its subject, the title's head."""
    subject = title.split(":")[0].split(" (")[0].strip() or title
    return f"“{query}”: the cards on {subject} don't give its {missing}, so I won't guess. The card on it:"


def more_facts(n: int) -> str:
    """How many facts are one click away."""
    return f"{n} more {'fact' if n == 1 else 'facts'} on this card"


def cut_facts(n: int) -> str:
    """Facts left out because the message would be too long."""
    return f"…and {n} more {'fact' if n == 1 else 'facts'}, not shown here (the message would be too long)."


def as_of(words: str) -> str:
    """How current a time-sensitive statement is."""
    return f"as of {words}" if words else "date unknown"


def status(value: str, words: str) -> str:
    """A trial's status, never without its date: 'Recruiting, as of 27 March 2020'."""
    return f"{value}, {as_of(words)}"


def phase(value: str) -> str:
    """'3' -> 'Phase 3'; 'Phase 2' stays."""
    return value if value.casefold().startswith("phase") else f"Phase {value}"


_PHASE_NUMBER = re.compile(r"(\d(?:\s*/\s*\d)?|[IV]{1,3}(?:/[IV]{1,3})?)\b")


def evidence(label: str, kind: str, trial_phase: str | None) -> str:
    """The evidence label beside a fact; a trial card's results name its phase ('phase 3 result')."""
    if kind == "trial-result" and trial_phase:
        m = _PHASE_NUMBER.search(trial_phase.replace("Phase", "").strip())
        if m:
            return f"phase {m[1].replace(' ', '')} result"
    return label


def quote_source(label: str) -> str:
    """Names where a quote is from, after it."""
    return f"— {label}"


def also_button(title: str, first: bool) -> str:
    """The label of an 'Also' button: a short card title, the first one prefixed."""
    if len(title) <= SHORT_TITLE:
        return f"{ALSO} {title}" if first else title
    short = title[: SHORT_TITLE - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return f"{ALSO} {short}" if first else short


def suggestion_button(text: str) -> str:
    """A suggestion's label."""
    return text


def clarify(query: str) -> str:
    """A follow-up with no earlier answer to follow: which subject it is about."""
    return f"“{query}”: which drug or study do you mean?"


def clarify_query(choice: str, query: str) -> str:
    """The question asked again about one choice."""
    return f"{query} {choice}".strip()


def url_label(host: str, path: str) -> str:
    """What a link links to, named by its address: 'NCT00004978 on ClinicalTrials.gov', 'doi:10...'."""
    host = host.removeprefix("www.")
    parts = [p for p in path.split("/") if p]
    if host == "clinicaltrials.gov":
        nct = next((p for p in parts if p.upper().startswith("NCT")), "")
        return f"{nct} on ClinicalTrials.gov" if nct else "ClinicalTrials.gov"
    if host in ("doi.org", "dx.doi.org") and parts:
        return f"doi:{'/'.join(parts)}"
    if host == "pubmed.ncbi.nlm.nih.gov" and parts:
        return f"PubMed {parts[0]}"
    return host
