"""Fixtures for the Slack tests: the real engine, the fake Slack, the app running over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_harness import SECRET, TODAY, FakeSlack, Running, SlackClient, check_message, serve_asgi

from bot.engine import Engine, load_engine
from bot.slack.app import ANSWER_WORKERS, build_app, build_asgi
from bot.slack.services import Background
from bot.slack.settings import Settings
from bot.slack.web import make_web_client


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The real engine over the real cards (cached in the session's temp folder)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IL2BOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        return load_engine()


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def background() -> Background:
    """Where the session app's answers run (tests wait on it to know no further reply can come)."""
    return Background(ANSWER_WORKERS)


@pytest.fixture(scope="session")
def app_server(fake_slack: FakeSlack, engine: Engine, background: Background) -> Iterator[Running]:
    """The app in HTTP mode, against the fake Slack, with fast retry backoff."""
    settings = Settings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake_slack.url)
    app = build_app(settings, engine, make_web_client(settings, backoff=0.01), today=lambda: TODAY,
                    background=background)
    running = serve_asgi(build_asgi(app))
    yield running
    running.server.should_exit = True
    running.thread.join(timeout=5)


@pytest.fixture
def slack(fake_slack: FakeSlack, app_server: Running) -> SlackClient:
    """A client that talks to the running app; the fake's records start empty."""
    fake_slack.reset()
    return SlackClient(app_server.base, fake_slack)


@pytest.fixture
def valid() -> Callable[[dict[str, Any]], None]:
    """check_message, for tests."""
    return check_message
