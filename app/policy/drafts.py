"""Render message drafts from the plain-text Jinja templates in ./templates.

A template may start with a "Subject: ..." line; everything after the blank line that follows
is the body. User-entered text only ever reaches Jinja as data in the render context: it is
never compiled, so a company called "{{ 7*7 }}" prints literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import cast

import jinja2

from app.policy.outputs import Draft
from app.policy.text import truncate_words

TEMPLATE_DIR = Path(__file__).parent / "templates"
LINKEDIN_NOTE_LIMIT = 300
# What our note may use of it. A note at 298 left no room for the user to add a word, and
# LinkedIn counts some characters (emoji, some accented letters) as two; long names are
# shortened to fit this instead.
LINKEDIN_NOTE_BUDGET = 260
_SUBJECT_PREFIX = "Subject: "
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,  # plain text, never HTML
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the code; skip the mtime check per render
    )


@lru_cache(maxsize=64)
def _template(name: str) -> jinja2.Template:
    return environment().get_template(f"{name}.txt")


def _tidy(text: str) -> str:
    # Belt and braces: a conditional line that renders empty must never leave a gap or a
    # dangling space in what the user copies.
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _split_subject(text: str) -> tuple[str | None, str]:
    if text.startswith(_SUBJECT_PREFIX):
        subject, _, body = text.partition("\n")
        return subject[len(_SUBJECT_PREFIX) :].strip(), body.strip()
    return None, text


def render_direct(name: str, context: Mapping[str, object]) -> Draft:
    """Render through Jinja every time. The reference that `render` must always agree with."""
    subject, body = _split_subject(_tidy(_template(name).render(context)))
    return Draft(subject=subject, body=body)


# Rendering Jinja for every draft dominated the engine's run time, yet a template's output
# depends on its string values only through whether they are empty: templates test strings for
# truthiness and print them, nothing else (wording switches are bools). So each template is
# rendered once per *shape* — the keys, each value's type and truthiness — with a marker in place
# of every string, and the result is kept as a %-pattern plus the keys of its fields. User text
# is still only ever data: %-substitution inserts values without interpreting them (a "%" or
# "{{" in a company name prints as typed). Contexts holding anything but str, bool or None are
# rendered directly, as are any whose shape was not seen yet (that render builds the pattern).
_MARK = "\x00"
_MARKER = re.compile("\x00([A-Za-z_]+)\x00")
_PATTERN_TYPES = frozenset({str, bool, type(None)})
_SKELETON_CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class _Pattern:
    text: str  # literals with "%" escaped, "%s" where a value goes
    values: Callable[[Mapping[str, object]], tuple[object, ...]]

    def fill(self, context: Mapping[str, object]) -> str:
        return self.text % self.values(context)


# None marks a shape that must always be rendered directly.
_Skeleton = tuple[_Pattern | None, _Pattern] | None
_skeletons: dict[tuple[object, ...], _Skeleton] = {}


def _getter(keys: list[str]) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    if not keys:
        return lambda context: ()
    if len(keys) == 1:
        (only,) = keys
        return lambda context: (context[only],)
    # itemgetter returns a tuple for several keys and does the lookups in C.
    return cast(Callable[[Mapping[str, object]], tuple[object, ...]], itemgetter(*keys))


def _pattern(marked_text: str) -> _Pattern:
    pieces = _MARKER.split(marked_text)  # literal, key, literal, key, ..., literal
    literals = [piece.replace("%", "%%") for piece in pieces[::2]]
    return _Pattern("%s".join(literals), _getter(pieces[1::2]))


def _skeleton(name: str, context: Mapping[str, object]) -> _Skeleton:
    if any(type(value) not in _PATTERN_TYPES for value in context.values()):
        return None
    marked = {
        key: f"{_MARK}{key}{_MARK}" if isinstance(value, str) and value else value
        for key, value in context.items()
    }
    subject, body = _split_subject(_tidy(_template(name).render(marked)))
    return (_pattern(subject) if subject is not None else None, _pattern(body))


def render(name: str, context: Mapping[str, object]) -> Draft:
    values = context.values()
    shape = (name, *context, *map(type, values), *map(bool, values))
    try:
        skeleton = _skeletons[shape]
    except KeyError:
        # One lookup, no check-then-get: another thread may clear the cache in between.
        if len(_skeletons) >= _SKELETON_CACHE_LIMIT:
            _skeletons.clear()
        skeleton = _skeletons[shape] = _skeleton(name, context)
    if skeleton is None:
        return render_direct(name, context)
    subject, body = skeleton
    # Positional: keyword arguments cost a visible share of a dataclass this small.
    return Draft(subject.fill(context) if subject is not None else None, body.fill(context))


# The fields that can make a connection note long, shortened in this order of how much the
# note still makes sense without their full text.
_SHORTENING_STEPS: tuple[tuple[str, int], ...] = (
    ("topics", 0),
    ("company", 60),
    ("role_phrase", 60),
    ("first_name", 40),
    ("user_name", 40),
    ("company", 30),
    ("role_phrase", 30),
    ("user_name", 20),
    ("day", 0),
)


def render_linkedin_note(context: Mapping[str, object]) -> Draft:
    """A connection note that always fits LinkedIn's 300-character limit, with room to spare.

    Long names or roles are shortened at a word boundary one by one, the least essential first,
    so the note stays a sentence rather than being chopped mid-thought.
    """
    draft = render("linkedin_connection", context)
    if len(draft.body) <= LINKEDIN_NOTE_BUDGET:
        return draft  # the usual case: no copy of the context to shorten
    shortened = dict(context)
    for key, limit in _SHORTENING_STEPS:
        if len(draft.body) <= LINKEDIN_NOTE_BUDGET:
            return draft
        value = shortened.get(key)
        if isinstance(value, str):
            shortened[key] = truncate_words(value, limit) if limit else None
            draft = render("linkedin_connection", shortened)
    if len(draft.body) > LINKEDIN_NOTE_BUDGET:
        draft = Draft(subject=None, body=truncate_words(draft.body, LINKEDIN_NOTE_BUDGET))
    if "…." in draft.body:  # a shortened name ending a sentence: one mark is enough
        draft = Draft(subject=None, body=draft.body.replace("….", "…"))
    return draft
