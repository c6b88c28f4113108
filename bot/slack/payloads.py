"""Reject request bodies Slack never sends before Bolt parses them (they would make it fail with a 500).

Slack's bodies are JSON objects (events), forms (slash commands) or forms carrying a JSON object in
`payload` (buttons). Bolt and the listeners read a known set of fields from them; `problem` checks
that each of those fields, where present, has the type Slack documents, and returns what is wrong
(or None). The caller answers 400 to a signed malformed body and 401 to an unsigned one.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

# Fields that Bolt's context builders read as an id string or an object with an "id".
_ID_OR_OBJECT = ("enterprise", "team", "user", "channel")
# Nested objects Bolt's context builders walk into, with the same rules as the top level.
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread")
# Other fields that must be objects where present.
_OBJECTS = ("view", "function_data", "container", "state")
# Fields that must be strings where present (at any level Bolt walks).
_STRINGS = ("type", "subtype", "text", "ts", "thread_ts", "channel_type", "bot_id", "event_id", "command",
            "response_url", "trigger_id", "user_id", "channel_id", "team_id", "enterprise_id", "user_team")
MAX_DEPTH = 4


def parse(content_type: str | None, raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The body as Bolt will parse it, or what stops it being parsed (not UTF-8, bad JSON, not an object)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "the body is not UTF-8"
    if not text:
        return {}, None
    ctype = (content_type or "").split(";")[0].strip().lower()
    try:
        if ctype == "application/json" or text.startswith("{"):  # Bolt's own rule
            data: Any = json.loads(text)
        elif "payload" in text:
            payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
            data = {} if payload is None else json.loads(payload)
        else:
            data = dict(parse_qsl(text, keep_blank_values=True))
    except ValueError as exc:  # JSONDecodeError, or parse_qsl on a malformed form
        return None, f"the body is not valid JSON or form data ({exc.__class__.__name__})"
    if not isinstance(data, dict):
        return None, f"the body is a JSON {type(data).__name__}, not an object"
    return data, None


def _node_problem(node: dict[str, Any], where: str, depth: int) -> str | None:
    """What is wrong with one object of the body (and the nested objects Bolt reads)."""
    for key in _STRINGS:
        if key in node and not isinstance(node[key], str):
            return f"{where}{key} is not a string"
    for key in _ID_OR_OBJECT:  # null is allowed: Slack sends "team": null for org-wide installs
        if node.get(key) is not None and not isinstance(node[key], str | dict):
            return f"{where}{key} is neither an id nor an object"
    for key in _OBJECTS:
        if key in node and not isinstance(node[key], dict):
            return f"{where}{key} is not an object"
    auths = node.get("authorizations", [])
    if not isinstance(auths, list) or not all(isinstance(a, dict) for a in auths):
        return f"{where}authorizations is not a list of objects"
    nested = [(k, node[k]) for k in _NESTED if k in node]
    nested += [(f"authorizations[{i}]", a) for i, a in enumerate(auths or [])]
    for key, value in nested:
        if not isinstance(value, dict):
            return f"{where}{key} is not an object"
        if depth < MAX_DEPTH:
            problem = _node_problem(value, f"{where}{key}.", depth + 1)
            if problem:
                return problem
    return None


def _interactive_problem(body: dict[str, Any]) -> str | None:
    """What a slash command or a button click lacks that the app needs to answer it."""
    url = body.get("response_url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "response_url is missing or not an http(s) URL"
    if body.get("type") != "block_actions":
        return None
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions is not a non-empty list"
    for i, action in enumerate(actions):
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return f"actions[{i}] has no action_id string"
        for key in ("block_id", "value", "type"):
            if key in action and not isinstance(action[key], str):
                return f"actions[{i}].{key} is not a string"
    return None


def problem(content_type: str | None, raw: bytes) -> str | None:
    """Why a request body is not one Slack sends (None when it may be)."""
    body, error = parse(content_type, raw)
    if error or body is None:
        return error
    wrong = _node_problem(body, "", 0)
    if wrong:
        return wrong
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return "an event_callback without an event object"
    if body.get("command") is not None or body.get("type") == "block_actions":
        return _interactive_problem(body)
    return None
