"""``mcred``: set up, administer and run the service.

    mcred setup-contexts [--download]     put the pinned JSON-LD contexts in place (mirror, else canonical URL)
    mcred migrate                         apply the database migrations
    mcred create-institution ...          new institution with its own key and DID
    mcred create-api-key SLUG [--label]   print a new API key (shown once)
    mcred rotate-key SLUG                 new signing key; old ones keep verifying
    mcred list-institutions
    mcred serve [--host --port] [--demo]  all of the above that is needed, then run the HTTP service
"""

from __future__ import annotations

import argparse
import json
import sys

from app import admin, contexts
from app.config import Settings
from app.db import migrate
from app.db.session import make_engine, make_session_factory
from app.errors import McredError
from app.services import Services, for_settings
from app.storage import institutions

DEMO_SLUG = "demo-universitate"


def _services(settings: Settings) -> Services:
    return for_settings(settings)


def _download(url: str) -> bytes:
    import httpx

    response = httpx.get(url, headers={"Accept": "application/ld+json, application/json"}, follow_redirects=True,
                         timeout=30)
    response.raise_for_status()
    return response.content


def _session(settings: Settings):
    return make_session_factory(make_engine(settings.database_url))()


def ensure_demo(settings: Settings) -> str | None:
    """Create the demo institution and an API key once; returns the key when it was just created."""
    services = _services(settings)
    with _session(settings) as session:
        try:
            institutions.by_slug(session, DEMO_SLUG)
            return None
        except McredError:
            pass
        inst = admin.create_institution(session, services, slug=DEMO_SLUG, country="LVA",
                                        legal_name={"lv": "Demo Universitāte", "en": "Demo University"},
                                        homepage="https://demo.example.lv", registration="90000000000",
                                        did_method="web", suspension_enabled=True)
        key = admin.create_api_key(session, inst, "demo")
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
    p = sub.add_parser("create-api-key")
    p.add_argument("slug")
    p.add_argument("--label", default="api")
    p = sub.add_parser("rotate-key")
    p.add_argument("slug")
    sub.add_parser("list-institutions")
    p = sub.add_parser("serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--demo", action="store_true", help="create a demo institution and print its API key")
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        return _run(args, settings)
    except McredError as exc:
        print(f"mcred: {exc.detail}", file=sys.stderr)
        for err in exc.errors:
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
    if args.cmd == "serve":
        import uvicorn

        contexts.install(settings.contexts_dir, download=_download)
        migrate.upgrade(settings.database_url)
        if args.demo:
            key = ensure_demo(settings)
            if key:
                print(f"Demo institution '{DEMO_SLUG}' created. Its API key (shown once): {key}", flush=True)
            else:
                print(f"Demo institution '{DEMO_SLUG}' exists; create another key with "
                      f"`mcred create-api-key {DEMO_SLUG}`.", flush=True)
        uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port)
        return 0
    services = _services(settings)
    with _session(settings) as session:
        if args.cmd == "create-institution":
            names = {k: v for k, v in (("lv", args.name_lv), ("en", args.name_en)) if v}
            inst = admin.create_institution(session, services, slug=args.slug, legal_name=names,
                                            country=args.country, homepage=args.homepage, email=args.email,
                                            registration=args.registration, did_method=args.did_method,
                                            default_validity_days=args.default_validity_days,
                                            suspension_enabled=args.suspension)
            out = {"slug": inst.slug, "did": inst.did}
            if args.api_key_label:
                out["apiKey"] = admin.create_api_key(session, inst, args.api_key_label)
            session.commit()
            print(json.dumps(out, indent=2))
        elif args.cmd == "create-api-key":
            key = admin.create_api_key(session, institutions.by_slug(session, args.slug), args.label)
            session.commit()
            print(key)
        elif args.cmd == "rotate-key":
            key = admin.rotate_key(session, services, institutions.by_slug(session, args.slug))
            session.commit()
            print(key.verification_method)
        elif args.cmd == "list-institutions":
            for inst in institutions.all_institutions(session):
                print(f"{inst.slug}\t{inst.did}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
