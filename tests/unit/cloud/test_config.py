from __future__ import annotations

from pathlib import Path

import pytest

from pocketstack.cloud.config import load_config
from pocketstack.cloud.errors import ConfigError


def test_defaults_put_everything_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POCKETSTACK_DB_URL", raising=False)
    config = load_config(data_dir=tmp_path)
    assert config.db_url == f"sqlite:///{tmp_path.resolve() / 'pocketstack.db'}"
    assert config.key_repository == tmp_path / "fernet-keys"
    assert config.public_url == "http://127.0.0.1:8770"
    assert config.bcrypt_rounds == 12
    assert config.token_expiration == 3600


def test_flags_beat_environment_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pocketstack.toml").write_text(
        'db_url = "sqlite:///from-file.db"\nport = 9000\nbcrypt-rounds = 5\n'
    )
    monkeypatch.delenv("POCKETSTACK_DB_URL", raising=False)
    assert load_config(data_dir=tmp_path).db_url == "sqlite:///from-file.db"
    monkeypatch.setenv("POCKETSTACK_DB_URL", "sqlite:///from-env.db")
    config = load_config(data_dir=tmp_path)
    assert config.db_url == "sqlite:///from-env.db"
    assert config.port == 9000
    assert config.bcrypt_rounds == 5
    assert config.public_url == "http://127.0.0.1:9000"
    assert load_config(data_dir=tmp_path, db_url="sqlite:///flag.db", port=1).db_url == (
        "sqlite:///flag.db"
    )


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POCKETSTACK_DATA_DIR", str(tmp_path / "home"))
    assert load_config().data_dir == tmp_path / "home"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("port = 'x'\n", "port must be of type int"),
        ("colour = 1\n", "unknown setting 'colour'"),
        ("port = \n", "pocketstack.toml"),
        ("port = true\n", "port must be of type int"),
        ("test_controls = 1\n", "test_controls must be of type bool"),
    ],
)
def test_bad_config_file_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pocketstack.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(data_dir=tmp_path)


def test_test_controls_are_off_unless_the_file_turns_them_on(tmp_path: Path) -> None:
    assert load_config(data_dir=tmp_path).test_controls is False
    (tmp_path / "pocketstack.toml").write_text("test-controls = true\n")
    assert load_config(data_dir=tmp_path).test_controls is True
