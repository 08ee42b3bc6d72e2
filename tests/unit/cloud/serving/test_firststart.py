"""First-start set-up: private files, a kept random password, and clear refusals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError
from pocketstack.cloud.serving.firststart import (
    ensure_admin_password,
    ensure_data_dir,
    fernet_rotate,
    initialise,
    read_admin_password,
    redacted_db_url,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def config(tmp_path: Path) -> CloudConfig:
    data_dir = tmp_path / "nested" / "cloud"
    return CloudConfig(
        data_dir=data_dir, db_url=f"sqlite:///{tmp_path / 'cloud.db'}", bcrypt_rounds=4
    )


def test_initialise_creates_a_private_home_and_is_idempotent(config: CloudConfig) -> None:
    first = initialise(config)
    assert first.created_data_dir
    assert first.created_keys
    assert mode(config.data_dir) == 0o700
    assert mode(config.admin_password_file) == 0o600
    assert mode(config.log_file) == 0o600
    password = read_admin_password(config)
    assert password is not None
    assert len(password) >= 20

    second = initialise(config)
    assert not second.created_data_dir
    assert not second.created_keys
    assert read_admin_password(config) == password


def test_every_cloud_gets_its_own_password(tmp_path: Path) -> None:
    passwords = set()
    for name in ("a", "b", "c"):
        config = CloudConfig(data_dir=tmp_path / name, db_url="sqlite://")
        config.data_dir.mkdir()
        passwords.add(ensure_admin_password(config))
    assert len(passwords) == 3


def test_a_given_password_replaces_the_kept_one(config: CloudConfig) -> None:
    config.data_dir.mkdir(parents=True)
    ensure_admin_password(config)
    assert ensure_admin_password(config, given="new-one") == "new-one"
    assert read_admin_password(config) == "new-one"
    assert mode(config.admin_password_file) == 0o600


@pytest.mark.parametrize("bad", ["", "   ", " padded"])
def test_blank_or_padded_passwords_are_refused(config: CloudConfig, bad: str) -> None:
    config.data_dir.mkdir(parents=True)
    with pytest.raises(ServingError, match="must not be empty"):
        ensure_admin_password(config, given=bad)
    assert read_admin_password(config) is None


def test_a_password_file_others_can_read_is_refused(config: CloudConfig) -> None:
    config.data_dir.mkdir(parents=True)
    ensure_admin_password(config)
    config.admin_password_file.chmod(0o644)
    with pytest.raises(ServingError, match="chmod 600"):
        read_admin_password(config)


def test_rotating_without_keys_says_what_to_run(config: CloudConfig) -> None:
    with pytest.raises(ServingError, match="fernet-setup"):
        fernet_rotate(config)


def test_an_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://user:s3cret@127.0.0.1:1/nothing"
    config = CloudConfig(data_dir=tmp_path / "c", db_url=url, bcrypt_rounds=4)
    with pytest.raises(ServingError) as info:
        initialise(config)
    assert "cannot migrate the database" in str(info.value)
    assert "s3cret" not in str(info.value)
    assert "s3cret" not in redacted_db_url(url)


@pytest.mark.parametrize("loose", [0o755, 0o750, 0o711, 0o707])
def test_an_existing_loose_data_dir_of_ours_is_made_private(
    config: CloudConfig, loose: int, caplog: pytest.LogCaptureFixture
) -> None:
    config.data_dir.mkdir(parents=True)
    config.data_dir.chmod(loose)
    assert not ensure_data_dir(config)
    assert mode(config.data_dir) == 0o700
    assert f"(mode {loose:04o}); made it 0700" in caplog.text
    # The whole first start keeps it so.
    config.data_dir.chmod(loose)
    initialise(config)
    assert mode(config.data_dir) == 0o700


def test_a_private_data_dir_is_left_alone(
    config: CloudConfig, caplog: pytest.LogCaptureFixture
) -> None:
    config.data_dir.mkdir(parents=True, mode=0o700)
    before = config.data_dir.stat().st_ctime_ns
    assert not ensure_data_dir(config)
    assert config.data_dir.stat().st_ctime_ns == before
    assert "made it 0700" not in caplog.text


def test_a_loose_data_dir_of_another_user_is_refused(
    config: CloudConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.data_dir.mkdir(parents=True)
    config.data_dir.chmod(0o755)
    owner = config.data_dir.stat().st_uid
    # Running as someone else than the directory's owner.
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    with pytest.raises(ServingError) as info:
        ensure_data_dir(config)
    message = str(info.value)
    assert str(config.data_dir) in message
    assert "mode 0755" in message
    assert f"owned by uid {owner}" in message
    assert "chmod 700" in message
    assert mode(config.data_dir) == 0o755
