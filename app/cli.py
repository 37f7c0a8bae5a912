"""``mcred``: set up, administer and run the service.

    mcred setup-contexts [--download]     put the pinned JSON-LD contexts in place (mirror, else canonical URL)
    mcred migrate                         apply the database migrations (a deployment step: once, before serving)
    mcred create-institution ...          new institution with its own key and DID
    mcred update-institution SLUG ...     change its names, homepage, e-mail, registration number, default validity,
                                          the certificates' logo, address and signatory, wallet transaction codes
    mcred create-api-key SLUG [--label]   print a new API key (shown once)
    mcred list-api-keys SLUG              the institution's API keys (prefix, label, created, revoked)
    mcred revoke-api-key SLUG PREFIX      the key gets 401 from now on
    mcred rotate-key SLUG                 new signing key; old ones keep verifying
    mcred list-institutions
    mcred serve [--host --port] [--demo]  run the HTTP service (--demo: also set up everything, demo institution)
    mcred healthcheck [--url]             exit 0 when the service answers /health (the Docker HEALTHCHECK)
    mcred worker [--processes N]          run batch jobs (one worker per machine; it signs on every core)
    mcred issue-csv FILE --institution SLUG [--dry-run] [--report FAILED.csv] [--results RESULTS.csv]
                    [--all-or-nothing] [--log-file F]
                                          issue a cohort from a CSV file (layout: README, samples/cohort.csv)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from app import admin, batch_results, batches, contexts, csv_import, delivery, issuing, jobs, logs
from app.composition import Runtime, build
from app.config import Settings, serving_origin
from app.db import migrate
from app.domain.timefmt import utcnow
from app.errors import ConfigurationError, InvalidInput, McredError
from app.storage import api_keys, institutions
from app.storage import batches as stored
from app.texts import cli as cli_texts
from app.texts import problems as problem_texts

DEMO_SLUG = "demo-universitate"


def _download(url: str) -> bytes:
    import httpx

    response = httpx.get(url, headers={"Accept": "application/ld+json, application/json"}, follow_redirects=True,
                         timeout=30)
    response.raise_for_status()
    return response.content


def check_database(runtime: Runtime) -> None:
    """Refuse to serve an unmigrated database, or did:web identities made for another origin."""
    settings = runtime.settings
    problem = migrate.schema_problem(runtime.engine)
    if problem:
        raise ConfigurationError(problem)
    with runtime.session_factory() as session:
        wrong = admin.mismatched_identities(session, settings.public_origin)
    if wrong:
        slug, did, expected = wrong[0]
        host = unquote(did.split(":")[2])
        raise ConfigurationError(
            f"The public origin is {settings.public_origin}, but the database's did:web identities name another: "
            f"{slug} is {did}, not {expected} ({len(wrong)} institution(s) differ). A DID is signed into every "
            f"credential its institution issued, so it cannot change: serve at the origin the DIDs name (set "
            f"MCRED_PUBLIC_URL to the origin at {host}; for local use, `mcred serve` on the host and port {host}), "
            "or use another database.")


def ensure_demo(runtime: Runtime) -> str | None:
    """Create the demo institution and an API key once; returns the key when it was just created."""
    services = runtime.services
    with runtime.session_factory() as session:
        try:
            institutions.by_slug(session, DEMO_SLUG)
            return None
        except McredError:
            pass
        inst = admin.create_institution(session, services, slug=DEMO_SLUG, country="LVA",
                                        legal_name={"lv": "Demo Universitāte", "en": "Demo University"},
                                        homepage="https://demo.example.lv", registration="90000000000",
                                        did_method="web", suspension_enabled=True)
        key = admin.create_api_key(session, services, inst, "demo")
        session.commit()
        return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mcred", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup-contexts")
    p.add_argument("--download", action="store_true", help="fetch from the canonical URL when no mirror has a file")
    sub.add_parser("migrate")
    p = sub.add_parser("create-institution")
    p.add_argument("slug")
    p.add_argument("--name-lv", required=False)
    p.add_argument("--name-en", required=False)
    p.add_argument("--country", default="LVA", help="ISO 3166 alpha-3 (default LVA)")
    p.add_argument("--homepage")
    p.add_argument("--email")
    p.add_argument("--registration", help="registration number (e.g. Latvian Register of Enterprises): the issuer's "
                   "legal (eIDAS) identifier, which ELM micro-credentials require")
    p.add_argument("--did-method", choices=["web", "key"], default="web")
    p.add_argument("--default-validity-days", type=int)
    p.add_argument("--suspension", action="store_true", help="credentials also get a suspension status entry")
    p.add_argument("--api-key-label", help="also create an API key with this label and print it")
    p = sub.add_parser("update-institution")
    p.add_argument("slug")
    p.add_argument("--name-lv")
    p.add_argument("--name-en")
    p.add_argument("--homepage")
    p.add_argument("--email")
    p.add_argument("--registration", help="registration number: the issuer's legal (eIDAS) identifier")
    p.add_argument("--default-validity-days", type=int)
    p.add_argument("--logo", type=Path, metavar="FILE", help="the certificates' logo: PNG or SVG (sanitised; at most "
                   "1 MiB, 5000 pixels a side)")
    p.add_argument("--no-logo", action="store_true", help="remove the logo")
    for flag, what in (("--address", "postal address printed on certificates"),
                       ("--signatory-position", "position of the signatory")):
        for lang in ("lv", "en"):
            p.add_argument(f"{flag}-{lang}", help=f"{what} ({lang}; \"\" removes it)")
    p.add_argument("--signatory-name", help="the person who signs printed certificates (\"\" removes it)")
    p.add_argument("--show-learner-reference", action=argparse.BooleanOptionalAction, help="print the learner's own "
                   "reference (student number) on certificates and show it on the public verification page")
    p.add_argument("--wallet-tx-code", choices=["yes", "no"],
                   help="whether wallet offers (OpenID4VCI) ask for a transaction code by default")
    p = sub.add_parser("create-api-key")
    p.add_argument("slug")
    p.add_argument("--label", default="api")
    p = sub.add_parser("list-api-keys")
    p.add_argument("slug")
    p = sub.add_parser("revoke-api-key")
    p.add_argument("slug")
    p.add_argument("prefix", help="the key's prefix: mcred_<prefix>_..., as list-api-keys shows it")
    p = sub.add_parser("rotate-key")
    p.add_argument("slug")
    sub.add_parser("list-institutions")
    p = sub.add_parser("serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--demo", action="store_true", help="also install the contexts, migrate, create a demo "
                                                         "institution and print its API key")
    p = sub.add_parser("healthcheck")
    p.add_argument("--url", default="http://127.0.0.1:8000/health")
    p = sub.add_parser("worker", help="run the batch jobs (PostgreSQL: shared with the workers of other machines)")
    p.add_argument("--processes", type=int, help="signing processes (default MCRED_WORKER_PROCESSES, else one per "
                   "core)")
    p.add_argument("--concurrency", type=int, default=2, help="chunk jobs at once, sharing the signing processes")
    p = sub.add_parser("issue-csv", help="issue a cohort from a CSV file, with a progress bar and a report")
    p.add_argument("file", type=Path)
    p.add_argument("--institution", required=True, metavar="SLUG")
    p.add_argument("--dry-run", action="store_true", help="check every row, issue nothing")
    p.add_argument("--report", type=Path, metavar="FAILED.csv", help="write the failed rows (row, column, "
                   "element, message) to this file")
    p.add_argument("--all-or-nothing", action="store_true", help="issue nothing unless every row is valid")
    p.add_argument("--results", type=Path, metavar="RESULTS.csv", help="write every row's result (learner, "
                   "credential id, the learner's link, the verification link, status, e-mail) to this file")
    p.add_argument("--delivery-wait", type=float, default=120, metavar="SECONDS", help="with MCRED_SMTP_URL: wait "
                   "this long at most for the learners' e-mails (a running `mcred worker` retries the rest)")
    p.add_argument("--processes", type=int, help="signing processes (default: one per core)")
    p.add_argument("--log-file", type=Path, metavar="FILE", help="append the service's JSON logs to this file "
                   "(default: only errors, so the progress bar stays readable)")
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        logs.configure_command(getattr(args, "log_file", None), quiet=args.cmd == "issue-csv")
        return _run(args, settings)
    except McredError as exc:
        problem = problem_texts.localize(exc.to_problem(), problem_texts.command_language())
        print(f"mcred: {problem['detail']}", file=sys.stderr)
        for err in problem.get("errors", []):
            print(f"  {err.get('field')}: {err.get('message')}", file=sys.stderr)
        return 2


def _run(args, settings: Settings) -> int:
    if args.cmd == "setup-contexts":
        for line in contexts.install(settings.contexts_dir, download=_download if args.download else None):
            print(line)
        return 0
    if args.cmd == "migrate":
        migrate.upgrade(settings.database_url)
        print(f"database at head: {settings.database_url.split('@')[-1]}")
        return 0
    if args.cmd == "healthcheck":
        try:
            with urllib.request.urlopen(args.url, timeout=5) as response:
                return 0 if response.status == 200 else 1
        except OSError as exc:
            print(f"mcred: {args.url}: {exc}", file=sys.stderr)
            return 1
    if args.cmd == "serve":
        return serve(args, settings)
    if args.cmd == "worker":
        jobs.work(settings, processes=args.processes, concurrency=args.concurrency)
        return 0
    if args.cmd == "issue-csv":
        return _issue_csv(args, settings)
    runtime = build(settings)
    services = runtime.services
    with runtime.session_factory() as session:
        if args.cmd == "create-institution":
            names = {k: v for k, v in (("lv", args.name_lv), ("en", args.name_en)) if v}
            inst = admin.create_institution(session, services, slug=args.slug, legal_name=names,
                                            country=args.country, homepage=args.homepage, email=args.email,
                                            registration=args.registration, did_method=args.did_method,
                                            default_validity_days=args.default_validity_days,
                                            suspension_enabled=args.suspension)
            out = {"slug": inst.slug, "did": inst.did}
            if args.api_key_label:
                out["apiKey"] = admin.create_api_key(session, services, inst, args.api_key_label)
            session.commit()
            print(json.dumps(out, indent=2))
        elif args.cmd == "update-institution":
            names = {k: v for k, v in (("lv", args.name_lv), ("en", args.name_en)) if v}
            inst = admin.update_institution(session, services, institutions.by_slug(session, args.slug),
                                            legal_name=names or None, homepage=args.homepage, email=args.email,
                                            registration=args.registration,
                                            default_validity_days=args.default_validity_days,
                                            wallet_tx_code=None if args.wallet_tx_code is None
                                            else args.wallet_tx_code == "yes", **_letterhead(args))
            session.commit()
            print(json.dumps({"slug": inst.slug, "did": inst.did, **inst.profile,
                              "defaultValidityDays": inst.default_validity_days, **admin.letterhead_of(inst),
                              "walletTxCode": inst.wallet_tx_code}, indent=2, ensure_ascii=False))
        elif args.cmd == "create-api-key":
            key = admin.create_api_key(session, services, institutions.by_slug(session, args.slug), args.label)
            session.commit()
            print(key)
        elif args.cmd == "list-api-keys":
            for row in api_keys.for_institution(session, institutions.by_slug(session, args.slug)):
                state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "active"
                print(f"{row.prefix}\t{row.label}\t{row.created_at.isoformat()}\t{state}")
        elif args.cmd == "revoke-api-key":
            row = admin.revoke_api_key(session, services, institutions.by_slug(session, args.slug), args.prefix)
            session.commit()
            print(f"{row.prefix}\trevoked {row.revoked_at.isoformat()}")
        elif args.cmd == "rotate-key":
            key = admin.rotate_key(session, services, institutions.by_slug(session, args.slug))
            session.commit()
            print(key.verification_method)
        elif args.cmd == "list-institutions":
            for inst in institutions.all_institutions(session):
                print(f"{inst.slug}\t{inst.did}")
    return 0


def _letterhead(args) -> dict:
    """update-institution's letterhead options as admin.update_letterhead takes them."""
    def by_language(flag: str) -> dict | None:
        given = {lang: getattr(args, f"{flag}_{lang}") for lang in ("lv", "en")}
        return {k: v for k, v in given.items() if v is not None} or None

    logo = None
    if args.logo is not None:
        try:
            logo = args.logo.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"The logo file {args.logo} cannot be read: {exc.strerror or exc}.",
                               errors=[{"field": "logo", "message": "unreadable"}]) from exc
    return {"logo": logo, "remove_logo": args.no_logo, "address": by_language("address"),
            "signatory_name": args.signatory_name, "signatory_position": by_language("signatory_position"),
            "show_learner_reference": args.show_learner_reference}


def _issue_csv(args, settings: Settings) -> int:
    """Read, check, issue (this process works on its own batch, beside any running workers), report."""
    rows = csv_import.read(args.file)
    _check_writable(args.report, args.results)
    runtime = build(settings)
    services = runtime.services
    failures = [(row, error) for row, errors in rows.refused.items() for error in errors]
    started = time.monotonic()
    with runtime.session_factory() as session:
        inst = institutions.by_slug(session, args.institution)
        batch = None
        if args.dry_run or not rows.items or (args.all_or_nothing and rows.refused):
            for n, _, _, errors in issuing.validate_each(services, inst, rows.items, batches.ITEMS):
                failures.extend((rows.rows[n], error) for error in errors)
        else:
            queue = f"cli-{time.time_ns()}"
            try:
                batch = batches.submit(session, services, inst, rows.items, "all-or-nothing" if args.all_or_nothing
                                       else "partial", actor="cli:issue-csv", queue=queue, check_now=True).body
                session.commit()
            except InvalidInput as refusal:  # all or nothing, and a row was invalid: its errors name items[n]
                if any(batches.item_field(e["field"])[0] is None for e in refusal.errors):
                    raise  # the file as a whole (too many rows)
                failures.extend((rows.rows[batches.item_field(e["field"])[0]], e) for e in refusal.errors)
    total = len(rows.items) + len(rows.refused)
    if batch is not None:
        _run_with_progress(runtime, batch, queue, args.processes)
        args.undelivered = delivery.drain(settings, runtime.session_factory, batch["id"],
                                         wait_seconds=args.delivery_wait)
        with runtime.session_factory() as session:
            for item, _ in stored.items_page(session, batch["id"], state="failed", offset=0, limit=None):
                failures.extend((rows.rows[item.seq], error) for error in item.errors)
            batch = batches.describe(settings.public_origin, stored.get(session, batch["id"]))
    failures.sort(key=lambda f: f[0])
    failed_rows = len({row for row, _ in failures})
    elapsed = time.monotonic() - started
    lang = problem_texts.command_language()
    if batch is None:
        verdict = "checked" if args.dry_run else "refused" if args.all_or_nothing else "nothing"
        print(cli_texts.line(lang, verdict, file=args.file.name, total=total, valid=total - failed_rows,
                             invalid=failed_rows))
    else:
        issued = batch["counts"]["issued"]
        print(cli_texts.line(lang, "issued", file=args.file.name, issued=issued, total=total, failed=failed_rows,
                             seconds=elapsed, rate=issued / elapsed, batch=batch["id"]))
    failures = [(row, {**error, "message": problem_texts.message(error["message"], lang)}) for row, error in failures]
    for row, error in failures[:20]:
        print(cli_texts.line(lang, "row", row=row, column=_column(error), message=error["message"]), file=sys.stderr)
    if len(failures) > 20:
        print(cli_texts.line(lang, "more", count=len(failures) - 20), file=sys.stderr)
    if getattr(args, "undelivered", 0):
        print(cli_texts.line(lang, "undelivered", count=args.undelivered), file=sys.stderr)
    if args.report is not None:
        with open(args.report, "w", encoding="utf-8-sig", newline="") as out:  # a BOM: spreadsheets read UTF-8
            writer = csv.writer(out)
            writer.writerow(["row", "column", "element", "message"])
            writer.writerows([row, _column(error), _element(error), error["message"]] for row, error in failures)
        print(cli_texts.line(lang, "report", path=args.report))
    if args.results is not None:
        _write_results(args, runtime, rows, batch, failures)
    return 1 if failures else 0


def _check_writable(*paths: Path | None) -> None:
    """Refuse an output file that cannot be written before anything is issued, not after."""
    for path in filter(None, paths):
        try:
            existed = path.exists()
            with open(path, "a", encoding="utf-8"):
                pass
            if not existed:
                path.unlink()  # written at the end; nothing is left behind if the command stops before
        except OSError as exc:
            raise InvalidInput(f"Cannot write {path}: {exc.strerror}.", slug="file-unwritable",
                               errors=[{"field": str(path), "message": exc.strerror or "not writable"}]) from None


def _write_results(args, runtime: Runtime, rows, batch: dict | None, failures: list) -> None:
    from app.api.links import links
    from app.wallet import offers

    texts = [(row, f"{_column(error)}: {error['message']}") for row, error in failures]
    services = runtime.services
    with runtime.session_factory() as session:
        inst = institutions.by_slug(session, args.institution)
        items = (list(batch_results.batch_rows(
            session, services.settings.public_origin, batch["id"], links, utcnow(),
            wallet=lambda ids: offers.batch_view(session, services, inst, ids))) if batch is not None else None)
    with open(args.results, "w", encoding="utf-8-sig", newline="") as out:  # a BOM, as the report
        batch_results.write(out, batch_results.for_file(rows, texts, items, dry_run=args.dry_run))
    print(cli_texts.line(problem_texts.command_language(), "results", path=args.results))


def _element(error: dict) -> str:
    return batches.item_field(error.get("field") or "")[1]


def _column(error: dict) -> str:
    item, element = batches.item_field(error.get("field") or "")
    return csv_import.column_of(element) if item is not None and element else element or "row"


def _run_with_progress(runtime: Runtime, batch: dict, queue: str, processes: int | None) -> None:
    """The batch issued by a worker in a thread of this process (its own runtime, as any worker's), with a progress
    bar."""
    from tqdm import tqdm

    refused = batch["counts"]["failed"]
    worker = threading.Thread(target=jobs.work, args=(runtime.settings,), daemon=True,
                              kwargs={"processes": processes, "until_batch": batch["id"], "queue": queue})
    worker.start()
    with tqdm(total=batch["counts"]["total"] - refused, unit="credential", file=sys.stderr) as bar, \
            runtime.session_factory() as session:
        while worker.is_alive():
            worker.join(0.5)
            now = stored.get(session, batch["id"])
            session.rollback()
            bar.update(now.issued + now.failed - refused - bar.n)


def serve(args, settings: Settings) -> int:
    """Run the service. Without --demo nothing is set up here: contexts and migrations are steps of their own
    (several processes starting at once must not race to migrate), and a database that is not at head, or whose
    did:web identities name another origin, is refused."""
    import uvicorn

    from app.main import create_app

    settings = replace(settings, public_url=serving_origin(settings, args.host, args.port))
    if args.demo:
        contexts.install(settings.contexts_dir, download=_download)
        migrate.upgrade(settings.database_url)
    runtime = build(settings)
    check_database(runtime)
    if args.demo:
        key = ensure_demo(runtime)
        if key:
            print(f"Demo institution '{DEMO_SLUG}' created. Its API key (shown once): {key}", flush=True)
        else:
            print(f"Demo institution '{DEMO_SLUG}' exists; create another key with "
                  f"`mcred create-api-key {DEMO_SLUG}`.", flush=True)
    print(f"mcred serves {settings.public_origin} on {args.host}:{args.port}", flush=True)
    uvicorn.run(create_app(settings, runtime), host=args.host, port=args.port, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
