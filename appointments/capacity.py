"""How many people one slot can still take, and which place a student gets: plain Python, so
the booking service (under the slot's lock), the free-days list and the supervisors' checks
count the same way.

A slot has ``desks`` places. A reservation keeps ``places`` of them for one university's
students; what no reservation keeps is open to everyone. A student of a reserving university
takes a reserved place while one is free (leaving the open places to the others), then an open
one. A booking whose reservation was removed since counts as an open place: removing a
reservation gives its places back to everyone, and nothing is over-full by it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotState:
    desks: int
    # University id → places kept for its students in each slot of the day.
    reserved: Mapping[int, int]
    # The reserved place's university of each booking holding a desk (None: an open place).
    taken: Sequence[int | None]

    @property
    def open_places(self) -> int:
        return max(0, self.desks - sum(self.reserved.values()))

    def _reserved_used(self) -> Counter[int]:
        # Capped at the reservation: bookings beyond it (made while it was larger, or before
        # it existed) hold open places.
        counts = Counter(pool for pool in self.taken if pool is not None and pool in self.reserved)
        return Counter({pool: min(n, self.reserved[pool]) for pool, n in counts.items()})

    def open_used(self) -> int:
        return len(self.taken) - sum(self._reserved_used().values())

    def _free_total(self) -> int:
        return max(0, self.desks - len(self.taken))

    def _free_reserved(self, university_id: int | None) -> int:
        if university_id is None or university_id not in self.reserved:
            return 0
        return max(0, self.reserved[university_id] - self._reserved_used()[university_id])

    def _free_open(self) -> int:
        return max(0, self.open_places - self.open_used())

    def free_for(self, university_id: int | None) -> int:
        """Places a student of ``university_id`` (None: no university) could take now."""
        return min(self._free_total(), self._free_reserved(university_id) + self._free_open())


@dataclass(frozen=True)
class Place:
    # The university whose reserved place it is; None: an open place.
    reserved_for: int | None


def place_for(state: SlotState, university_id: int | None) -> Place | None:
    """The place a student of ``university_id`` gets in this slot; None when it is full."""
    if state.free_for(university_id) == 0:
        return None
    if state._free_reserved(university_id) > 0:
        return Place(reserved_for=university_id)
    return Place(reserved_for=None)


def free_desk(desks: int, taken_desks: Sequence[int]) -> int | None:
    """The lowest desk number nobody holds (None: every desk is held)."""
    held = set(taken_desks)
    return next((desk for desk in range(1, desks + 1) if desk not in held), None)


def can_reserve(state: SlotState, *, university_id: int, places: int) -> bool:
    """Whether ``places`` more places can be kept for ``university_id`` in this slot without
    taking any from the open places students already hold."""
    reserved = dict(state.reserved)
    reserved[university_id] = reserved.get(university_id, 0) + places
    after = SlotState(desks=state.desks, reserved=reserved, taken=state.taken)
    return sum(reserved.values()) <= state.desks and after.open_used() <= after.open_places
