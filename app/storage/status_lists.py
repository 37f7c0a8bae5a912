"""Status list storage: random, never-reused index allocation and status changes (Bitstring Status List v1.0).

Allocation draws uniformly from the free slots of the open list: random probes, each an INSERT guarded by the
unique (list, index) constraint (INSERT ... ON CONFLICT DO NOTHING), so concurrent issuers on PostgreSQL can never share an index
(the loser of a race inserts nothing and draws again). Rejection sampling over the whole list is uniform
over its free slots. Only when every probe hits a used slot (at 90 % use that is 0.9^64 = 0.1 % of issues) are
the used slots read and a free one drawn directly; a list found 95 % used is closed and the next one started, so
that costly path stays rare (a closed list's last free slots stay unused: herd privacy is unaffected).

A status change is one UPDATE of the entry's ``set`` flag plus an atomic ``version = version + 1``: concurrent
changes cannot overwrite each other, on PostgreSQL or SQLite.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.models import Institution, StatusEntry, StatusList
from app.domain import bitstring
from app.errors import NotFound
from app.storage import insert_all_or_ignore, insert_or_ignore

RANDOM_PROBES = 64
_RANDOM = secrets.SystemRandom()
CLOSE_AT = 0.95
MAX_SEQ = 2**31 - 1  # the largest INTEGER PostgreSQL stores


def _open_list(session: Session, inst: Institution, purpose: str, size: int, now: datetime) -> StatusList:
    while True:
        lst = session.scalar(select(StatusList).where(StatusList.institution_id == inst.id,
                                                      StatusList.purpose == purpose, StatusList.full.is_(False))
                             .order_by(StatusList.seq).limit(1))
        if lst is not None:
            return lst
        seq = (session.scalar(select(func.max(StatusList.seq)).where(StatusList.institution_id == inst.id,
                                                                     StatusList.purpose == purpose)) or 0) + 1
        # If another transaction starts list `seq` at the same moment, ours does nothing and we use theirs.
        insert_or_ignore(session, StatusList, ["institution_id", "purpose", "seq"], institution_id=inst.id,
                         purpose=purpose, seq=seq, size=size, full=False, version=1, created_at=now)


def _try_claim(session: Session, lst: StatusList, index: int, credential_id: str) -> bool:
    return insert_or_ignore(session, StatusEntry, ["list_id", "idx"], list_id=lst.id, idx=index,
                            credential_id=credential_id, set=False)


def allocate(session: Session, inst: Institution, purpose: str, credential_id: str, *, now: datetime,
             size: int = bitstring.MIN_ENTRIES) -> tuple[StatusList, int]:
    """Claim a random free index for ``credential_id``; returns (list, index)."""
    while True:
        lst = _open_list(session, inst, purpose, size, now)
        for _ in range(RANDOM_PROBES):
            index = secrets.randbelow(lst.size)
            if _try_claim(session, lst, index, credential_id):
                return lst, index
        # Nearly full: draw among the slots that are still free, or close the list.
        while True:
            used = set(session.scalars(select(StatusEntry.idx).where(StatusEntry.list_id == lst.id)))
            if len(used) >= lst.size * CLOSE_AT:
                lst.full = True
                session.flush()
                break
            index = secrets.choice([i for i in range(lst.size) if i not in used])
            if _try_claim(session, lst, index, credential_id):
                return lst, index


def allocate_each(session: Session, inst: Institution, purposes: list[str], credential_id: str, *, now: datetime,
                  size: int = bitstring.MIN_ENTRIES) -> list[tuple[StatusList, int]]:
    """``allocate`` for each of ``purposes`` (one credential's slots), in two statements where ``allocate`` takes
    two per purpose: the open lists of all purposes read at once, then one random probe in each claimed by one
    INSERT ... ON CONFLICT DO NOTHING; a purpose whose list has none open, or whose probe hit a used slot, goes
    through ``allocate`` (the same draw, uniform over the free slots, and the same closing of a full list)."""
    open_lists: dict[str, StatusList] = {}
    for lst in session.scalars(select(StatusList).where(StatusList.institution_id == inst.id,
                                                        StatusList.purpose.in_(purposes),
                                                        StatusList.full.is_(False)).order_by(StatusList.seq)):
        open_lists.setdefault(lst.purpose, lst)
    probes = {purpose: secrets.randbelow(lst.size) for purpose, lst in open_lists.items()}
    claimed = set()
    if probes:
        claimed = set(insert_all_or_ignore(
            session, StatusEntry, ["list_id", "idx"],
            [{"list_id": open_lists[p].id, "idx": i, "credential_id": credential_id, "set": False}
             for p, i in probes.items()], StatusEntry.list_id, StatusEntry.idx))
    return [(open_lists[p], probes[p]) if p in probes and (open_lists[p].id, probes[p]) in claimed
            else allocate(session, inst, p, credential_id, now=now, size=size) for p in purposes]


def allocate_many(session: Session, inst: Institution, purpose: str, credential_ids: list[str], *, now: datetime,
                  size: int = bitstring.MIN_ENTRIES) -> dict[str, tuple[StatusList, int]]:
    """``allocate`` for many credentials at once (a batch): random distinct free indexes, claimed by one
    INSERT ... ON CONFLICT DO NOTHING per round; a credential whose index was taken draws again, and when the list
    is nearly full the rest go through ``allocate``, which closes it. Returns credential id -> (list, index).

    The list's row is locked first (PostgreSQL; SQLite serialises writers anyway): two transactions that each insert
    many entries into one list could otherwise wait for each other's uncommitted indexes in a cycle (a deadlock)."""
    out: dict[str, tuple[StatusList, int]] = {}
    todo = list(credential_ids)
    lst = None
    while todo and lst is None:
        open_id = _open_list(session, inst, purpose, size, now).id
        lst = session.scalar(select(StatusList).where(StatusList.id == open_id, StatusList.full.is_(False))
                             .with_for_update().execution_options(populate_existing=True))
    for _ in range(RANDOM_PROBES):
        if not todo or len(todo) > lst.size:
            break
        indexes = _RANDOM.sample(range(lst.size), len(todo))
        claimed = dict(insert_all_or_ignore(
            session, StatusEntry, ["list_id", "idx"],
            [{"list_id": lst.id, "idx": i, "credential_id": c, "set": False} for i, c in zip(indexes, todo)],
            StatusEntry.credential_id, StatusEntry.idx))
        out.update((c, (lst, i)) for c, i in claimed.items())
        todo = [c for c in todo if c not in claimed]
    out.update((c, allocate(session, inst, purpose, c, now=now, size=size)) for c in todo)
    return out


def entries_of(session: Session, credential_id: str) -> list[tuple[StatusList, int]]:
    rows = session.execute(select(StatusList, StatusEntry.idx).join(StatusEntry, StatusEntry.list_id == StatusList.id)
                           .where(StatusEntry.credential_id == credential_id))
    return [(lst, idx) for lst, idx in rows]


def set_status(session: Session, lst: StatusList, index: int, value: bool) -> None:
    """Set or clear one bit: single-row UPDATEs, so concurrent changes to one list never lose each other."""
    session.execute(update(StatusEntry).where(StatusEntry.list_id == lst.id, StatusEntry.idx == index)
                    .values(set=value))
    session.execute(update(StatusList).where(StatusList.id == lst.id).values(version=StatusList.version + 1))


def bits_of(session: Session, lst: StatusList) -> bytearray:
    """The list's bitstring, built from its set entries (at most ``lst.size`` rows, whatever the database holds)."""
    bits = bitstring.new_bitstring(lst.size)
    for index in session.scalars(select(StatusEntry.idx).where(StatusEntry.list_id == lst.id,
                                                               StatusEntry.set.is_(True))):
        bitstring.set_bit(bits, index, True)
    return bits


def get_list(session: Session, institution_id: int, purpose: str, seq: int) -> StatusList:
    if not 1 <= seq <= MAX_SEQ:  # no list has it, and the database could not even compare it
        raise NotFound("No such status list.")
    # populate_existing: the version must be read fresh, even if this session loaded the list before.
    lst = session.scalar(select(StatusList).where(StatusList.institution_id == institution_id,
                                                  StatusList.purpose == purpose, StatusList.seq == seq)
                         .execution_options(populate_existing=True))
    if lst is None:
        raise NotFound("No such status list.")
    return lst
