from __future__ import annotations

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.compute.helpers import Compute, build_compute


@pytest.fixture
def compute(cloud_deps: CloudDeps) -> Compute:
    return build_compute(cloud_deps)
