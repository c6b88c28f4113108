"""`il2bot report`: what the bot declined, what people found wrong or outdated, how each card is used."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Engine, select

from bot.storage.store import as_utc, utc_now
from bot.storage.tables import feedback, questions

SIMILAR = 80  # rapidfuzz token_set_ratio at which two declined questions count as the same question
MAX_VARIANTS = 5  # distinct wordings listed under a group of declined questions
NOT_LOGGED = "(question text not logged)"
SUMMARY_ITEMS = 5  # lines of each list in the Slack summary
_SPAN = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$", re.IGNORECASE)
_UNIT = {"h": "hours", "d": "days", "w": "weeks"}
NEGATIVE = ("not_right", "outdated")


def parse_since(text: str) -> timedelta:
    """'7d', '12h', '2w' as a timedelta; ValueError with the accepted forms otherwise."""
    m = _SPAN.match(text)
    if not m or int(m.group(1)) == 0:
        raise ValueError(f"--since must be a number and h, d or w, like 7d, 12h or 2w (got {text[:30]!r})")
    return timedelta(**{_UNIT[m.group(2).lower()]: int(m.group(1))})


@dataclass
class DeclinedGroup:
    """Declined questions that read alike: how often, why, and their wordings."""

    question: str
    count: int
    reason: str
    variants: list[str] = field(default_factory=list)


@dataclass
class NegativeVote:
    """An answer voted Not right or Outdated, with what the person wrote."""

    vote: str
    card_id: str | None
    query: str | None
    text: str | None
    voted_at: str


@dataclass
class CardUse:
    """How often a card answered, and the share of its votes that were Helpful."""

    card_id: str
    title: str
    answers: int
    votes: int
    helpful: int
    helpful_share: float | None


@dataclass
class Week:
    """Questions asked in one ISO week and the share declined."""

    week: str
    asked: int
    declined: int
    abstention_rate: float


@dataclass
class Report:
    """Everything `il2bot report` shows, for one period."""

    since: str
    until: str
    asked: int
    declined: int
    declined_groups: list[DeclinedGroup]
    negative_votes: list[NegativeVote]
    cards: list[CardUse]
    unused_cards: list[str]
    weeks: list[Week]

    def to_json(self) -> dict[str, Any]:
        """The report as one JSON object."""
        return asdict(self)


def _group_declined(rows: list[tuple[str | None, str | None]]) -> list[DeclinedGroup]:
    """Group declined questions by similarity, most asked first; text-less rows by reason."""
    texts: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for text, reason in rows:
        key = " ".join(text.split()) if text else NOT_LOGGED
        texts[key] += 1
        reasons[key][reason or "unknown"] += 1
    groups: list[tuple[str, Counter[str], Counter[str]]] = []  # representative, wordings, reasons
    reps: list[str] = []
    for wording, n in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0])):
        found = None
        if wording != NOT_LOGGED and reps:
            found = process.extractOne(wording, reps, scorer=fuzz.token_set_ratio,
                                       processor=utils.default_process, score_cutoff=SIMILAR)
        if found is None:
            reps.append(wording if wording != NOT_LOGGED else "\0")
            groups.append((wording, Counter(), Counter()))
            index = len(groups) - 1
        else:
            index = found[2]
        groups[index][1][wording] += n
        groups[index][2].update(reasons[wording])
    out = [
        DeclinedGroup(question=rep, count=sum(words.values()), reason=why.most_common(1)[0][0],
                      variants=[w for w, _ in words.most_common(MAX_VARIANTS)])
        for rep, words, why in groups
    ]
    return sorted(out, key=lambda g: (-g.count, g.question))


def build_report(engine: Engine, cards: Mapping[str, str], since: timedelta,
                 now: datetime | None = None) -> Report:
    """The report over [now - since, now]; `cards` maps every card id in the deck to its title."""
    now = now or utc_now()
    start = now - since
    with engine.connect() as conn:
        asked = conn.execute(
            select(questions.c.asked_at, questions.c.text, questions.c.answered, questions.c.reason,
                   questions.c.top_card).where(questions.c.asked_at >= start, questions.c.asked_at <= now)
        ).all()
        votes = conn.execute(
            select(feedback.c.vote, feedback.c.card_id, feedback.c.query, feedback.c.text,
                   feedback.c.voted_at)
            .where(feedback.c.voted_at >= start, feedback.c.voted_at <= now)
            .order_by(feedback.c.voted_at.desc())
        ).all()
    declined = [(r.text, r.reason) for r in asked if not r.answered]
    answers = Counter(r.top_card for r in asked if r.answered and r.top_card)
    voted = Counter(v.card_id for v in votes if v.card_id)
    helpful = Counter(v.card_id for v in votes if v.card_id and v.vote == "helpful")
    use = [
        CardUse(card_id=cid, title=cards.get(cid, "(not in the deck)"), answers=answers[cid],
                votes=voted[cid], helpful=helpful[cid],
                helpful_share=round(helpful[cid] / voted[cid], 3) if voted[cid] else None)
        for cid in sorted(set(cards) | set(answers) | set(voted))
        if answers[cid] or voted[cid]
    ]
    use.sort(key=lambda c: (-c.answers, c.card_id))
    weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in asked:
        year, week, _ = as_utc(r.asked_at).isocalendar()
        weeks[f"{year}-W{week:02d}"][0] += 1
        weeks[f"{year}-W{week:02d}"][1] += 0 if r.answered else 1
    return Report(
        since=start.isoformat(timespec="seconds"),
        until=now.isoformat(timespec="seconds"),
        asked=len(asked),
        declined=len(declined),
        declined_groups=_group_declined(declined),
        negative_votes=[NegativeVote(v.vote, v.card_id, v.query, v.text,
                                     as_utc(v.voted_at).isoformat(timespec="seconds"))
                        for v in votes if v.vote in NEGATIVE],
        cards=use,
        unused_cards=sorted(cid for cid in cards if not answers[cid]),
        weeks=[Week(w, n, d, round(d / n, 3)) for w, (n, d) in sorted(weeks.items())],
    )


CSV_FIELDS = ("section", "item", "count", "share", "reason", "text")


def to_csv(report: Report) -> str:
    """The report as one CSV table: a `section` column says which list each row belongs to."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for g in report.declined_groups:
        w.writerow(("declined", g.question, g.count, "", g.reason, " | ".join(g.variants)))
    for v in report.negative_votes:
        w.writerow(("voted_" + v.vote, v.card_id or "", 1, "", v.query or "", v.text or ""))
    for c in report.cards:
        share = "" if c.helpful_share is None else f"{c.helpful_share:.3f}"
        w.writerow(("card", c.card_id, c.answers, share, "", c.title))
    for cid in report.unused_cards:
        w.writerow(("unused_card", cid, 0, "", "", ""))
    for wk in report.weeks:
        w.writerow(("week", wk.week, wk.asked, f"{wk.abstention_rate:.3f}", "", f"{wk.declined} declined"))
    return out.getvalue()


def _pct(share: float | None) -> str:
    return "no votes" if share is None else f"{share:.0%} helpful"


def to_text(report: Report) -> str:
    """The report for a terminal."""
    lines = [f"il2bot report {report.since} to {report.until}: {report.asked} questions, "
             f"{report.declined} declined", "", "Declined questions (most asked first):"]
    lines += [f"  {g.count:>4}  {g.question}  [{g.reason}]" for g in report.declined_groups] or ["  none"]
    lines += ["", "Answers voted Not right or Outdated:"]
    lines += [f"  {v.vote:<9} {v.card_id or '-'}: {v.query or '-'}" + (f"  \"{v.text}\"" if v.text else "")
              for v in report.negative_votes] or ["  none"]
    lines += ["", "Cards (answers, helpful share of votes):"]
    lines += [f"  {c.answers:>4}  {c.card_id}  ({_pct(c.helpful_share)}, {c.votes} votes)"
              for c in report.cards] or ["  none"]
    lines += ["", f"Cards never used ({len(report.unused_cards)}):"]
    lines += [f"  {cid}" for cid in report.unused_cards] or ["  none"]
    lines += ["", "Abstention rate per week:"]
    lines += [f"  {w.week}  {w.abstention_rate:.0%} of {w.asked}" for w in report.weeks] or ["  no questions"]
    return "\n".join(lines) + "\n"


def to_slack(report: Report) -> str:
    """A compact summary for a Slack channel (mrkdwn, user text escaped)."""
    rate = f"{report.declined / report.asked:.0%}" if report.asked else "-"
    lines = [f"*il2bot report* {report.since[:10]} to {report.until[:10]}: {report.asked} questions, "
             f"{report.declined} declined ({rate})"]
    if report.declined_groups:
        lines.append("*Most asked, declined:*")
        lines += [f"• {g.count} x {_escape(g.question)} _({_escape(g.reason)})_"
                  for g in report.declined_groups[:SUMMARY_ITEMS]]
    if report.negative_votes:
        lines.append(f"*Voted Not right or Outdated:* {len(report.negative_votes)}")
        lines += [f"• {v.vote.replace('_', ' ')}: `{_escape(v.card_id or '-')}`"
                  + (f" “{_escape(v.text)}”" if v.text else "")
                  for v in report.negative_votes[:SUMMARY_ITEMS]]
    top = [c for c in report.cards if c.answers][:SUMMARY_ITEMS]
    if top:
        lines.append("*Most used cards:* " + ", ".join(
            f"`{_escape(c.card_id)}` {c.answers} ({_pct(c.helpful_share)})" for c in top))
    lines.append(f"*Cards never used:* {len(report.unused_cards)}")
    lines.append("Full report: `il2bot report --since ...`")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
