"""Tokens shared by every service: Fernet keys on disk, the token provider, the request context."""
