"""The results of a batch as a CSV file for staff: one line per item (per row of a cohort file), with what to send
each learner. ``mcred issue-csv --results FILE`` writes it, ``GET /batches/{id}`` answers it for ``Accept: text/csv``.

The conventions are those of the failed-rows report (``--report``): UTF-8 with a byte order mark (spreadsheets then
read the diacritics), a header row, commas, CRLF line ends (RFC 4180). A cell that a spreadsheet would take for a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` (OWASP, "CSV
injection"): the learners' names and the errors' messages are other people's text.

Columns: ``row`` (the cohort file's row, the header being row 1; empty for a batch sent over the API), ``item`` (the
batch item's index, as ``GET /batches/{id}`` and the errors' ``items[n]`` give it), ``learner_name``,
``learner_reference``, ``credential_id``, ``learner_page`` (the learner's own link: send it to them),
``verification_link`` (the link to share), ``wallet_offer_link`` (its open OpenID4VCI offer, if any) and
``wallet_tx_code`` (the offer's transaction code, to be given to the learner by another way than the link),
``status`` (issued, failed, pending; ``valid`` or ``not issued`` when nothing was issued), ``message`` (why it failed, or that
it was issued expired), ``email``, ``email_status`` (pending, sending, sent, failed) and ``email_error``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from app import delivery
from app.db.models import BatchItem, Credential, Delivery
from app.domain.timefmt import as_utc
from app.storage import batches as stored
from app.storage import deliveries

COLUMNS = ("row", "item", "learner_name", "learner_reference", "credential_id", "learner_page", "verification_link",
           "wallet_offer_link", "wallet_tx_code", "status", "message", "email", "email_status", "email_error")
MEDIA_TYPE = "text/csv; charset=utf-8"
PAGE = 1000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def write(out, rows: Iterable[dict]) -> None:
    """The header and ``rows`` (dicts keyed by COLUMNS) on ``out``, a text stream opened with ``newline=""``."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([_cell(row.get(column)) for column in COLUMNS] for row in rows)


def to_bytes(rows: Iterable[dict]) -> bytes:
    out = io.StringIO(newline="")
    write(out, rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def expired_note(credential: Credential | None, now: datetime) -> str:
    until = credential.valid_until if credential is not None else None
    return f"issued expired: valid until {as_utc(until).date().isoformat()}" \
        if until is not None and as_utc(until) <= now else ""


def _row(origin: str, item: BatchItem, credential: Credential | None, sent: Delivery | None, links: Callable,
         now: datetime, offer: tuple[str | None, str | None]) -> dict:
    out = {"item": item.seq, "learner_reference": item.learner_ref, "status": item.state}
    if item.state == "issued" and credential is not None:
        link = links(origin, credential)
        out.update(learner_name=credential.learner_name, credential_id=credential.id, learner_page=link["download"],
                   verification_link=link["verification"], wallet_offer_link=offer[0], wallet_tx_code=offer[1],
                   message=expired_note(credential, now))
    elif item.state == "failed":
        out["message"] = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in item.errors or ())
    state = delivery.state_of(sent)
    if state is not None:
        out.update(email=sent.address, email_status=state["status"], email_error=state.get("error"))
    return out


def batch_rows(session: Session, origin: str, batch_id: str, links: Callable, now: datetime, *,
               wallet: Callable[[list[str]], dict] | None = None) -> Iterator[dict]:
    """Every item of the batch in order, read a page at a time; ``wallet(credential ids)`` gives their open wallet
    offers as {id: (link, transaction code)} (app.wallet.offers.batch_view)."""
    offset = 0
    while True:
        page = stored.items_page(session, batch_id, state=None, offset=offset, limit=PAGE)
        ids = [cred.id for _, cred in page if cred is not None]
        sent = deliveries.for_credentials(session, ids)
        offers = wallet(ids) if wallet is not None and ids else {}
        for item, cred in page:
            yield _row(origin, item, cred, sent.get(cred.id) if cred is not None else None, links, now,
                       offers.get(cred.id, (None, None)) if cred is not None else (None, None))
        if len(page) < PAGE:
            return
        offset += PAGE


def for_file(rows, failures: list[tuple[int, str]], batch_rows_: Iterable[dict] | None, *,
             dry_run: bool) -> list[dict]:
    """The results of a cohort file (``rows``: app.csv_import.Rows), row by row: the batch's items where one was
    issued (``batch_rows_``), else each row valid or not; ``failures``: (row, "column: message") as the command
    prints them, which replace the items' own error messages (they name the file's columns)."""
    messages: dict[int, list[str]] = {}
    for row, text in failures:
        messages.setdefault(row, []).append(text)
    out = []
    for number, errors in rows.refused.items():
        out.append({"row": number, "status": "failed", "message": "; ".join(messages.get(number, []))})
    by_item = {r["item"]: r for r in batch_rows_ or ()}
    for seq, (number, item) in enumerate(zip(rows.rows, rows.items)):
        learner = item.get("learner") if isinstance(item.get("learner"), dict) else {}
        name = " ".join(str(learner[k]) for k in ("givenName", "familyName") if learner.get(k))
        if seq in by_item:
            result = {**by_item[seq], "row": number}
            result["learner_name"] = result.get("learner_name") or name
        else:
            result = {"row": number, "item": None, "status": "failed" if number in messages else
                      "valid" if dry_run else "not issued", "learner_reference": learner.get("reference")}
            result["learner_name"] = name
        if number in messages:
            result["message"] = "; ".join(messages[number])
        out.append(result)
    return sorted(out, key=lambda r: r["row"])
