"""Table models. Importing this package registers every table on `Base.metadata`."""

from pocketstack.cloud.store.models import compute, identity, image

__all__ = ["compute", "identity", "image"]
