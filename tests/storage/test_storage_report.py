"""`il2bot report` on a seeded database (JSON, CSV, text) and `--post` to a fake Slack Web API."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_harness import FakeSlack

from bot.cli import main
from bot.storage import open_storage

NOW = datetime.now(UTC)
LAST_WEEK = NOW - timedelta(days=8)
IL6 = "the question names something the cards don't know"
NO_CARD = "no card is about that drug, study or disease"


def week(moment: datetime) -> str:
    year, number, _ = moment.isocalendar()
    return f"{year}-W{number:02d}"


def expected_weeks() -> dict[str, list[int]]:
    """Questions asked and declined per ISO week, as seeded (the seeds may straddle a Monday)."""
    weeks: dict[str, list[int]] = {}
    for moment, asked, declined in ((NOW - timedelta(hours=1), 6, 6), (NOW - timedelta(hours=2), 3, 0),
                                    (LAST_WEEK, 2, 1)):
        counts = weeks.setdefault(week(moment), [0, 0])
        counts[0] += asked
        counts[1] += declined
    return weeks


@pytest.fixture
def seeded(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """A database with declined and answered questions and votes over two weeks; the CLI pointed at it."""
    storage = open_storage(env=env)
    try:
        declined = [("dose of IL-6", IL6)] * 3 + [("IL-6 dose?", IL6), ("pembrolizumab side effects", NO_CARD),
                                                  ("Pembrolizumab side-effects", NO_CARD)]
        for i, (text, reason) in enumerate(declined):
            storage.log_question(user_id=f"U{i}", kind="channel", text=text, answered=False, reason=reason,
                                 at=NOW - timedelta(hours=1))
        for i in range(3):
            storage.log_question(user_id=f"U{i}", kind="dm", text="minileukin side effects", answered=True,
                                 top_card="minileukin-side-effects", score=90.0, answer_id=f"a{i}",
                                 at=NOW - timedelta(hours=2))
        storage.log_question(user_id="U9", kind="thread", text="what is the minileukin", answered=False,
                             reason=NO_CARD, at=LAST_WEEK)
        storage.log_question(user_id="U9", kind="thread", text="what is minileukin", answered=True,
                             top_card="minileukin-side-effects", at=LAST_WEEK)
        storage.log_question(user_id="U9", kind="dm", text="long ago", answered=False, reason=NO_CARD,
                             at=NOW - timedelta(days=40))
        storage.record_vote(answer_id="a0", user_id="U0", vote="helpful", card_id="minileukin-side-effects",
                            query="minileukin side effects", at=NOW - timedelta(minutes=50))
        storage.record_vote(answer_id="a1", user_id="U1", vote="helpful", card_id="minileukin-side-effects",
                            query="minileukin side effects", at=NOW - timedelta(minutes=40))
        storage.record_vote(answer_id="a2", user_id="U2", vote="not_right", card_id="minileukin-side-effects",
                            query="minileukin side effects", text="it lists the wrong rash",
                            at=NOW - timedelta(minutes=30))
        storage.record_vote(answer_id="a2", user_id="U3", vote="outdated", card_id="minileukin-side-effects",
                            query="minileukin side effects", text="newer label <2026>",
                            at=NOW - timedelta(minutes=20))
        assert storage.wait_idle(10.0)
        assert storage.stats.dropped == 0
    finally:
        storage.close()
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def report(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    assert main(["--root", str(root), "report", *args]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


def test_report_json(seeded: dict[str, str], mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = json.loads(report(capsys, mini_root, "--since", "14d", "--json"))
    assert (got["asked"], got["declined"]) == (11, 7)
    assert got["declined_groups"] == [
        {"question": "dose of IL-6", "count": 4, "reason": IL6, "variants": ["dose of IL-6", "IL-6 dose?"]},
        {"question": "Pembrolizumab side-effects", "count": 2, "reason": NO_CARD,
         "variants": ["Pembrolizumab side-effects", "pembrolizumab side effects"]},
        {"question": "what is the minileukin", "count": 1, "reason": NO_CARD,
         "variants": ["what is the minileukin"]},
    ]
    assert [(v["vote"], v["card_id"], v["query"], v["text"]) for v in got["negative_votes"]] == [
        ("outdated", "minileukin-side-effects", "minileukin side effects", "newer label <2026>"),
        ("not_right", "minileukin-side-effects", "minileukin side effects", "it lists the wrong rash"),
    ]
    assert got["cards"] == [{"card_id": "minileukin-side-effects", "title": "Side effects of minileukin",
                             "answers": 4, "votes": 4, "helpful": 2, "helpful_share": 0.5}]
    assert got["unused_cards"] == ["minileukin"]
    weeks = expected_weeks()
    assert got["weeks"] == [{"week": w, "asked": n, "declined": d, "abstention_rate": round(d / n, 3)}
                            for w, (n, d) in sorted(weeks.items())]


def test_report_since_narrows_the_period(seeded: dict[str, str], mini_root: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    got = json.loads(report(capsys, mini_root, "--since", "3d", "--json"))
    assert (got["asked"], got["declined"]) == (9, 6)
    assert LAST_WEEK.isoformat()[:10] not in json.dumps(got)
    assert got["unused_cards"] == ["minileukin"]


def test_report_csv(seeded: dict[str, str], mini_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(report(capsys, mini_root, "--since", "14d", "--csv"))))
    assert [(r["section"], r["item"], r["count"], r["share"], r["reason"]) for r in rows
            if r["section"] != "week"] == [
        ("declined", "dose of IL-6", "4", "", IL6),
        ("declined", "Pembrolizumab side-effects", "2", "", NO_CARD),
        ("declined", "what is the minileukin", "1", "", NO_CARD),
        ("voted_outdated", "minileukin-side-effects", "1", "", "minileukin side effects"),
        ("voted_not_right", "minileukin-side-effects", "1", "", "minileukin side effects"),
        ("card", "minileukin-side-effects", "4", "0.500", ""),
        ("unused_card", "minileukin", "0", "", ""),
    ]
    assert [r["text"] for r in rows if r["section"].startswith("voted_")] == [
        "newer label <2026>", "it lists the wrong rash"]
    assert [(r["item"], r["count"], r["share"]) for r in rows if r["section"] == "week"] == [
        (w, str(n), f"{d / n:.3f}") for w, (n, d) in sorted(expected_weeks().items())]


def test_report_text_lists_each_part(seeded: dict[str, str], mini_root: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    lines = report(capsys, mini_root, "--since", "14d").splitlines()
    assert lines[0].endswith(": 11 questions, 7 declined")
    assert f"     4  dose of IL-6  [{IL6}]" in lines
    assert '  not_right minileukin-side-effects: minileukin side effects  "it lists the wrong rash"' in lines
    assert "     4  minileukin-side-effects  (50% helpful, 4 votes)" in lines
    assert lines[lines.index("Cards never used (1):") + 1] == "  minileukin"


def test_report_post_sends_a_summary_to_the_channel(seeded: dict[str, str], mini_root: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeSlack()
    try:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_URL", fake.url)
        assert report(capsys, mini_root, "--since", "14d", "--post", "C0CURATORS") == "report posted to C0CURATORS\n"
        [call] = fake.wait_for("/chat.postMessage")
        assert call.headers["authorization"] == "Bearer xoxb-test-token"
        data = call.data
        assert data["channel"] == "C0CURATORS"
        lines = data["text"].splitlines()
        assert lines[0].endswith(": 11 questions, 7 declined (64%)")
        assert lines[1:5] == [
            "*Most asked, declined:*",
            f"• 4 x dose of IL-6 _({IL6})_",
            f"• 2 x Pembrolizumab side-effects _({NO_CARD})_",
            f"• 1 x what is the minileukin _({NO_CARD})_",
        ]
        assert "• outdated: `minileukin-side-effects` “newer label &lt;2026&gt;”" in lines
        assert "*Cards never used:* 1" in lines
    finally:
        fake.close()


def test_report_post_without_a_token_says_what_to_set(seeded: dict[str, str], mini_root: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["--root", str(mini_root), "report", "--post", "C0CURATORS"]) == 2
    err = capsys.readouterr().err
    assert err == ("il2bot report --post: set SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-...) "
                   "in the environment or in .env\n")


def test_report_post_when_slack_refuses_says_why(seeded: dict[str, str], mini_root: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from slack_harness import Scripted

    fake = FakeSlack()
    try:
        fake.script("/chat.postMessage", Scripted(200, {"ok": False, "error": "not_in_channel"}))
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_URL", fake.url)
        assert main(["--root", str(mini_root), "report", "--post", "C0CURATORS"]) == 1
        assert capsys.readouterr().err == ("il2bot report --post: Slack refused the message: not_in_channel "
                                           "(is the bot in C0CURATORS? it needs chat:write)\n")
    finally:
        fake.close()
