"""What keeps `il2bot ask` fast to start: no string-annotated NamedTuples on its path, the cache read
without the pure-Python pickle module or the garbage collector, nothing only `check` or help needs."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cache import load_deck_cached

# Modules on the `ask` path whose NamedTuples carry real (not string) annotations: typing.NamedTuple
# compiles every string annotation at import.
NAMEDTUPLE_MODULES = [
    "bot.cards.model",
    "bot.reply",
    "bot.matcher",
    "bot.matcher.index",
    "bot.matcher.scorer",
    "bot.matcher.reader",
    "bot.render.view",
    "bot.render.layout",
    "bot.render.dates",
]


@pytest.mark.parametrize("name", NAMEDTUPLE_MODULES)
def test_named_tuples_on_the_ask_path_have_no_string_annotations(name: str) -> None:
    module = sys.modules.get(name) or __import__(name, fromlist=["_"])
    classes = [
        v for v in vars(module).values() if isinstance(v, type) and hasattr(v, "_fields") and v.__module__ == name
    ]
    strings = [f"{c.__name__}.{f}" for c in classes for f, t in c.__annotations__.items() if isinstance(t, str)]
    assert (len(classes) > 0, strings) == (True, [])


def test_ask_imports_neither_the_pickle_module_nor_the_catalog_nor_urllib() -> None:
    """With a warm cache, the C unpickler reads the cache; help's catalog and urllib (links are named
    only in the full view) are not imported."""
    ask = "import sys; from bot.cli import main; main(['ask', 'side effects of IL-2']); "
    subprocess.run([sys.executable, "-c", ask], capture_output=True, timeout=60, check=True)  # warm
    code = ask + "print(sorted(m for m in ('pickle', 'bot.catalog', 'yaml', 'pathlib', 'urllib.parse') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


def test_loading_the_cache_leaves_the_garbage_collector_as_it_was(mini_root: Path) -> None:
    load_deck_cached(mini_root)  # built and stored
    assert gc.isenabled()
    load_deck_cached(mini_root)  # read back
    assert gc.isenabled()
    gc.disable()
    try:
        load_deck_cached(mini_root)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _fold_by_characters(text: str) -> str:
    """fold() as it was before its ASCII shortcut: every character looked up."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch)[0] != "C")
    return unicodedata.normalize("NFKC", text).casefold()


ASCII_AND_NOT = [
    "Side-effects of IL-2?",
    "  ESPRIT trial  ",
    "tab\tand\nnew line",
    "bell\x07 and delete\x7f",
    "Crohn's disease",
    "Ｆｕｌｌwidth and café",
    "",
]


@pytest.mark.parametrize("text", ASCII_AND_NOT)
def test_fold_shortcut_gives_what_the_character_walk_gives(text: str) -> None:
    from bot.text import fold

    assert fold(text) == _fold_by_characters(text)


@pytest.mark.parametrize("text", ASCII_AND_NOT)
def test_terminal_clean_shortcut_gives_what_the_character_walk_gives(text: str) -> None:
    import unicodedata

    from bot.render.terminal import clean

    walked = "".join(ch if unicodedata.category(ch)[0] != "C" or ch == " " else " " for ch in text).strip()
    assert clean(text) == walked


def _normalize_by_patterns(text: str) -> str:
    """normalize() as it was: every pattern applied."""
    from bot.text import _APOSTROPHES, _NAME_HYPHEN_NUMBER, _NON_WORD, _WS, fold

    text = _NAME_HYPHEN_NUMBER.sub(r"\1\2", fold(text).translate(_APOSTROPHES))
    text = _NON_WORD.sub(" ", text)
    return _WS.sub(" ", text).strip()


@pytest.mark.parametrize(
    "text",
    [*ASCII_AND_NOT, "IL-2 vs IL 7", "NCT-04077684", "low_dose  IL-2\u00a0in\u2003SLE", "a-1-2 b--3", "- -", "x_-_y"],
)
def test_normalize_shortcuts_give_what_the_patterns_give(text: str) -> None:
    from bot.text import normalize

    assert normalize(text) == _normalize_by_patterns(text)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([*"aZ9_-' `.,/\t\n\x07\x7f", "IL", "-2", "é", "\u2019", "\u00a0", "ﬁ"])).map("".join))
def test_normalize_ascii_table_gives_what_the_patterns_give(text: str) -> None:
    """The byte table for ASCII text (and the hyphen-number pre-check) against every pattern applied."""
    from bot.text import normalize

    assert normalize(text) == _normalize_by_patterns(text)


def _equal_but_distinct(obj: object) -> list[str]:
    """Strings, and plain tuples and frozensets of strings, held twice as distinct but equal objects."""
    seen: set[int] = set()
    first: dict[tuple[type, object], int] = {}
    twice: list[str] = []
    stack = [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, type) or callable(o):
            continue
        seen.add(id(o))
        if type(o) in (str, tuple, frozenset) and (type(o) is str or all(type(x) is str for x in o)):  # type: ignore[attr-defined]
            key = (type(o), o)
            if first.setdefault(key, id(o)) != id(o):
                twice.append(repr(o)[:40])
        if type(o) is not str:
            stack.extend(gc.get_referents(o))
    return twice


def test_the_cache_holds_each_word_once(mini_root: Path) -> None:
    """Equal strings (and tuples and sets of them) are one object in the stored cache: fewer objects to load."""
    built = load_deck_cached(mini_root)
    assert len(_equal_but_distinct(built)) > 50  # what building leaves
    assert _equal_but_distinct(load_deck_cached(mini_root)) == []


def test_sharing_equal_objects_changes_no_answer() -> None:
    """The real deck and matcher, built afresh and shared as the cache stores them, answer alike."""
    import pickle

    from bot.cache import build_deck, share_equal
    from bot.engine import Engine
    from bot.paths import content_root

    deck, matcher = build_deck(str(content_root()))
    copy = pickle.loads(pickle.dumps((deck, matcher)))
    shared_deck, shared_matcher = share_equal(copy)  # type: ignore[misc]
    assert shared_deck == deck
    built, shared = Engine(deck, matcher), Engine(shared_deck, shared_matcher)
    questions = [c.title for c in deck.cards] + list(deck.examples) + ["side efects of IL-2", "dose?"]
    assert [q for q in questions if built.ask(q) != shared.ask(q)] == []
