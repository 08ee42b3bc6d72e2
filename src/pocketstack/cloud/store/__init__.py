"""Persistence: SQLAlchemy models, Alembic migrations and the Store that hands out sessions."""
