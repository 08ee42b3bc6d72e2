"""Table models. Importing this package registers every table on `Base.metadata`."""

from pocketstack.cloud.store.models import identity

__all__ = ["identity"]
