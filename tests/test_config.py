from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.checks.registry import registry
from django.core.exceptions import ImproperlyConfigured

from cercle.checks import check_cache_is_shared
from cercle.config import env_bool, env_choice, env_int, env_list, env_str, env_url, secret_key


def test_env_bool_reads_the_usual_spellings() -> None:
    for word in ["1", "true", "Yes", "ON"]:
        assert env_bool("X", False, {"X": word}) is True
    for word in ["0", "false", "No", "off"]:
        assert env_bool("X", True, {"X": word}) is False
    assert env_bool("X", True, {}) is True
    assert env_bool("X", False, {"X": "  "}) is False


def test_env_bool_names_the_variable_and_value_it_refuses() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"CERCLE_DEBUG='maybe' is not a boolean"):
        env_bool("CERCLE_DEBUG", False, {"CERCLE_DEBUG": "maybe"})


def test_env_int_checks_numbers_and_bounds() -> None:
    assert env_int("N", 3, {"N": "42"}) == 42
    assert env_int("N", 3, {}) == 3
    with pytest.raises(ImproperlyConfigured, match="N='4x' is not a whole number"):
        env_int("N", 3, {"N": "4x"})
    with pytest.raises(ImproperlyConfigured, match="too small: the minimum is 1"):
        env_int("N", 3, {"N": "0"}, minimum=1)
    with pytest.raises(ImproperlyConfigured, match="too large: the maximum is 65535"):
        env_int("N", 3, {"N": "70000"}, maximum=65535)


def test_env_list_splits_on_commas_and_drops_blanks() -> None:
    assert env_list("L", ["a"], {"L": " x.org , y.org,, "}) == ["x.org", "y.org"]
    assert env_list("L", ["a"], {}) == ["a"]


def test_env_choice_and_url_refuse_what_they_do_not_know() -> None:
    assert env_choice("C", "a", ["a", "b"], {"C": "b"}) == "b"
    with pytest.raises(ImproperlyConfigured, match="not one of the accepted values: a, b"):
        env_choice("C", "a", ["a", "b"], {"C": "c"})
    assert env_url("U", "", ["redis"], {"U": "redis://127.0.0.1:6379/0"}).startswith("redis")
    with pytest.raises(ImproperlyConfigured, match="must start with one of redis://"):
        env_url("U", "", ["redis"], {"U": "127.0.0.1:6379"})
    assert env_str("S", "fallback", {"S": ""}) == "fallback"


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = secret_key(tmp_path, {})
    second = secret_key(tmp_path, {})
    assert first == second
    assert len(first) >= 50
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins_and_must_be_long(tmp_path: Path) -> None:
    key = "k" * 60
    assert secret_key(tmp_path, {"CERCLE_SECRET_KEY": key}) == key
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ImproperlyConfigured, match="too short"):
        secret_key(tmp_path, {"CERCLE_SECRET_KEY": "short"})


def test_the_deploy_check_warns_about_a_cache_kept_in_each_process(settings: Any) -> None:
    assert check_cache_is_shared() == []  # the default: a table of the database
    for backend in ("locmem.LocMemCache", "dummy.DummyCache"):
        settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
        [warning] = check_cache_is_shared()
        assert warning.id == "cercle.W001"
        assert "counted by each worker on its own" in warning.msg
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/2",
        }
    }
    assert check_cache_is_shared() == []
    # Registered with the deploy checks.
    assert check_cache_is_shared in registry.get_checks(include_deployment_checks=True)
    assert check_cache_is_shared not in registry.get_checks(include_deployment_checks=False)
