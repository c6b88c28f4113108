"""PostgreSQL stopped in the middle of a run of the Slack app: acks and answers continue, nothing is posted
twice, and once it is back the question log catches up and the shared record of events is used again."""

from __future__ import annotations

from collections import Counter

import pytest
from proxy import Proxy
from slack_harness import ACK_LIMIT, SECRET, TODAY, FakeSlack, SlackClient, serve_asgi
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.engine import Engine
from bot.slack.app import build_app, build_asgi
from bot.slack.services import Background
from bot.slack.settings import Settings
from bot.slack.web import make_web_client
from bot.storage import Storage, open_storage
from bot.storage.tables import handled_events, questions

PER_PHASE = 20  # events before, during and after the outage, each delivered twice
LAST = 5  # events once the app has recovered
WAIT = 30.0  # seconds to wait for answers, and for queued writes once the database is back
RECOVERY_TRIES = 5  # reads tried once the database is back, each after the read pause it may cause


def reads_recovered(storage: Storage) -> bool:
    """Once the read pause is over, a read through the database succeeds (a stale pooled connection
    fails here, where it is renewed, not during the next phase); a bounded number of tries."""
    for _ in range(RECOVERY_TRIES):
        if not storage.wait_reads(WAIT):
            return False
        seen = storage.fallbacks
        storage.thread("probe-after-outage")
        if storage.fallbacks == seen:
            return True
    return False


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_database_stopped_mid_run(env: dict[str, str], db_url: str, fake: FakeSlack, engine: Engine) -> None:
    url = make_url(db_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    storage = open_storage(env={**env, "IL2BOT_DATABASE_URL": through})
    storage.read_pause = 0.5  # after a failed read, try the database again soon (the test is short)
    background = Background(4)
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.url)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), today=lambda: TODAY,
                    background=background, storage=storage)
    running = serve_asgi(build_asgi(app))
    slack = SlackClient(running.base, fake)

    def phase(first: int, count: int = PER_PHASE) -> list[float]:
        acks = []
        for i in range(first, first + count):
            event = {"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> what is aldesleukin",
                     "ts": f"1700000000.{i:06d}", "channel": "C0001"}
            for retry in ("", "1"):  # Slack's retry of the same event
                sent = slack.event(event, event_id=f"EvOUT{i:06d}",
                                   headers={"x-slack-retry-num": retry} if retry else None)
                assert sent.status == 200
                acks.append(sent.seconds)
        return acks

    try:
        before = phase(0)
        fake.wait_for("/chat.postMessage", PER_PHASE, timeout=WAIT)
        proxy.down()
        during = phase(PER_PHASE)
        fake.wait_for("/chat.postMessage", 2 * PER_PHASE, timeout=WAIT)
        assert background.wait_idle(WAIT)
        proxy.up()
        after = phase(2 * PER_PHASE)
        fake.wait_for("/chat.postMessage", 3 * PER_PHASE, timeout=WAIT)
        assert background.wait_idle(WAIT)
        assert storage.wait_idle(WAIT)  # the database is back: queued writes committed
        # The first reads after the outage may still be decided here (a stale connection fails once,
        # then this process's record decides for read_pause); once recovered, the shared record decides.
        assert reads_recovered(storage), "a read through the database succeeds again"
        again = phase(3 * PER_PHASE, LAST)
        fake.wait_for("/chat.postMessage", 3 * PER_PHASE + LAST, timeout=WAIT)
        assert background.wait_idle(WAIT)
        assert storage.wait_idle(WAIT)
        posts = Counter(r.data["thread_ts"] for r in fake.calls("/chat.postMessage"))
        assert len(posts) == 3 * PER_PHASE + LAST, "every event answered, during the outage too"
        assert [ts for ts, n in posts.items() if n > 1] == [], "nothing posted twice"
        assert max(before + during + after + again) < ACK_LIMIT, "acks never waited for the database"
        assert storage.fallbacks > 0, "the outage was seen"
        with storage.engine.connect() as conn:
            logged = conn.execute(select(func.count()).select_from(questions)).scalar_one()
            claimed = set(conn.execute(select(handled_events.c.key)).scalars())
        assert (logged, storage.stats.dropped) == (3 * PER_PHASE + LAST, 0), "the log caught up, nothing lost"
        assert {f"event:EvOUT{i:06d}" for i in range(3 * PER_PHASE, 3 * PER_PHASE + LAST)} <= claimed, \
            "after the outage the shared record is used again"
    finally:
        running.server.should_exit = True
        running.thread.join(timeout=5)
        background.drain(5)
        storage.close()
        proxy.down()
