"""The embedded cloud: identity, compute and image WSGI apps over one SQLAlchemy store."""
