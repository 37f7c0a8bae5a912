"""The FastAPI application factory: ``uvicorn --factory app.main:create_app`` (``mcred serve`` checks more first).

``/health`` is liveness (the process answers; no database), ``/ready`` readiness (a database round trip, and the
schema at the revision this code needs): 503 problem+json when not, so a load balancer sends no traffic there.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import SQLAlchemyError

from app import logs, process_gc
from app.api import (
    admitting,
    batches,
    credentials,
    did,
    issue,
    keys,
    models,
    oid4vci,
    openapi,
    problems,
    status,
    verify,
    verify_pages,
    wallet,
)
from app.composition import Runtime, build
from app.config import Settings
from app.db import migrate
from app.errors import ServiceUnavailable


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The app on ``runtime`` (``mcred serve`` builds it first, to check the database), else on one built from
    ``settings`` by the composition root (app.composition): database, services, remote fetcher."""
    settings = runtime.settings if runtime is not None else settings or Settings()
    settings.public_origin  # noqa: B018 - refuse to start without a valid public origin
    runtime = runtime or build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if settings.gc_settle:
            process_gc.settle()
        yield
        runtime.close()

    # /docs and /redoc with their scripts and styles served by this service (no CDN: they work offline)
    app: FastAPI = FastAPIOffline(title="mcred", version="0.1.0",
                                  description="EU micro-credentials (European Learning Model) as signed W3C Verifiable "
                                              "Credentials: issue, verify, revoke. Errors are RFC 9457 problem "
                                              "details.", lifespan=lifespan)
    engine = runtime.engine
    app.state.engine = engine
    app.state.session_factory = runtime.session_factory
    app.state.services = runtime.services
    problems.install(app)
    app.add_middleware(logs.RequestIdMiddleware)
    logs.protect_access_log()
    openapi.install(app)
    # did:web documents and status lists of other hosts: https, public addresses only (SSRF), within a deadline
    app.state.remote_fetcher = runtime.remote_fetcher
    admitting.install(app, settings)  # the bounded pool of verification work (app.admission)
    for module in (verify, issue, batches, status, credentials, keys, did, verify_pages, oid4vci, wallet):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).resolve().parent / "static")), name="static")

    heads = migrate.head_revisions()

    @app.get("/health", tags=["service"], summary="Liveness: the process answers (no database)",
             response_model=models.Health, responses=models.problems())
    def health():
        return {"status": "ok"}

    @app.get("/ready", tags=["service"], summary="Readiness: the database answers and is migrated (else 503)",
             response_model=models.Ready, responses=models.problems(503))
    def ready():
        try:
            problem = migrate.schema_problem(engine, heads)
        except SQLAlchemyError as exc:
            raise ServiceUnavailable(f"The database cannot be reached ({type(exc).__name__}).",
                                     slug="database-unavailable") from exc
        if problem:
            raise ServiceUnavailable(problem, slug="database-not-migrated")
        return {"status": "ready"}

    return app
