"""Alembic environment: the database URL comes from the caller (app.db.migrate) or MCRED_DATABASE_URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.config import Settings
from app.db.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config({"sqlalchemy.url": url, "sqlalchemy.hide_parameters": True}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
