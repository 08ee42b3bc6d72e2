"""pocketstack: the `nova list` system in one package — a fast client and an embedded cloud."""

__version__ = "0.1.0"
