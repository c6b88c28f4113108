"""A pickled cache of the parsed deck and its matcher, rebuilt whenever any content file changes.

This module is on the `il2bot ask` start-up path: it imports nothing heavy (no pathlib, hashlib,
jsonschema or yaml); building the deck imports those only when the cache is stale.
"""

from __future__ import annotations

import gc
import os
import sys
import zlib
from typing import Any, BinaryIO

try:  # the C unpickler alone: the pure-Python pickle module costs `il2bot ask` a few ms to import
    from _pickle import load as _load
except ImportError:  # pragma: no cover - an interpreter without the C accelerator
    from pickle import load as _load

from bot import __version__
from bot.cards.model import CardError, Deck, DeckError
from bot.matcher import Matcher

FORMAT = 7  # 7: equal strings, and tuples and sets of them, stored once (share_equal)
_CODE = os.path.dirname(os.path.abspath(__file__))
_CODE_FILES = (
    *(
        os.path.join("matcher", m)
        for m in ("__init__.py", "fuzzy.py", "index.py", "lexicon.py", "reader.py", "scorer.py")
    ),
    "text.py",
    os.path.join("cards", "model.py"),
    os.path.join("cards", "loader.py"),
)

Fingerprint = tuple[object, ...]


def _fingerprint(root: str) -> Fingerprint:
    """Name, size and mtime of every content file and of the code that parses it: any change shows."""
    stats: list[object] = [FORMAT, __version__, sys.version_info[:2], os.path.abspath(root)]
    for name in _CODE_FILES:
        st = os.stat(os.path.join(_CODE, name))
        stats.append((name, st.st_size, st.st_mtime_ns))
    for folder in (os.path.join(root, "facts"), os.path.join(root, "seeds")):
        if not os.path.isdir(folder):
            stats.append((folder, None))  # building the deck says what is missing
            continue
        _stat_tree(folder, stats)
    return tuple(stats)


def _stat_tree(folder: str, stats: list[object]) -> None:
    """Append (folder, name, size, mtime) for every file under folder, sorted, subfolders after its
    files (symbolic links to folders are not followed, as os.walk does not)."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    subfolders = []
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():
                subfolders.append(entry.path)
            continue
        st = entry.stat()
        stats.append((folder, entry.name, st.st_size, st.st_mtime_ns))
    for sub in subfolders:
        _stat_tree(sub, stats)


def cache_dir() -> str:
    """$IL2BOT_CACHE_DIR, else $XDG_CACHE_HOME/il2bot, else ~/.cache/il2bot."""
    env = os.environ.get("IL2BOT_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "il2bot")


def cache_file(root: str) -> str:
    """The cache file of one content root."""
    key = zlib.crc32(os.path.abspath(root).encode())
    return os.path.join(cache_dir(), f"deck-{key:08x}.pickle")


def build_deck(root: str) -> tuple[Deck, Matcher]:
    """Load and fully check the content; raise DeckError listing every problem."""
    from pathlib import Path

    from bot.cards.checks import run_checks
    from bot.cards.loader import Layout

    report = run_checks(Layout(Path(root)))
    if report.errors:
        raise DeckError(report.errors)
    deck = report.loaded.deck
    from bot.matcher.lexicon import load_lexicon

    return deck, Matcher(deck, load_lexicon(os.path.join(root, "facts", "vocabulary")))


def load_deck_cached(root: str | os.PathLike[str]) -> tuple[Deck, Matcher]:
    """The deck and matcher for root, from the cache when it is fresh, else rebuilt and stored."""
    root = os.fspath(root)
    try:
        key = _fingerprint(root)
    except OSError as exc:
        detail = exc.strerror or "missing"
        raise DeckError([CardError(root, 1, f"cannot read the content ({detail}): {exc.filename}")]) from None
    path = cache_file(root)
    try:
        with open(path, "rb") as f:
            stored_key, deck, matcher = _load_quietly(f)
        if stored_key == key and isinstance(deck, Deck) and isinstance(matcher, Matcher):
            return deck, matcher
    except Exception:  # missing, stale, corrupt or from another version: rebuild, never trust
        pass
    deck, matcher = build_deck(root)
    _store(path, (key, deck, matcher))
    return deck, matcher


def _load_quietly(f: BinaryIO) -> tuple[object, object, object]:
    """Unpickle with the cyclic garbage collector paused: it would walk the tens of thousands of
    objects being created, again and again, and free none of them (it took most of the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        loaded: tuple[object, object, object] = _load(f)
        return loaded
    finally:
        if enabled:
            gc.enable()


def share_equal(obj: object) -> object:
    """obj with equal strings made one object, and equal plain tuples and frozensets of strings too
    (containers rebuilt, or updated in place).

    The deck and the index hold the same words and names many times over (a card's subjects, its
    entry's sets, the postings' keys, phrases...); pickled once each, the cache loads as 7,000 fewer
    objects (18,300). They are immutable, so nothing can tell the difference but memory and load time.
    """
    atoms: dict[tuple[type, object], object] = {}
    done: dict[int, object] = {}  # id of a container seen -> what it became

    def share(o: Any) -> object:
        kind: Any = type(o)
        if kind is str:
            return atoms.setdefault((str, o), o)
        known = done.get(id(o))
        if known is not None:
            return known
        new = o
        if isinstance(o, tuple):
            items = [share(x) for x in o]
            if any(x is not y for x, y in zip(items, o, strict=True)):
                new = o._make(items) if hasattr(o, "_make") else kind(items)
            if kind is tuple and all(type(x) is str for x in items):
                new = atoms.setdefault((tuple, new), new)
        elif isinstance(o, list):
            o[:] = [share(x) for x in o]
        elif isinstance(o, dict):
            pairs = [(share(k), share(v)) for k, v in o.items()]
            o.clear()
            o.update(pairs)
        elif isinstance(o, frozenset | set):
            new = kind(share(x) for x in o)
            if kind is frozenset and all(type(x) is str for x in new):
                new = atoms.setdefault((frozenset, new), new)
        elif hasattr(o, "__dict__") and not isinstance(o, type):
            for name, value in vars(o).items():
                setattr(o, name, share(value))
        done[id(o)] = new
        return new

    return share(obj)


def _store(path: str, payload: object) -> None:
    """Write the cache atomically; a read-only home still answers, just without the cache."""
    import pickle
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".deck-")
        # A copy is shared (the objects the caller goes on using are left alone).
        shared = share_equal(pickle.loads(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)))
        with os.fdopen(fd, "wb") as f:
            pickle.dump(shared, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
