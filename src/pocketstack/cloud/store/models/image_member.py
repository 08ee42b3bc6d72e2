"""Image members: the projects an image owner shares a `shared` image with (Glance v2)."""

from __future__ import annotations
