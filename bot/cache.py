"""A pickled cache of the parsed deck and its matcher, rebuilt whenever any content file changes."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from bot import __version__
from bot.cards.model import CardError, Deck, DeckError
from bot.matcher import Matcher

FORMAT = 1


_CODE = Path(__file__).resolve().parent


def _fingerprint(root: Path) -> str:
    """Name, size and mtime of every content file and of the code that parses it: any change shows."""
    h = hashlib.sha256(f"{FORMAT}:{__version__}:{sys.version_info[:2]}:{root.resolve()}".encode())
    for code in (
        _CODE / "matcher.py",
        _CODE / "text.py",
        _CODE / "cards" / "model.py",
        _CODE / "cards" / "loader.py",
    ):
        st = os.stat(code)
        h.update(f"{code}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    for folder in (root / "facts", root / "seeds"):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def cache_dir() -> Path:
    """$IL2BOT_CACHE_DIR, else $XDG_CACHE_HOME/il2bot, else ~/.cache/il2bot."""
    env = os.environ.get("IL2BOT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "il2bot"


def build_deck(root: Path) -> tuple[Deck, Matcher]:
    """Load and fully check the content; raise DeckError listing every problem."""
    from bot.cards.checks import run_checks
    from bot.cards.loader import Layout

    report = run_checks(Layout(root))
    if report.errors:
        raise DeckError(report.errors)
    deck = report.loaded.deck
    return deck, Matcher(deck)


def load_deck_cached(root: Path) -> tuple[Deck, Matcher]:
    """The deck and matcher for root, from the cache when it is fresh, else rebuilt and stored."""
    try:
        key = _fingerprint(root)
    except OSError as exc:
        raise DeckError([CardError(str(root), 1, f"cannot read the content: {exc.strerror}")]) from None
    path = cache_dir() / f"deck-{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]}.pickle"
    try:
        with open(path, "rb") as f:
            stored_key, deck, matcher = pickle.load(f)
        if stored_key == key and isinstance(deck, Deck) and isinstance(matcher, Matcher):
            return deck, matcher
    except Exception:  # missing, stale, corrupt or from another version: rebuild, never trust
        pass
    deck, matcher = build_deck(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".deck-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, deck, matcher), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still answers, just without the cache
    return deck, matcher
