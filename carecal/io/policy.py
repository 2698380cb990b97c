"""``policy.toml``: parse it (every problem at once, with a did-you-mean) and write it.

The file holds overrides of :class:`~carecal.policy.Policy` defaults; keys are its field
names and times are ``"HH:MM"``. Written back, it holds exactly the settings that differ
from the defaults. Every problem is a sentence naming the file, the key, the value and
the fix (:func:`carecal.policy.policy_values` words them).
"""

from __future__ import annotations

import tomllib
from numbers import Real
from pathlib import Path
from typing import Any

from carecal.clock import format_time
from carecal.i18n import N_, Message
from carecal.model import CommunityError
from carecal.policy import (
    TIME_FIELDS,
    Policy,
    policy_sentences,
    policy_values,
    toml_value,
)


def _number_as_time(key: str, value: Any) -> Message:
    """The fix for a time written as a number: ``1045`` most likely meant ``"10:45"``."""
    hours, minutes = divmod(int(value), 100) if float(value).is_integer() else (-1, 0)
    if 0 <= hours <= 24 and minutes < 60 and hours * 60 + minutes <= 24 * 60:
        example = f"{hours:02d}:{minutes:02d}"
    else:
        example = format_time(Policy.model_fields[key].get_default())
    return Message(
        N_('write it as "HH:MM" in quotes, for example {example}'),
        example=f'{key} = "{example}"',
    )


def policy_from_text(text: str, label: str) -> tuple[Policy | None, list[str]]:
    """The policy in ``text`` and the problems found (``None`` when there are any).

    ``label`` names the file in every problem (``policy.toml``). Each problem is a
    :class:`~carecal.i18n.Message`: English as a ``str``, any language on request.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [
            Message(
                N_(
                    "{source} is not valid TOML ({error}); write one `key = value` per line, "
                    'with times in quotes such as meals_ready = "10:45"'
                ),
                source=label,
                error=str(e),
            )
        ]
    problems: list[str] = []
    for key in TIME_FIELDS:
        value = data.get(key)
        # In Python an int is minutes since midnight; in the file a bare number is almost
        # always a clock time typed without quotes (meals_ready = 1045), so it is refused.
        if isinstance(value, Real) and not isinstance(value, bool):
            problems.append(
                Message(
                    N_("{source}: {setting}: a number is not a time here; {fix}"),
                    source=label,
                    setting=f"{key} = {toml_value(value)}",
                    fix=_number_as_time(key, value),
                )
            )
            del data[key]
    values, found = policy_values(data)
    problems += policy_sentences(found, label)
    if problems:
        return None, problems
    return Policy.model_validate(values), []


def policy_from_bytes(data: bytes, label: str) -> tuple[Policy | None, list[str]]:
    """:func:`policy_from_text` for a file's bytes, which TOML requires to be UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [
            Message(
                N_(
                    "{source} is not UTF-8 text (it may have been saved as GB18030/ANSI); a "
                    "TOML file must be UTF-8: open it in a text editor and save it again with "
                    "the encoding UTF-8"
                ),
                source=label,
            )
        ]
    return policy_from_text(text, label)


def parse_policy(text: str, source: str = "policy.toml") -> Policy:
    """Parse the text of a ``policy.toml`` into a :class:`~carecal.policy.Policy`.

    Keys are the :class:`~carecal.policy.Policy` field names; times are ``"HH:MM"``; a key
    carecal does not know is an error with a did-you-mean.

    Raises
    ------
    CommunityError
        Listing every problem in the file, each naming ``source``.
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
        Listing every problem in the file (a file that is not UTF-8 is one).
    """
    looks_like_path = "\n" not in str(path_or_text) and "=" not in str(path_or_text)
    if isinstance(path_or_text, Path) or looks_like_path:
        path = Path(path_or_text)
        if not path.is_file():
            raise CommunityError(
                [
                    Message(
                        N_("{path} does not exist; give the path of a policy.toml"), path=str(path)
                    )
                ]
            )
        policy, problems = policy_from_bytes(path.read_bytes(), path.name)
        if problems or policy is None:
            raise CommunityError(problems)
        return policy
    return parse_policy(path_or_text)


def policy_toml(policy: Policy) -> str:
    """The ``policy.toml`` text overriding exactly the settings that differ from the defaults."""
    default = Policy.model_validate({})
    lines = ["# carecal policy: only the settings that differ from the defaults"]
    for name in type(policy).model_fields:
        value, base = getattr(policy, name), getattr(default, name)
        if value == base or value is None:
            continue
        if name in TIME_FIELDS:
            value = format_time(value)
        lines.append(f"{name} = {toml_value(value)}")
    return "\n".join(lines) + "\n"
