"""Status list storage: random, never-reused index allocation and status changes (Bitstring Status List v1.0).

Allocation draws uniformly from the free slots of the open list: random probes, each an INSERT guarded by the
unique (list, index) constraint inside a savepoint, so concurrent issuers on PostgreSQL can never share an index
(the loser of a race gets an IntegrityError and draws again). Rejection sampling over the whole list is uniform
over its free slots; when the list is nearly full, the free slots are read once and drawn from directly.
A list that has no free slot is marked full and the next one is started.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import Institution, StatusEntry, StatusList
from app.domain import bitstring
from app.domain.timefmt import utcnow
from app.errors import NotFound

RANDOM_PROBES = 16


def _open_list(session: Session, inst: Institution, purpose: str, size: int) -> StatusList:
    lst = session.scalar(select(StatusList).where(StatusList.institution_id == inst.id, StatusList.purpose == purpose,
                                                  StatusList.full.is_(False)).order_by(StatusList.seq).limit(1))
    if lst is not None:
        return lst
    seq = (session.scalar(select(func.max(StatusList.seq)).where(StatusList.institution_id == inst.id,
                                                                 StatusList.purpose == purpose)) or 0) + 1
    try:
        with session.begin_nested():
            lst = StatusList(institution_id=inst.id, purpose=purpose, seq=seq, size=size,
                             bits=bytes(bitstring.new_bitstring(size)), full=False, version=1, created_at=utcnow())
            session.add(lst)
    except IntegrityError:
        # Another transaction started list `seq` at the same moment: use theirs.
        return _open_list(session, inst, purpose, size)
    return lst


def _try_claim(session: Session, lst: StatusList, index: int, credential_id: str) -> bool:
    try:
        with session.begin_nested():
            session.add(StatusEntry(list_id=lst.id, idx=index, credential_id=credential_id))
        return True
    except IntegrityError:
        return False


def allocate(session: Session, inst: Institution, purpose: str, credential_id: str,
             size: int = bitstring.MIN_ENTRIES) -> tuple[StatusList, int]:
    """Claim a random free index for ``credential_id``; returns (list, index)."""
    while True:
        lst = _open_list(session, inst, purpose, size)
        for _ in range(RANDOM_PROBES):
            index = secrets.randbelow(lst.size)
            if _try_claim(session, lst, index, credential_id):
                return lst, index
        # Nearly full: draw among the slots that are still free.
        while True:
            used = set(session.scalars(select(StatusEntry.idx).where(StatusEntry.list_id == lst.id)))
            free = lst.size - len(used)
            if free == 0:
                lst.full = True
                session.flush()
                break
            index = secrets.choice([i for i in range(lst.size) if i not in used])
            if _try_claim(session, lst, index, credential_id):
                return lst, index


def entries_of(session: Session, credential_id: str) -> list[tuple[StatusList, int]]:
    rows = session.execute(select(StatusList, StatusEntry.idx).join(StatusEntry, StatusEntry.list_id == StatusList.id)
                           .where(StatusEntry.credential_id == credential_id))
    return [(lst, idx) for lst, idx in rows]


def set_status(session: Session, lst: StatusList, index: int, value: bool) -> None:
    """Flip one bit; the row lock serialises changes to one list (status changes are rare, issuing never waits)."""
    locked = session.scalar(select(StatusList).where(StatusList.id == lst.id).with_for_update())
    bits = bytearray(locked.bits)
    bitstring.set_bit(bits, index, value)
    locked.bits = bytes(bits)
    locked.version = locked.version + 1


def get_list(session: Session, slug_institution_id: int, purpose: str, seq: int) -> StatusList:
    lst = session.scalar(select(StatusList).where(StatusList.institution_id == slug_institution_id,
                                                  StatusList.purpose == purpose, StatusList.seq == seq))
    if lst is None:
        raise NotFound("No such status list.")
    return lst
