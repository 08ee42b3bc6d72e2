"""The metadata definitions catalog (Glance v2 /v2/metadefs)."""

from __future__ import annotations
