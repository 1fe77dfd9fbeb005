"""Typed readers for settings that come from the environment (12-factor).

Each reader returns a value of one type, or fails at start-up with a message that
names the variable, the value it got and what it expected, so that an operator
never has to guess why Cercle refuses to start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """A string; an empty or missing variable gives the default."""
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """A boolean spelled true/false, yes/no, on/off or 1/0 (any case)."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer, optionally bounded (inclusive)."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small: the minimum is {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is too large: the maximum is {maximum}.")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blanks around items are dropped, empty items ignored."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: list[str], environ: Mapping[str, str] | None = None
) -> str:
    """One value out of a fixed set."""
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not one of the accepted values: {', '.join(choices)}."
        )
    return value


def env_url(
    name: str,
    default: str,
    schemes: list[str],
    environ: Mapping[str, str] | None = None,
) -> str:
    """A URL whose scheme is one of `schemes`."""
    value = _raw(name, environ)
    if value is None:
        return default
    scheme, sep, rest = value.partition("://")
    if not sep or not rest or scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} is not a valid URL: it must start with one of "
            f"{', '.join(s + '://' for s in schemes)}."
        )
    return value


def secret_key(
    var_dir: Path, environ: Mapping[str, str] | None = None, name: str = "CERCLE_SECRET_KEY"
) -> str:
    """The secret key from the environment, or one generated once into `var_dir`.

    Generating it into a file (readable by the owner only) lets a fresh install run
    without configuration, while sessions and signed links survive restarts.
    """
    value = _raw(name, environ)
    if value is not None:
        if len(value) < 50:
            raise ImproperlyConfigured(f"{name} is too short: use at least 50 random characters.")
        return value
    key_file = var_dir / "secret_key"
    if key_file.exists():
        stored = key_file.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    var_dir.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(64)
    # O_EXCL: when two processes start at once, only one key wins and both read it.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(generated)
    return generated
