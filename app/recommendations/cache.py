"""Each process keeps a user's next steps until their data changes or the clock moves past them.

Computing the steps of a user with a thousand applications means decoding some 16,000 rows
and running the engine: hundreds of milliseconds. They change only when the user's data
changes (`users.data_version`, which database triggers change on every write, so every
process sees it on its next request) or when as_of reaches the horizon the engine gives
(app/policy/horizon.py). An entry is reused only when both still hold; it is never
updated in place, only replaced.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from app.policy import Recommendation

DEFAULT_MAX_STEPS = 20_000


@dataclass(frozen=True, slots=True)
class Version:
    """What the steps were computed from, besides the data: who the drafts are signed by and
    where the user's days start."""

    data_version: int
    name: str
    timezone: str


@dataclass(slots=True)
class Steps:
    """A user's open steps for as_of in [start, end): the visible ones, and the snoozed ones
    (still open: they can be completed or dismissed). Dismissed ones are left out."""

    version: Version
    start: datetime
    end: datetime
    visible: list[Recommendation]
    snoozed: list[Recommendation]
    # Each step's JSON, filled in by the API as it serialises them; keep_applying is never
    # stored, as its due_at is as_of.
    json: dict[str, bytes] = field(default_factory=dict)

    def holds(self, version: Version, as_of: datetime) -> bool:
        return self.version == version and self.start <= as_of < self.end


class StepCache:
    """A least-recently-used map from user id to Steps, bounded by the number of steps held."""

    def __init__(self, max_steps: int = DEFAULT_MAX_STEPS) -> None:
        self.max_steps = max_steps
        self._entries: OrderedDict[uuid.UUID, Steps] = OrderedDict()
        self._held = 0

    def get(self, user_id: uuid.UUID, version: Version, as_of: datetime) -> Steps | None:
        entry = self._entries.get(user_id)
        if entry is None or not entry.holds(version, as_of):
            return None
        self._entries.move_to_end(user_id)
        return entry

    def put(self, user_id: uuid.UUID, entry: Steps) -> None:
        self.discard(user_id)
        size = _size(entry)
        if size > self.max_steps:
            return
        self._entries[user_id] = entry
        self._held += size
        while self._held > self.max_steps:
            _, evicted = self._entries.popitem(last=False)
            self._held -= _size(evicted)

    def discard(self, user_id: uuid.UUID) -> None:
        old = self._entries.pop(user_id, None)
        if old is not None:
            self._held -= _size(old)

    def clear(self) -> None:
        self._entries.clear()
        self._held = 0

    def __len__(self) -> int:
        return len(self._entries)


def _size(entry: Steps) -> int:
    # A user with nothing to do still costs an entry.
    return max(1, len(entry.visible) + len(entry.snoozed))


# One per process: entries are keyed by user id and checked against the database's
# data_version on every use, so processes never need to tell each other anything.
step_cache = StepCache()
