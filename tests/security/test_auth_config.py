"""Start-up checks of ``system.auth``: bad tokens and an unauthenticated public bind refuse to start."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.api.app import create_app
from tarsy.api.auth import TOKENS_ENV, Identity, parse_tokens
from tarsy.api.guard import build_policy
from tarsy.config import ConfigError, TarsyConfig, load_config_from_data
from tarsy.settings import Settings
from tests.support.server import write_config

pytestmark = [pytest.mark.integration]

SECRET = "s3cret-token-0123456789"


def _config(**auth: object) -> TarsyConfig:
    return load_config_from_data(tarsy={"system": {"auth": auth}})


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (f"alice:boss:{SECRET}", "unknown role 'boss'"),
        (f"alice:{SECRET}", "is not name:role:token"),
        (f":admin:{SECRET}", "is not name:role:token"),
        ("alice:admin:", "is not name:role:token"),
        ("alice:admin:short", "shorter than 16 characters"),
        (f"alice:admin:{SECRET},bob:viewer:{SECRET}", "repeats the token"),
        (" , ", "is empty"),
    ],
)
def test_bad_token_entries_refuse_to_start_naming_the_variable(raw: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_policy(_config(mode="token"), "127.0.0.1", {TOKENS_ENV: raw})
    message = str(caught.value)
    assert TOKENS_ENV in message and problem in message
    assert SECRET not in message and "short" not in message.replace("shorter", "")


def test_token_entries_name_their_author_and_role_and_may_contain_colons() -> None:
    tokens = parse_tokens(f"alice:admin:{SECRET}, ci-bot:operator:a:b:c:d:e:f:g:h:i:j")
    assert sorted(tokens.values(), key=lambda i: i.name) == [Identity("alice", "admin"), Identity("ci-bot", "operator")]


def test_token_mode_needs_tokens() -> None:
    with pytest.raises(ConfigError, match=TOKENS_ENV):
        build_policy(_config(mode="token"), "127.0.0.1", {})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "tarsy.example.com"])
def test_no_auth_on_a_public_address_refuses_to_start(host: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_policy(_config(), host, {})
    assert "system.auth.mode" in str(caught.value) and "system.auth.allow_anonymous" in str(caught.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.53"])
def test_no_auth_on_loopback_starts(host: str) -> None:
    assert build_policy(_config(), host, {}).auth.mode == "none"


def test_anonymous_on_a_public_address_only_when_said_explicitly() -> None:
    assert build_policy(_config(allow_anonymous=True), "0.0.0.0", {}).auth.mode == "none"
    assert build_policy(_config(mode="token"), "0.0.0.0", {TOKENS_ENV: f"a:viewer:{SECRET}"}).auth.mode == "token"
    assert build_policy(_config(mode="proxy"), "0.0.0.0", {}).auth.mode == "proxy"


def test_a_short_alertmanager_token_refuses_to_start() -> None:
    with pytest.raises(ConfigError, match="TARSY_ALERTMANAGER_TOKEN"):
        build_policy(_config(), "127.0.0.1", {"TARSY_ALERTMANAGER_TOKEN": "abc"})


def test_only_health_and_metrics_can_be_public() -> None:
    with pytest.raises(ConfigError, match="public_paths"):
        _config(public_paths=["/health", "/api/v1/sessions"])


async def test_the_app_refuses_to_start_without_auth_on_a_public_address(tmp_path: Path, database_url: str) -> None:
    # The app's own start-up (the lifespan uvicorn runs), without binding anything at all.
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "unused"}]}})
    env = {"TARSY_CONFIG_DIR": str(config), "DATABASE_URL": database_url, "TARSY_HOST": "0.0.0.0", "TARSY_WORKERS": "0"}
    app = create_app(Settings.from_env(env), env=env)
    with pytest.raises(ConfigError, match=r"system\.auth\.allow_anonymous"):
        async with app.router.lifespan_context(app):
            pass
