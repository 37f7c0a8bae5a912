"""The FastAPI application factory: ``uvicorn --factory app.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from app import contexts
from app.api import credentials, did, issue, openapi, problems, status
from app.config import Settings
from app.db.session import make_engine, make_session_factory
from app.domain.jsonld import make_document_loader
from app.issuing import Services
from app.keystore import KeyStore


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="mcred", version="0.1.0",
                  description="EU micro-credentials (European Learning Model) as signed W3C Verifiable Credentials: "
                              "issue, verify, revoke. Errors are RFC 9457 problem details.")
    engine = make_engine(settings.database_url)
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.services = Services(
        settings=settings,
        loader=make_document_loader(contexts.load_documents(settings.contexts_dir)),
        keystore=KeyStore(settings.keys_dir, settings.key_passphrase),
    )
    problems.install(app)
    openapi.install(app)
    for module in (issue, status, credentials, did):
        app.include_router(module.router)

    @app.get("/health", tags=["service"])
    def health():
        return {"status": "ok"}

    return app
