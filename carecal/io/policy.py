"""``policy.toml``: parse it (every problem at once, with a did-you-mean) and write it.

The file holds overrides of :class:`~carecal.policy.Policy` defaults; keys are its field
names and times are ``"HH:MM"``. Written back, it holds exactly the settings that differ
from the defaults.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from carecal.clock import format_time
from carecal.io.problems import one_of, suggest, validation_sentences
from carecal.model import CommunityError
from carecal.policy import MODES, Policy
from carecal.travel import TRAVEL_MODES

_TIME_FIELDS = ("default_window_start", "default_window_end", "meals_ready")


def policy_from_text(text: str, label: str) -> tuple[Policy | None, list[str]]:
    """The policy in ``text`` and the problems found (``None`` when there are any)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [
            f"{label} is not valid TOML ({e}); write one `key = value` per line, with times "
            'in quotes such as meals_ready = "10:45"'
        ]
    problems = []
    fields = list(Policy.model_fields)
    for key in list(data):
        if key not in Policy.model_fields:
            problems.append(
                f"{label}: {key} is not a policy setting; "
                + suggest(key, fields, "the README lists every setting", 0.6)
            )
            del data[key]
    for key, modes in (("capacity", MODES), ("speed_kmh", TRAVEL_MODES)):
        if isinstance(data.get(key), dict):
            for mode in list(data[key]):
                if mode not in modes:
                    problems.append(
                        f"{label}: {key}.{mode} is not a travel mode; "
                        + suggest(mode, modes, f"use {one_of(modes)}")
                    )
                    del data[key][mode]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as e:
        return None, problems + validation_sentences(e, label)
    return (policy if not problems else None), problems


def parse_policy(text: str, source: str = "policy.toml") -> Policy:
    """Parse the text of a ``policy.toml`` into a :class:`~carecal.policy.Policy`.

    Keys are the :class:`~carecal.policy.Policy` field names; times are ``"HH:MM"``; a key
    carecal does not know is an error with a did-you-mean.

    Raises
    ------
    CommunityError
        Listing every problem in the file.
    """
    policy, problems = policy_from_text(text, source)
    if problems or policy is None:
        raise CommunityError(problems)
    return policy


def read_policy(path_or_text: str | Path) -> Policy:
    """Read a ``policy.toml`` file, or parse TOML text given as a string.

    A :class:`~pathlib.Path`, or a string naming an existing file, is read as a file;
    any other string is taken as the TOML text itself.

    Raises
    ------
    CommunityError
        Listing every problem in the file.
    """
    looks_like_path = "\n" not in str(path_or_text) and "=" not in str(path_or_text)
    if isinstance(path_or_text, Path) or looks_like_path:
        path = Path(path_or_text)
        if not path.is_file():
            raise CommunityError([f"{path} does not exist; give the path of a policy.toml"])
        return parse_policy(path.read_text(encoding="utf-8-sig"), path.name)
    return parse_policy(path_or_text)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def policy_toml(policy: Policy) -> str:
    """The ``policy.toml`` text overriding exactly the settings that differ from the defaults."""
    default = Policy.model_validate({})
    lines = ["# carecal policy: only the settings that differ from the defaults"]
    for name in type(policy).model_fields:
        value, base = getattr(policy, name), getattr(default, name)
        if value == base or value is None:
            continue
        if name in _TIME_FIELDS:
            value = format_time(value)
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"
