"""Typed readers for environment variables.

Each helper refuses a value it cannot understand with an ImproperlyConfigured
error that names the variable, so a typo in production fails at start-up
instead of silently meaning something else (``DEBUG=maybe`` is an error, not
False).
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"环境变量 {name}={raw!r} 不是布尔值：请用 true/false、1/0、yes/no 或 on/off。"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 不是整数。") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"环境变量 {name}={value} 不能小于 {minimum}。")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        raise ImproperlyConfigured(
            f"环境变量 {name}={value!r} 无效：可选值为 {', '.join(choices)}。"
        )
    return value
