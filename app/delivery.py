"""E-mail delivery of the learner's link: after a batch item is issued, its learner (``learner.email`` of the input,
the ``learner_email`` column of a cohort file) gets one message, Latvian and English (app.texts.delivery), with the
link to their page and the verification link. Off unless ``MCRED_SMTP_URL`` is set.

Sent once (the README, "Batches"):

* the delivery is recorded (``record``) in the transaction that stores the credential, one row per credential
  (a unique credential id), so a chunk job that runs again finds it there and records nothing new;
* a sender takes one due delivery at a time with a guarded UPDATE (``pending`` -> ``sending``, with a lease), sends
  it over SMTP (RFC 5321), and records the outcome: ``sent``; or, for a failure the server calls temporary (4xx) or
  a server that cannot be reached, ``pending`` again after a wait that grows fourfold each time
  (``MCRED_SMTP_RETRY_SECONDS``, ``MCRED_SMTP_ATTEMPTS`` in all), then ``failed``; a permanent refusal (5xx: no
  such mailbox) is ``failed`` at once;
* a sender that stops while sending leaves its delivery ``sending``: once the lease runs out it is given up as
  ``failed``, never sent again, because the message may already have gone out (at most once, and said so).

The worker sends (``Sweeper``, started by app.jobs.work); ``mcred issue-csv`` also drains its own batch's
deliveries before it writes its results (``drain``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db.models import Credential, Delivery, Institution
from app.domain import elm
from app.domain.timefmt import Clock, as_utc, to_xsd, utcnow
from app.errors import ConfigurationError
from app.storage import deliveries
from app.texts import delivery as texts

log = logging.getLogger("mcred.delivery")

SCHEMES = {"smtp": (25, "opportunistic"), "smtp+starttls": (587, "starttls"), "smtps": (465, "implicit")}
INTERRUPTED = ("the sender stopped while sending this message, so it may have arrived: it is not sent again (never "
               "twice); send the learner's link yourself if it did not arrive")


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: str  # "implicit" (smtps), "starttls" (required), "opportunistic" (STARTTLS when the server offers it)
    username: str | None
    password: str | None


def target(settings: Settings) -> SmtpTarget | None:
    """The SMTP server ``MCRED_SMTP_URL`` names, or None when delivery is off; refuses a URL it cannot use and a
    missing sender address."""
    if not settings.smtp_url:
        return None
    parts = urlsplit(settings.smtp_url)
    if parts.scheme not in SCHEMES or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigurationError(f"MCRED_SMTP_URL must be smtp://host[:port], smtp+starttls://host[:port] or "
                                 f"smtps://host[:port] (user:password@ before the host if the server wants them), "
                                 f"not {parts.scheme or '?'}://…")
    name, address = parseaddr(settings.smtp_from or "")
    if "@" not in address:
        raise ConfigurationError("MCRED_SMTP_URL is set but MCRED_SMTP_FROM is not a sender address (e.g. "
                                 "\"Latvijas Universitāte <noreply@lu.lv>\").")
    default_port, tls = SCHEMES[parts.scheme]
    return SmtpTarget(parts.hostname, parts.port or default_port, tls,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


# --- recording ----------------------------------------------------------------------------------------------------


def address_of(item_input: object) -> str | None:
    learner = item_input.get("learner") if isinstance(item_input, dict) else None
    email = learner.get("email") if isinstance(learner, dict) else None
    return email.strip() if isinstance(email, str) and "@" in email else None


def record(session: Session, settings: Settings, *, institution_id: int, batch_id: str | None,
           issued: list[tuple[str, object]], now: datetime) -> int:
    """In the transaction that stores the credentials: a delivery for each ``(credential id, input)`` whose input
    gives the learner's e-mail address, when delivery is on. Returns how many."""
    if not settings.smtp_url:
        return 0
    rows = [{"credential_id": cid, "batch_id": batch_id, "institution_id": institution_id, "address": address,
             "next_attempt_at": now, "created_at": now}
            for cid, item_input in issued if (address := address_of(item_input))]
    deliveries.add(session, rows)
    return len(rows)


def state_of(delivery: Delivery | None) -> dict | None:
    """A delivery as the batch's items report it."""
    if delivery is None:
        return None
    out = {"status": delivery.state, "attempts": delivery.attempts}
    if delivery.sent_at:
        out["sentAt"] = to_xsd(delivery.sent_at)
    if delivery.state == "pending" and delivery.attempts:
        out["nextAttemptAt"] = to_xsd(delivery.next_attempt_at)
    if delivery.last_error and delivery.state != "sent":
        out["error"] = delivery.last_error
    return out


# --- the message --------------------------------------------------------------------------------------------------


def learner_links(origin: str, credential: Credential) -> tuple[str, str]:
    """The learner's page and the verification page: the ``download`` and ``verification`` links of
    app.api.links (the tests compare the two)."""
    return f"{origin}/download/{credential.download_token}", f"{origin}/v/{credential.verify_token}"


def message(settings: Settings, delivery: Delivery, credential: Credential, inst: Institution) -> EmailMessage:
    lv, en = elm.summarize(credential.document, "lv"), elm.summarize(credential.document, "en")
    names = inst.profile.get("legalName") or {}
    download, verification = learner_links(settings.public_origin, credential)
    contact_lv, contact_en = texts.contact(inst.profile.get("email"))
    title = lv.get("title") or en.get("title") or ""
    msg = EmailMessage()
    msg["Subject"] = texts.SUBJECT.format(title=title)
    msg["From"] = settings.smtp_from
    msg["To"] = delivery.address
    if inst.profile.get("email"):
        msg["Reply-To"] = formataddr((elm.text_in(names, "lv") or "", inst.profile["email"]))
    msg["Message-ID"] = make_msgid(idstring=f"mcred.{credential.id}", domain=_domain(settings.smtp_from))
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    msg["Content-Language"] = "lv, en"
    msg.set_content(texts.BODY.format(
        name_lv=lv.get("learnerName") or "", name_en=en.get("learnerName") or "",
        title_lv=lv.get("title") or title, title_en=en.get("title") or title,
        institution_lv=elm.text_in(names, "lv") or inst.slug, institution_en=elm.text_in(names, "en") or inst.slug,
        download=download, verification=verification, contact_lv=contact_lv, contact_en=contact_en))
    return msg


def _domain(sender: str | None) -> str:
    address = parseaddr(sender or "")[1]
    try:
        return Address(addr_spec=address).domain or "mcred.invalid"
    except (ValueError, IndexError):
        return "mcred.invalid"


# --- sending ------------------------------------------------------------------------------------------------------


class _Connection:
    """One SMTP session, opened when the first message is sent and again after a failure."""

    def __init__(self, smtp: SmtpTarget, timeout: float):
        self.smtp, self.timeout, self.client = smtp, timeout, None

    def send(self, msg: EmailMessage, sender: str, to: str) -> None:
        if self.client is None:
            self.client = self._open()
        try:
            self.client.send_message(msg, from_addr=sender, to_addrs=[to])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            raise  # refused, and reset by smtplib: the session goes on with the next message
        except Exception:
            self.close()
            raise

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.smtp.tls == "implicit":
            client = smtplib.SMTP_SSL(self.smtp.host, self.smtp.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.timeout)
        try:
            client.ehlo()
            if self.smtp.tls == "starttls" or (self.smtp.tls == "opportunistic" and client.has_extn("starttls")):
                client.starttls(context=context)
                client.ehlo()
            if self.smtp.username:
                client.login(self.smtp.username, self.smtp.password or "")
        except Exception:
            client.close()
            raise
        return client

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


def _failure(exc: Exception) -> tuple[str, bool]:
    """What went wrong, and whether it is permanent (the server refused with a 5xx code: retrying cannot help)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPResponseException)):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return f"the mail server could not be reached: {type(exc).__name__}: {exc}"[:500], False
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    permanent = 500 <= code < 600 and not isinstance(exc, smtplib.SMTPAuthenticationError)
    return f"the mail server answered {code} {text}"[:500], permanent


def send_due(factory: sessionmaker, settings: Settings, clock: Clock = utcnow, *, batch_id: str | None = None,
             stop: threading.Event | None = None) -> int:
    """Send every delivery that is due (of one batch, or all), one at a time; returns how many were sent."""
    smtp = target(settings)
    if smtp is None:
        return 0
    connection, sent = _Connection(smtp, settings.smtp_timeout_seconds), 0
    lease = timedelta(seconds=3 * settings.smtp_timeout_seconds + 30)
    try:
        while stop is None or not stop.is_set():
            with factory() as session:
                now = clock()
                deliveries.give_up_interrupted(session, now, INTERRUPTED)
                delivery = deliveries.claim_one(session, now, now + lease, batch_id)
                if delivery is None:
                    session.commit()
                    return sent
                credential = session.get(Credential, delivery.credential_id)
                inst = session.get(Institution, delivery.institution_id)
                session.commit()
            try:
                connection.send(message(settings, delivery, credential, inst), parseaddr(settings.smtp_from)[1],
                                delivery.address)
            except Exception as exc:  # every failure is the delivery's, reported with it
                error, permanent = _failure(exc)
                with factory() as session:
                    if permanent or delivery.attempts >= settings.smtp_attempts:
                        deliveries.mark_failed(session, delivery.id, error)
                    else:
                        wait = settings.smtp_retry_seconds * 4 ** (delivery.attempts - 1)
                        deliveries.mark_retry(session, delivery.id, error, clock() + timedelta(seconds=wait))
                    session.commit()
                log.warning("delivery %s of credential %s, attempt %d: %s", delivery.id, delivery.credential_id,
                            delivery.attempts, error.split(":")[0])
                continue
            with factory() as session:
                deliveries.mark_sent(session, delivery.id, clock())
                session.commit()
            sent += 1
        return sent
    finally:
        connection.close()


class Sweeper:
    """A worker's thread that sends due deliveries every ``interval`` seconds, with sessions of the process's
    ``factory`` (app.composition; nothing at all when delivery is off). A wrong ``MCRED_SMTP_URL`` stops the worker
    at start, not at the first message."""

    def __init__(self, settings: Settings, factory: sessionmaker, interval: float = 1.0):
        self.settings, self.factory, self.interval, self.stop = settings, factory, interval, threading.Event()
        self.thread = None
        if target(settings) is None:
            return
        self.thread = threading.Thread(target=self._run, name="delivery", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                send_due(self.factory, self.settings, stop=self.stop)
            except Exception:  # the database away for a moment: logged, and tried again
                log.exception("sending the due deliveries failed; trying again")
            self.stop.wait(self.interval)

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


def drain(settings: Settings, factory: sessionmaker, batch_id: str, *, wait_seconds: float,
          clock: Clock = utcnow) -> int:
    """Send the batch's deliveries, retries included, until none is open or ``wait_seconds`` have passed; returns
    how many are still open (a running ``mcred worker`` goes on retrying them)."""
    if target(settings) is None:
        return 0
    deadline = time.monotonic() + wait_seconds
    while True:
        send_due(factory, settings, clock, batch_id=batch_id)
        with factory() as session:
            still_open, due = deliveries.open_count(session, batch_id), deliveries.next_due(session, batch_id)
        if not still_open or time.monotonic() >= deadline:
            return still_open
        pause = (as_utc(due) - clock()).total_seconds() if due else 0.5
        time.sleep(min(max(pause, 0.05), max(deadline - time.monotonic(), 0), 5))
