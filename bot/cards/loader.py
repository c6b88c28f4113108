"""Load sources, vocabulary and cards from YAML, keeping the line of every value for errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.cards.model import Card, CardError, Citation, Deck, Fact, Source, Term, TrialInfo

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]


@dataclass(slots=True)
class Document:
    """A parsed YAML file: its data and the line of every value, by path."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line(self, *path: str | int) -> int:
        """The line of the value at path, or of its nearest located parent."""
        p: Path_ = tuple(path)
        while p not in self.lines and p:
            p = p[:-1]
        return self.lines.get(p, 1)

    def error(self, message: str, *path: str | int) -> CardError:
        """A CardError at the line of path in this document."""
        return CardError(self.file, self.line(*path), message)


class _Builder:
    """Turns a composed YAML node tree into plain data, recording lines and duplicate keys."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.errors: list[CardError] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node)
                if not isinstance(key, str):
                    self.errors.append(
                        CardError(self.file, key_node.start_mark.line + 1, f"key {key!r} must be text")
                    )
                    key = str(key)
                if key in out:
                    self.errors.append(
                        CardError(self.file, key_node.start_mark.line + 1, f"duplicate key '{key}'")
                    )
                out[key] = self.build(value_node, (*path, key))
                # Errors about an entry point at its key, where a curator looks for it.
                self.lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return self._constructor.construct_object(node)
        except ValueError as exc:  # a scalar YAML reads as an impossible value, e.g. the date 2026-02-30
            self.errors.append(CardError(self.file, node.start_mark.line + 1,
                                         f"invalid value '{node.value}' ({exc}); quote it if it is text"))
            return node.value


def read_yaml(path: Path, rel: str) -> tuple[Document | None, list[CardError]]:
    """Parse one YAML file; a syntax error becomes a CardError at its line, never an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [CardError(rel, 1, f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return None, [CardError(rel, 1, f"cannot read: {exc.strerror}")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return None, [CardError(rel, line, f"invalid YAML: character U+{char:04X} is not allowed")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [CardError(rel, line, f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [CardError(rel, 1, f"invalid YAML: {exc}")]
    if node is None:
        return None, [CardError(rel, 1, "empty file")]
    builder = _Builder(rel)
    try:
        data = builder.build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [CardError(rel, mark.line + 1 if mark else 1, f"invalid YAML: {exc.problem}")]
    return Document(rel, data, builder.lines), builder.errors


_SCHEMAS: dict[str, Any] = {}


def schema_errors(doc: Document, schema_path: Path) -> list[CardError]:
    """Validate a document against a JSON Schema; one error per problem, at its line."""
    import jsonschema  # imported here: only needed when the cache is rebuilt or checked

    key = str(schema_path)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = jsonschema.Draft202012Validator(json.loads(schema_path.read_text()))
    validator = _SCHEMAS[key]
    out = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        where = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            # One error per unknown key, at the key's own line (a misspelled `summry:` is found there).
            field = ".".join(str(p) for p in where) or "file"
            for key in sorted(set(err.instance) - set(err.schema.get("properties", {}))):
                out.append(doc.error(f"{field}: unknown key '{key}'", *where, key))
            continue
        out.append(doc.error(_schema_message(err, where), *where))
    return out


def _schema_message(err: Any, where: list[str | int]) -> str:
    """A short human message for a jsonschema error."""
    field = ".".join(str(p) for p in where) or "file"
    if err.validator == "required":
        return f"{field}: {err.message.replace(' is a required property', '')} is required"
    if err.validator == "type":
        return f"{field}: must be {err.validator_value}, not {type(err.instance).__name__}"
    if err.validator == "uniqueItems":
        return f"{field}: has duplicate items"
    message = err.message if len(err.message) <= 160 else err.message[:159] + "…"
    return f"{field}: {message}"


def iter_yaml(folder: Path) -> Iterator[Path]:
    """Every YAML file under a folder, in a stable order."""
    yield from sorted(p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def build_sources(doc: Document) -> dict[str, Source]:
    """Sources from a schema-valid sources.yaml document."""
    return {
        sid: Source(
            id=sid,
            file=s["file"],
            title=s["title"],
            site=s["site"],
            kind=s["kind"],
            date=s["date"],
            date_text=s["date_text"],
            identifiers=dict(s.get("identifiers") or {}),
            url=s.get("url"),
            line=doc.line("sources", sid),
        )
        for sid, s in doc.data["sources"].items()
    }


def build_evidence(doc: Document) -> dict[str, str]:
    """Evidence types (id -> label) of a vocabulary document."""
    return {eid: e["label"] for eid, e in (doc.data.get("evidence") or {}).items()}


# The word lists a vocabulary file may hold.
WORD_LISTS = ("stopwords", "examples", "foreign_suffixes", "disease_suffixes")


def build_terms(doc: Document) -> tuple[list[Term], dict[str, list[str]]]:
    """Terms, and the word lists (stopwords, examples, foreign and disease suffixes), of a vocabulary
    document."""
    terms = []
    for section in ("subjects", "topics"):
        for tid, t in (doc.data.get(section) or {}).items():
            kind = "topic" if section == "topics" else t["kind"]
            terms.append(
                Term(
                    tid,
                    t["label"],
                    kind,
                    tuple(t["terms"]),
                    doc.file,
                    doc.line(section, tid),
                    tuple(t.get("broader") or ()),
                    float(t.get("weight", 1.0)),
                    bool(t.get("spoken", False)),
                )
            )
    return terms, {k: list(doc.data.get(k) or []) for k in WORD_LISTS}


def build_card(doc: Document) -> Card:
    """A card from a schema-valid card document."""
    d = doc.data
    facts = tuple(
        Fact(
            text=f["text"],
            citations=tuple(Citation(c["source"], c["quote"], c["ref"], c.get("url")) for c in f["cite"]),
            evidence=f.get("evidence", ""),
            time_sensitive=bool(f.get("time_sensitive", False)),
        )
        for f in d["facts"]
    )
    trial = TrialInfo(**d["trial"]) if d.get("trial") else None
    return Card(
        id=d["id"],
        title=d["title"],
        kind=d["kind"],
        subjects=tuple(d["subjects"]),
        topics=tuple(d["topics"]),
        aliases=tuple(d.get("aliases") or ()),
        keywords=tuple(d.get("keywords") or ()),
        summary=d["summary"],
        facts=facts,
        trial=trial,
        file=doc.file,
        line=1,
        related=tuple(d.get("related") or ()),
    )


@dataclass(slots=True)
class Layout:
    """Where the content lives."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)  # a str root (from the CLI or the environment) works too

    @property
    def facts(self) -> Path:
        return self.root / "facts"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def cards(self) -> Path:
        return self.facts / "cards"

    @property
    def vocabulary(self) -> Path:
        return self.facts / "vocabulary"

    @property
    def schemas(self) -> Path:
        return self.facts / "schema"

    @property
    def sources_file(self) -> Path:
        return self.seeds / "sources.yaml"

    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the content root when it can be."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


@dataclass(slots=True)
class Loaded:
    """A deck as read from disk, with the parsed documents the checks need."""

    deck: Deck
    errors: list[CardError]
    card_docs: dict[str, Document]  # by file
    seed_texts: dict[str, str]
    broken: set[str]  # kinds of content that failed to load ("sources", "vocabulary")
    vocabulary_docs: dict[str, Document] = field(default_factory=dict)  # by file, schema-valid ones


def load(layout: Layout) -> Loaded:
    """Read and structurally validate every content file; collect errors, never raise."""
    errors: list[CardError] = []
    broken: set[str] = set()
    missing = [
        p
        for p in (
            layout.cards,
            layout.vocabulary,
            layout.sources_file,
            *(layout.schemas / f"{kind}.schema.json" for kind in ("card", "vocabulary", "sources")),
        )
        if not p.exists()
    ]
    if missing:  # not a content folder at all: say so once instead of failing on every file
        errors = [
            CardError(layout.rel(p), 1, "missing (is this the il2bot content folder?)") for p in missing
        ]
        return Loaded(Deck([], {}, {}), errors, {}, {}, {"sources", "vocabulary"})

    sources: dict[str, Source] = {}
    doc, errs = read_yaml(layout.sources_file, layout.rel(layout.sources_file))
    errors += errs
    if doc is not None:
        errs = schema_errors(doc, layout.schemas / "sources.schema.json")
        errors += errs
        if not errs:
            sources = build_sources(doc)
    if not sources:
        broken.add("sources")
    seed_texts: dict[str, str] = {}
    for s in sources.values():
        path = layout.seeds / s.file
        try:
            seed_texts[s.id] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            broken.add("seeds")
            errors.append(
                CardError(
                    layout.rel(layout.sources_file),
                    s.line,
                    f"source '{s.id}': seed file {s.file} is missing or unreadable",
                )
            )

    terms: dict[str, Term] = {}
    lists: dict[str, list[str]] = {k: [] for k in WORD_LISTS}
    evidence: dict[str, str] = {}
    vocabulary_docs: dict[str, Document] = {}
    for path in iter_yaml(layout.vocabulary):
        doc, errs = read_yaml(path, layout.rel(path))
        if doc is not None:
            errs += schema_errors(doc, layout.schemas / "vocabulary.schema.json")
        errors += errs
        if doc is None or errs:
            broken.add("vocabulary")
            continue
        vocabulary_docs[doc.file] = doc
        new_terms, new_lists = build_terms(doc)
        evidence.update(build_evidence(doc))
        for k, v in new_lists.items():
            lists[k] += v
        for t in new_terms:
            if t.id in terms:
                first = terms[t.id]
                errors.append(
                    CardError(
                        t.file,
                        t.line,
                        f"vocabulary id '{t.id}' is already defined at {first.file}:{first.line}",
                    )
                )
            else:
                terms[t.id] = t

    cards: list[Card] = []
    card_docs: dict[str, Document] = {}
    for path in iter_yaml(layout.cards):
        doc, errs = read_yaml(path, layout.rel(path))
        errors += errs
        if doc is None:
            continue
        errs = schema_errors(doc, layout.schemas / "card.schema.json")
        errors += errs
        if errs:
            continue
        card = build_card(doc)
        cards.append(card)
        card_docs[card.file] = doc

    deck = Deck(
        cards=cards,
        terms=terms,
        sources=sources,
        stopwords=frozenset(lists["stopwords"]),
        examples=tuple(lists["examples"]),
        foreign_suffixes=tuple(lists["foreign_suffixes"]),
        disease_suffixes=tuple(lists["disease_suffixes"]),
        evidence=evidence,
    )
    return Loaded(deck, errors, card_docs, seed_texts, broken, vocabulary_docs)
