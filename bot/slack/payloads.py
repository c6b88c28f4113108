"""Parse and check Slack request bodies before any listener sees them.

Slack's bodies are JSON objects (events), forms (slash commands) or forms carrying a JSON object in
`payload` (buttons). `parse` reads the raw bytes once, by the request's content type, with a bound on
JSON nesting; `problem_in` checks an already parsed body (HTTP or a Socket Mode envelope's payload):
each field Bolt and the listeners read, where present, must have the type Slack documents. Both
return what is wrong (or None); the HTTP front door answers 400 to a signed body with a problem.
"""

from __future__ import annotations

import json
import re
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
# Interactive payloads (buttons, modals, shortcuts): Slack sends `user` as an object with an id.
_INTERACTIVE = ("block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                "block_suggestion", "interactive_message", "dialog_submission", "dialog_cancellation",
                "dialog_suggestion")
_VIEW_TYPES = ("view_submission", "view_closed")
MAX_WALK = 4  # levels of nested objects the structure check walks (Bolt reads no deeper)
MAX_JSON_DEPTH = 64  # nesting of arrays and objects a body may have (Slack's own bodies stay below 20)
MAX_FORM_FIELDS = 200  # fields a form body may have (a slash command has about a dozen)
MAX_SSL_CHECK_BYTES = 1024  # Slack's ssl_check form is a few dozen bytes
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in JSON text (counting stops just past `limit`); no recursion."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def value_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply lists and dicts nest in an already parsed value (counting stops just past `limit`)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
            stack.extend((child, depth) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def load_json(text: str, limit: int = MAX_JSON_DEPTH) -> Any:
    """json.loads, but ValueError (never RecursionError) for text nested deeper than `limit`."""
    if json_depth(text, limit) > limit:
        raise ValueError(f"JSON nested deeper than {limit} levels")
    return json.loads(text)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower-cased, without parameters."""
    return (content_type or "").split(";")[0].strip().lower()


def parse(content_type: str | None, raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The body parsed by its content type (JSON, a form, or a form's `payload`), or what stops it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "the body is not UTF-8"
    kind = media_type(content_type)
    try:
        if kind == JSON_TYPE:
            data: Any = load_json(text)
        elif kind == FORM_TYPE:
            form = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
            # Buttons and modals arrive as a form with one JSON field, `payload`; a slash command is a
            # form whose fields (its text, its channel's name) may contain that word like any other.
            data = load_json(form["payload"]) if "payload" in form and "command" not in form else form
        else:
            return None, f"the content type {kind[:60]!r} is neither JSON nor a form"
    except ValueError as exc:  # JSONDecodeError, too deep, or a malformed form
        return None, f"the body is not valid JSON or form data ({exc.__class__.__name__}: {str(exc)[:80]})"
    if not isinstance(data, dict):
        return None, f"the body is a JSON {type(data).__name__}, not an object"
    return data, None


def is_ssl_check(content_type: str | None, raw: bytes) -> bool:
    """Whether a body is Slack's certificate check (a small form, ssl_check=1), which Slack does not sign."""
    if media_type(content_type) != FORM_TYPE or len(raw) > MAX_SSL_CHECK_BYTES:
        return False
    try:
        form = dict(parse_qsl(raw.decode("ascii"), max_num_fields=20))
    except ValueError:  # UnicodeDecodeError included
        return False
    return form.get("ssl_check") == "1"


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
        if depth < MAX_WALK:
            problem = _node_problem(value, f"{where}{key}.", depth + 1)
            if problem:
                return problem
    return None


def _interactive_problem(body: dict[str, Any]) -> str | None:
    """What a button click, modal or shortcut lacks that Bolt and the listeners read."""
    for key in ("user", "team", "channel"):
        value = body.get(key)
        if value is not None and not (isinstance(value, dict) and isinstance(value.get("id"), str)):
            return f"{key} is not an object with an id"
    if not isinstance(body.get("user"), dict):
        return "user is not an object with an id"
    if body.get("type") in _VIEW_TYPES:
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return "view is not an object with a type"
        if not isinstance(view.get("callback_id", ""), str):
            return "view.callback_id is not a string"
    return None


def _reply_problem(body: dict[str, Any]) -> str | None:
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


def problem_in(body: dict[str, Any]) -> str | None:
    """Why an already parsed body (HTTP, or a Socket Mode envelope's payload) is not one Slack sends."""
    if not isinstance(body, dict):
        return f"the body is a {type(body).__name__}, not an object"
    wrong = _node_problem(body, "", 0)
    if wrong:
        return wrong
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return "an event_callback without an event object"
    if body.get("type") in _INTERACTIVE:
        wrong = _interactive_problem(body)
        if wrong:
            return wrong
    if body.get("command") is not None or body.get("type") == "block_actions":
        return _reply_problem(body)
    return None


def problem(content_type: str | None, raw: bytes) -> str | None:
    """Why a raw request body is not one Slack sends (None when it may be)."""
    body, error = parse(content_type, raw)
    if error or body is None:
        return error
    return problem_in(body)
