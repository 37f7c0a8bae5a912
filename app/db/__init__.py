"""Persistence: SQLAlchemy 2 models and engine/session set-up. SQLite is the embedded default, PostgreSQL production."""
