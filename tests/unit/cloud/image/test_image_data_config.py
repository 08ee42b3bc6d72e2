"""The image data settings: Glance's defaults, read from the config file, bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketstack.cloud.config import load_config
from pocketstack.cloud.errors import ConfigError


def test_defaults_are_glances(tmp_path: Path) -> None:
    config = load_config(data_dir=tmp_path)
    assert config.image_size_cap == 1099511627776
    assert config.user_storage_quota == 0


def test_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "pocketstack.toml").write_text("image_size_cap = 4096\nuser-storage-quota = 10\n")
    config = load_config(data_dir=tmp_path)
    assert (config.image_size_cap, config.user_storage_quota) == (4096, 10)


@pytest.mark.parametrize(
    "line",
    ["image_size_cap = 0", "image_size_cap = 9223372036854775809", "user_storage_quota = -1",
     'image_size_cap = "1GB"', "user_storage_quota = true"],
)  # fmt: skip
def test_bad_values_refused(tmp_path: Path, line: str) -> None:
    (tmp_path / "pocketstack.toml").write_text(line + "\n")
    with pytest.raises(ConfigError):
        load_config(data_dir=tmp_path)
