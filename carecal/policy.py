"""The centre's tunable rules, with the defaults of DESIGN section 4, and what each may be.

Every field can be overridden in ``policy.toml`` (top-level keys with the same names;
times as ``"HH:MM"``). ``Policy()`` is the default policy. Each value is checked when a
policy is made, against :data:`RULES` (kind and range) and the rules between fields (the
default window opens before it closes, the meals are ready before it closes).
``model_copy(update=...)`` skips those checks, so :func:`check_policy` runs them again on
any policy; every planner and ``verify`` call it first.

The module is long (about 840 lines) because each setting has its range and its sentences
for a value out of range, in both languages, beside the field; the checking machinery
(:data:`RULES`, :func:`policy_values`, :func:`policy_sentences`) could move to a module of
its own, leaving the fields here, when the next group of settings is added.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carecal.clock import DAY_MINUTES, format_time, parse_time
from carecal.errors import CommunityError
from carecal.i18n import N_, Capitalised, Choices, Message
from carecal.travel import TRAVEL_MODES

MODES: tuple[str, ...] = ("walk", "bike", "ebike", "car")
"""Travel modes of a volunteer (``mode`` in ``volunteers.csv``)."""

TIME_FIELDS: tuple[str, ...] = ("default_window_start", "default_window_end", "meals_ready")
"""The settings that are times of day (``"HH:MM"`` in ``policy.toml``)."""

SHORTAGE_CRITERIA: tuple[str, ...] = (
    "skipped_last_time",
    "bedridden",
    "wheelchair",
    "lives_alone",
    "diabetic",
)
"""What ``shortage_order`` may list: left unserved on the previous delivery day (from the
history), bedridden, uses a wheelchair, lives alone, on a diabetic diet
(:mod:`carecal.fairness` says how each ranks)."""

# The largest cost or weight: CP-SAT sums them in 64-bit integers, and a value past this
# would overflow there instead of being refused here.
MAX_WEIGHT = 10**9


class _Bad(Exception):
    """A value outside its rule; ``reason`` is the reason, said of the value (a
    :class:`~carecal.i18n.Message`, so that it can be said in any language)."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason


def toml_value(value: Any) -> str:
    """A value as ``policy.toml`` writes it: ``"10:45"``, ``true``, ``{ walk = 4 }``, ``[...]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return repr(int(value))
    if isinstance(value, Real):
        return repr(float(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dt.time):
        return value.isoformat()
    return repr(value)


def _one_of(options: tuple[str, ...]) -> str:
    """``a, b or c``, said with the words of the sentence's language (``a、b 或 c``)."""
    return Choices(options)


def _did_you_mean(word: str, options: tuple[str, ...] | list[str], then: Message) -> Message:
    close = difflib.get_close_matches(str(word).lower(), list(options), n=1, cutoff=0.6)
    if not close:
        return then
    capital = Capitalised(then.msgid, **then.values)
    return Message(N_("did you mean {word}? {then}"), word=close[0], then=capital)


@dataclass(frozen=True)
class Rule:
    """What one policy value may be: its kind and range, and the words for them.

    ``kind`` is ``"time"`` (``"HH:MM"``, or in Python an ``int`` of minutes since midnight),
    ``"whole"`` (an ``int``, never a ``bool``) or ``"number"`` (an ``int`` or a finite
    ``float``); ``low`` and ``high`` bound it (``above``: strictly above ``low``);
    ``optional``: ``None`` is allowed (no limit).
    """

    kind: str
    low: float = 0
    high: float | None = None
    above: bool = False
    optional: bool = False

    @property
    def text(self) -> str:
        """The range in words, as docs/policy.md gives it (a :class:`~carecal.i18n.Message`:
        English as a ``str``, said in Chinese in a problem printed with ``--lang zh``)."""
        if self.kind == "time":
            return Message(N_('"HH:MM" from "00:00" to "24:00"'))
        whole = self.kind == "whole"
        low = _plain_number(self.low)
        if self.above:
            text = Message(
                N_("whole number above {low}") if whole else N_("number above {low}"), low=low
            )
        elif self.high is None:
            text = Message(N_("whole number ≥ {low}") if whole else N_("number ≥ {low}"), low=low)
        else:
            text = Message(
                N_("whole number from {low} to {high}")
                if whole
                else N_("number from {low} to {high}"),
                low=low,
                high=_plain_number(self.high),
            )
        return Message(N_("{range} (left out: no limit)"), range=text) if self.optional else text

    def check(self, value: Any) -> Any:
        """The value as the planners use it (times in minutes), or :class:`_Bad`."""
        if value is None and self.optional:
            return None
        if self.kind == "time":
            return _time_of_day(value)
        if isinstance(value, bool):
            raise _Bad(Message(N_("is a true/false value, not a number")))
        if self.kind == "whole" and not isinstance(value, Integral):
            if isinstance(value, Real):
                raise _Bad(Message(N_("is not a whole number")))
            raise _Bad(Message(N_("is {kind}, not a whole number"), kind=_kind_of(value)))
        if not isinstance(value, Real):
            raise _Bad(Message(N_("is {kind}, not a number"), kind=_kind_of(value)))
        # numbers.Integral and numbers.Real promise __int__ and __float__ (numpy scalars too).
        number = int(value) if isinstance(value, Integral) else float(value)
        if not math.isfinite(number):
            raise _Bad(Message(N_("is not a finite number")))
        if self.above and number <= self.low:
            raise _Bad(Message(N_("must be above {low}"), low=_plain_number(self.low)))
        if number < self.low:
            raise _Bad(Message(N_("is below {low}"), low=_plain_number(self.low)))
        if self.high is not None and number > self.high:
            raise _Bad(Message(N_("is above {high}"), high=_plain_number(self.high)))
        return number


def _kind_of(value: Any) -> Message:
    """What a value is, in words (``text``, ``a list``): a part of a sentence."""
    if isinstance(value, str):
        return Message(N_("text"))
    if isinstance(value, Mapping):
        return Message(N_("a table"))
    if isinstance(value, list | tuple):
        return Message(N_("a list"))
    name = type(value).__name__
    return Message(N_("an {type}") if name[0] in "aeiou" else N_("a {type}"), type=name)


def _time_of_day(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(Message(N_("is a true/false value, not a time")))
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            raise _Bad(Message(N_("is not a time of day"))) from None
    if isinstance(value, dt.time):
        # A TOML time literal (meals_ready = 10:45:00) names a time of day as plainly as
        # "10:45"; only a time finer than the minute is refused.
        if value.second or value.microsecond or value.tzinfo is not None:
            raise _Bad(Message(N_("is not a whole minute of the day")))
        return value.hour * 60 + value.minute
    if isinstance(value, Integral):
        if not 0 <= int(value) <= DAY_MINUTES:
            raise _Bad(
                Message(N_("minutes since midnight must be from 0 to {last}"), last=DAY_MINUTES)
            )
        return int(value)
    raise _Bad(Message(N_("is {kind}, not a time"), kind=_kind_of(value)))


_MINUTES = Rule("whole", 0, DAY_MINUTES)
_COST = Rule("whole", 0, MAX_WEIGHT)

RULES: dict[str, Rule] = {
    "default_window_start": Rule("time"),
    "default_window_end": Rule("time"),
    "meals_ready": Rule("time"),
    "max_food_minutes": Rule("whole", 1, DAY_MINUTES),
    "handover_minutes": _MINUTES,
    "bedridden_extra_minutes": _MINUTES,
    "floor_minutes_without_lift": _MINUTES,
    "capacity": Rule("whole", 1),
    "speed_kmh": Rule("number", 0, above=True),
    "detour_factor": Rule("number", 1),
    "max_trips_per_day": Rule("whole", 1),
    "missed_meal_penalty": Rule("whole", 1, MAX_WEIGHT),
    "missed_meal_vulnerable_factor": Rule("number", 1),
    "carrier_fixed_cost": _COST,
    "non_preferred_cost": _COST,
    "check_due_days": Rule("whole", 1),
    "escort_age": Rule("whole", 60),
    "escort_handling_minutes": _MINUTES,
    "max_escort_jobs_per_day": Rule("whole", 1),
    "max_shifts_per_week": Rule("whole", 0),
    "max_consecutive_days": Rule("whole", 1),
    "min_rest_hours": Rule("number", 0, 7 * 24),
    "min_partial_duty_minutes": Rule("whole", 1, DAY_MINUTES),
    "max_weekends": Rule("whole", 0, optional=True),
    "weight_under_cover": _COST,
    "weight_over_cover": _COST,
    "weight_request": _COST,
    "weight_weekend": _COST,
    "weight_fairness": _COST,
    "weight_stability": _COST,
    "move_carrier_weight": _COST,
    "move_arrival_weight": _COST,
    "move_arrival_minutes": _MINUTES,
    "move_booking_weight": _COST,
    "move_shift_weight": _COST,
    "familiar_carrier_weight": _COST,
}
"""The rule of every numeric or time setting; for ``capacity`` and ``speed_kmh``, the rule
of each mode's value. ``escort_mobilities``, ``forbidden_successions`` and
``shortage_order`` are lists, checked on their own (:func:`range_text` words every setting)."""

_MODE_KEYS: dict[str, tuple[str, ...]] = {"capacity": MODES, "speed_kmh": TRAVEL_MODES}


class Policy(BaseModel):
    """Tunable care rules. All times are minutes since midnight, all durations minutes.

    Attributes are grouped by planner: meals, health checks, shifts. ``docs/policy.md``
    lists every one with its default and the values it takes (:data:`RULES`).

    Raises
    ------
    pydantic.ValidationError
        When a value is out of its range, of the wrong kind, or two values contradict each
        other; each sentence names the key, the value and the fix. :func:`check_policy`
        raises the same sentences as a :class:`~carecal.CommunityError`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- meals ---------------------------------------------------------------------
    default_window_start: int = Field(
        11 * 60, description="delivery window opens (no window given)"
    )
    default_window_end: int = Field(12 * 60 + 30, description="delivery window closes")
    meals_ready: int = Field(10 * 60 + 45, description="meals ready to leave the kitchen")
    max_food_minutes: int = Field(45, description="hot-meal limit, kitchen to door")
    handover_minutes: int = Field(2, description="handover at the door")
    bedridden_extra_minutes: int = Field(3, description="extra handover, bedridden")
    floor_minutes_without_lift: int = Field(
        1, description="extra handover per floor above the first without a lift"
    )
    capacity: dict[str, int] = Field(
        default_factory=lambda: {"walk": 4, "bike": 8, "ebike": 12, "car": 24},
        description="carrier capacity in portions when `capacity` is empty",
    )
    speed_kmh: dict[str, float] = Field(
        default_factory=lambda: {
            "walk": 4.5,
            "wheelchair": 3.5,
            "bike": 12.0,
            "ebike": 15.0,
            "car": 20.0,
        },
        description="travel speeds; `wheelchair` is pushing a wheelchair",
    )
    detour_factor: float = Field(1.3, description="street distance / great-circle distance")
    max_trips_per_day: int = Field(3, description="trips per carrier per day")
    missed_meal_penalty: int = Field(10_000, description="cost of one missed delivery")
    missed_meal_vulnerable_factor: float = Field(
        2.0,
        description="missed-delivery cost factor, to the power of the weights of the "
        "shortage_order criteria a resident meets",
    )
    carrier_fixed_cost: int = Field(120, description="cost of calling one more carrier")
    non_preferred_cost: int = Field(
        10, description="cost of a delivery by a carrier the resident did not prefer"
    )
    familiar_carrier_weight: int = Field(
        20,
        description="per elder whose carrier or escort does not know them (history), "
        "less the more visits they had; never at the price of a served meal",
    )
    shortage_order: tuple[str, ...] = Field(
        ("skipped_last_time", "bedridden", "lives_alone", "diabetic"),
        description="who is served first when not everyone can be, most important first; "
        "see docs/continuity.md",
    )

    # --- health checks ---------------------------------------------------------------
    check_due_days: int = Field(365, description="due when no check in this many days")
    escort_age: int = Field(85, description="residents this old or older need an escort")
    escort_mobilities: tuple[str, ...] = Field(
        ("walker", "wheelchair"), description="mobilities that need an escort"
    )
    escort_handling_minutes: int = Field(
        5, description="getting the resident in or out of the home, at each end"
    )
    max_escort_jobs_per_day: int = Field(3, description="escort jobs per volunteer per day")

    # --- shifts ----------------------------------------------------------------------
    max_shifts_per_week: int = Field(3, description="default when a volunteer gives none")
    max_consecutive_days: int = Field(5, description="consecutive working days")
    min_rest_hours: float = Field(8.0, description="rest between shifts on different days")
    min_partial_duty_minutes: int = Field(
        60,
        description="shortest part of an `auto` shift a volunteer may take inside their "
        "pledged hours",
    )
    forbidden_successions: tuple[tuple[str, str], ...] = Field(
        (), description="(shift_id, shift_id) pairs that may not follow on the next day"
    )
    max_weekends: int | None = Field(
        None, description="most working weekends per volunteer in the period"
    )
    weight_under_cover: int = Field(100, description="per place short of the minimum")
    weight_over_cover: int = Field(1, description="per volunteer above the wanted maximum")
    weight_request: int = Field(10, description="per unit of request weight not honoured")
    weight_weekend: int = Field(30, description="per working weekend above the maximum")
    weight_fairness: int = Field(5, description="per shift away from a fair share")
    weight_stability: int = Field(1, description="per change of weekday pattern")

    # --- re-planning (carecal.replan_*): what a change to the plan costs --------------
    move_carrier_weight: int = Field(
        10, description="re-plan: per elder whose meal comes with another carrier"
    )
    move_arrival_weight: int = Field(
        5, description="re-plan: per elder whose arrival moves by more than move_arrival_minutes"
    )
    move_arrival_minutes: int = Field(
        15, description="re-plan: an arrival moved by no more than this is not a change"
    )
    move_booking_weight: int = Field(
        10, description="re-plan: per booking moved (date, time, clinic or escort)"
    )
    move_shift_weight: int = Field(10, description="re-plan: per shift assignment added or removed")
    # --- what carecal writes for people
    lang: str = Field("en", description="language of sheets, summaries and reasons (en, zh)")

    @model_validator(mode="before")
    @classmethod
    def _check_values(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        values, problems = policy_values(data)
        if problems:
            raise ValueError("\n".join(policy_sentences(problems, "policy")))
        return values

    def needs_escort_mobility(self, mobility: str) -> bool:
        """Whether a mobility on its own calls for an escort to the clinic."""
        return mobility in self.escort_mobilities


def _default(name: str) -> Any:
    return Policy.model_fields[name].get_default(call_default_factory=True)


def _plain_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def range_text(name: str) -> str:
    """The values a setting takes, in words (docs/policy.md gives the same)."""
    if name in _MODE_KEYS:
        return f"{RULES[name].text}, for each of {', '.join(_MODE_KEYS[name])}"
    if name == "escort_mobilities":
        return f"list of {_one_of(_mobilities())}"
    if name == "forbidden_successions":
        return "list of [shift_id, shift_id] pairs, ids not empty"
    if name == "shortage_order":
        return f"list of {_one_of(SHORTAGE_CRITERIA)}, each at most once"
    if name == "lang":
        return "en (English) or zh (Chinese)"
    return RULES[name].text


def _mobilities() -> tuple[str, ...]:
    # carecal.model imports this module for Policy, so Mobility is imported when asked for.
    from carecal.model import Mobility

    return tuple(m.value for m in Mobility)


def _example(key: str, value: Any) -> str:
    if key.split(".")[0] in TIME_FIELDS:
        return f'{key} = "{format_time(value)}"'
    return f"{key} = {toml_value(2 if value is None else value)}"


def _fix(key: str, reason: Message, rule: Rule, example: Any) -> Message:
    if rule.kind == "time":
        return Message(
            N_('{reason}; write it as "HH:MM" in quotes, for example {example}'),
            reason=reason,
            example=_example(key, example),
        )
    return Message(
        N_("{reason}; write a {range}, for example {example}"),
        reason=reason,
        range=rule.text,
        example=_example(key, example),
    )


def _scalar(key: str, value: Any, problems: list[tuple[str, str]]) -> Any:
    rule = RULES[key]
    try:
        return rule.check(value)
    except _Bad as bad:
        where = f"{key} = {toml_value(value)}"
        problems.append((where, _fix(key, bad.reason, rule, _default(key))))
        return value


def _per_mode(key: str, value: Any, problems: list[tuple[str, str]]) -> Any:
    modes, rule, default = _MODE_KEYS[key], RULES[key], _default(key)
    if not isinstance(value, Mapping):
        problems.append(
            (
                f"{key} = {toml_value(value)}",
                Message(
                    N_(
                        "is {kind}, not one value per mode; write it per mode, for example "
                        "{example}"
                    ),
                    kind=_kind_of(value),
                    example=f"{key}.walk = {toml_value(default['walk'])}",
                ),
            )
        )
        return value
    # Modes not given keep their defaults, so a policy.toml changes only what it names.
    out = dict(default)
    for mode, v in value.items():
        where = f"{key}.{mode} = {toml_value(v)}"
        if mode not in modes:
            then = Message(N_("use {choices}"), choices=_one_of(modes))
            problems.append(
                (
                    where,
                    Message(
                        N_("{item} is not a travel mode; {fix}"),
                        item=mode,
                        fix=_did_you_mean(mode, modes, then),
                    ),
                )
            )
            continue
        try:
            out[mode] = rule.check(v)
        except _Bad as bad:
            problems.append((where, _fix(f"{key}.{mode}", bad.reason, rule, default[mode])))
    return out


def _escort_mobilities(value: Any, problems: list[tuple[str, str]]) -> Any:
    allowed = _mobilities()
    where = f"escort_mobilities = {toml_value(value)}"
    example = f"escort_mobilities = {toml_value(list(_default('escort_mobilities')))}"
    if not isinstance(value, list | tuple):
        problems.append((where, _not_a_list(value, example)))
        return value
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            then = _use(allowed, example)
            fix = _did_you_mean(str(item), allowed, then)
            problems.append(
                (where, Message(N_("{item} is not a mobility; {fix}"), item=item, fix=fix))
            )
    return tuple(str(item) for item in value)


def _not_a_list(value: Any, example: str) -> Message:
    return Message(
        N_("is {kind}, not a list; write a list, for example {example}"),
        kind=_kind_of(value),
        example=example,
    )


def _use(options: tuple[str, ...], example: str) -> Message:
    return Message(
        N_("use {choices}, for example {example}"), choices=_one_of(options), example=example
    )


def _forbidden_successions(value: Any, problems: list[tuple[str, str]]) -> Any:
    where = f"forbidden_successions = {toml_value(value)}"
    example = 'forbidden_successions = [["late", "early"]]'
    if not isinstance(value, list | tuple):
        problems.append(
            (
                where,
                Message(
                    N_("is {kind}, not a list of pairs; write one, for example {example}"),
                    kind=_kind_of(value),
                    example=example,
                ),
            )
        )
        return value
    for pair in value:
        if not (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(i, str) and i.strip() for i in pair)
        ):
            problems.append(
                (
                    where,
                    Message(
                        N_(
                            "{pair} is not a pair of shift ids; write each entry as [a "
                            "shift_id, the shift_id that may not follow it], for example "
                            "{example}"
                        ),
                        pair=toml_value(pair),
                        example=example,
                    ),
                )
            )
    return tuple(tuple(pair) for pair in value if isinstance(pair, list | tuple))


def _shortage_order(value: Any, problems: list[tuple[str, str]]) -> Any:
    where = f"shortage_order = {toml_value(value)}"
    example = f"shortage_order = {toml_value(list(_default('shortage_order')))}"
    if not isinstance(value, list | tuple):
        problems.append((where, _not_a_list(value, example)))
        return value
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or item not in SHORTAGE_CRITERIA:
            fix = _did_you_mean(str(item), SHORTAGE_CRITERIA, _use(SHORTAGE_CRITERIA, example))
            problems.append(
                (
                    where,
                    Message(
                        N_("{item} is not a criterion carecal knows; {fix}"), item=item, fix=fix
                    ),
                )
            )
        elif item in seen:
            problems.append(
                (
                    where,
                    Message(
                        N_(
                            "{item} is listed twice; list each criterion once, most important first"
                        ),
                        item=item,
                    ),
                )
            )
        seen.add(str(item))
    if "skipped_last_time" in value and value[0] != "skipped_last_time":
        # It is the one criterion that outranks any number of others (docs/continuity.md),
        # so it cannot stand below one that does not.
        problems.append(
            (
                where,
                Message(
                    N_(
                        "skipped_last_time outranks every other criterion, so it comes first "
                        "when listed; move it to the front (or leave it out), for example "
                        "{example}"
                    ),
                    example=example,
                ),
            )
        )
    return tuple(str(item) for item in value)


def vulnerability_exponent_limit(order: tuple[str, ...]) -> int:
    """The largest power of ``missed_meal_vulnerable_factor`` a missed meal can carry under
    ``order``: each criterion but ``skipped_last_time`` weighs twice the next, so a
    resident meeting all of them carries ``2**m - 1`` (:mod:`carecal.fairness`)."""
    m = sum(1 for c in order if c != "skipped_last_time")
    return 2**m - 1


def _between_fields(values: Mapping[str, Any], bad: set[str]) -> list[tuple[str, str]]:
    """The rules that tie settings together: the default window, when the meals are ready,
    and what a missed meal may cost."""
    return _between_times(values, bad) + _between_costs(values, bad)


def _between_costs(values: Mapping[str, Any], bad: set[str]) -> list[tuple[str, str]]:
    """The familiar carrier weighs less than a missed meal, and the dearest missed meal
    (every criterion of ``shortage_order`` met) stays within the solvers' integers."""
    keys = ("missed_meal_penalty", "missed_meal_vulnerable_factor", "shortage_order")
    if bad & {*keys, "familiar_carrier_weight"}:
        return []
    penalty, factor, order = (values.get(k, _default(k)) for k in keys)
    familiar = values.get("familiar_carrier_weight", _default("familiar_carrier_weight"))
    problems: list[tuple[str, str]] = []
    if familiar >= penalty:
        problems.append(
            (
                f"familiar_carrier_weight = {familiar}, missed_meal_penalty = {penalty}",
                Message(
                    N_(
                        "a familiar carrier would weigh as much as a missed meal; keep "
                        "familiar_carrier_weight far below missed_meal_penalty, for example "
                        "{example}"
                    ),
                    example=f"familiar_carrier_weight = {_default('familiar_carrier_weight')}",
                ),
            )
        )
    exponent = vulnerability_exponent_limit(order)
    # Compared in logarithms: a large factor to a large power overflows a float.
    if math.log(penalty) + exponent * math.log(factor) > math.log(MAX_WEIGHT) + 1e-9:
        dearest = math.exp(min(700.0, math.log(penalty) + exponent * math.log(factor)))
        problems.append(
            (
                f"missed_meal_penalty = {penalty}, missed_meal_vulnerable_factor = "
                f"{toml_value(factor)}, shortage_order = {toml_value(list(order))}",
                Message(
                    N_(
                        "a resident meeting every criterion of shortage_order would cost "
                        "{cost} when missed, more than the solvers can weigh ({most}); lower "
                        "missed_meal_vulnerable_factor or missed_meal_penalty, or list fewer "
                        "criteria in shortage_order"
                    ),
                    cost=f"{penalty} × {toml_value(factor)}^{exponent} = {dearest:.3g}",
                    most=MAX_WEIGHT,
                ),
            )
        )
    return problems


def _lang(value: Any, problems: list[tuple[str, str]]) -> Any:
    from carecal.i18n import LANGS

    if value not in LANGS:
        then = _use(LANGS, 'lang = "zh"')
        problems.append(
            (
                f"lang = {toml_value(value)}",
                Message(
                    N_("is not a language carecal writes; {fix}"),
                    fix=_did_you_mean(str(value), LANGS, then),
                ),
            )
        )
    return value


def _between_times(values: Mapping[str, Any], bad: set[str]) -> list[tuple[str, str]]:
    """The default window opens before it closes, and the meals are ready before it closes."""
    if bad & set(TIME_FIELDS):
        return []
    start, end, ready = (values.get(k, _default(k)) for k in TIME_FIELDS)
    if end <= start:
        return [
            (
                f'default_window_start = "{format_time(start)}", '
                f'default_window_end = "{format_time(end)}"',
                Message(
                    N_(
                        "the default delivery window {window} closes before it opens; swap "
                        "default_window_start and default_window_end or correct them"
                    ),
                    window=f"{format_time(start)}–{format_time(end)}",
                ),
            )
        ]
    if ready >= end:
        example = _example("meals_ready", _default("meals_ready"))
        return [
            (
                f'meals_ready = "{format_time(ready)}", default_window_end = "{format_time(end)}"',
                Message(
                    N_(
                        "the meals are ready only when the default delivery window has closed, "
                        "so no resident without a window of their own could be served; set "
                        "meals_ready before default_window_end, for example {example}"
                    ),
                    example=example,
                ),
            )
        ]
    return []


def policy_values(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check settings given by name; return them as the planners use them, and the problems.

    Parameters
    ----------
    data
        Settings by field name (a ``policy.toml`` read, keyword arguments, a policy's fields).

    Returns
    -------
    values : dict
        The settings given, converted (times in minutes, each mode's missing values from
        the defaults, lists as tuples).
    problems : list of (str, str)
        Each problem as where (``key = value``) and what (the reason; the fix).
    """
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    bad: set[str] = set()
    fields = list(Policy.model_fields)
    for key, value in data.items():
        before = len(problems)
        if key not in Policy.model_fields:
            problems.append(
                (
                    f"{key} = {toml_value(value)}",
                    Message(
                        N_("is not a policy setting; {fix}"),
                        fix=_did_you_mean(
                            key, fields, Message(N_("the settings are listed in docs/policy.md"))
                        ),
                    ),
                )
            )
        elif key in _MODE_KEYS:
            values[key] = _per_mode(key, value, problems)
        elif key == "escort_mobilities":
            values[key] = _escort_mobilities(value, problems)
        elif key == "forbidden_successions":
            values[key] = _forbidden_successions(value, problems)
        elif key == "shortage_order":
            values[key] = _shortage_order(value, problems)
        elif key == "lang":
            values[key] = _lang(value, problems)
        else:
            values[key] = _scalar(key, value, problems)
        if len(problems) > before:
            bad.add(key)
    return values, problems + _between_fields(values, bad)


def policy_sentences(problems: list[tuple[str, str]], source: str) -> list[str]:
    """The problems of :func:`policy_values` as sentences naming ``source`` (a file name).

    Each is a :class:`~carecal.i18n.Message` (English as a ``str``), so that the command
    line says it in Chinese with ``--lang zh``; the file, the key and the value as the
    file writes them are put in as they are.
    """
    return [
        Message(N_("{source}: {setting}: {problem}"), source=source, setting=where, problem=what)
        for where, what in problems
    ]


def _same(a: Any, b: Any) -> bool:
    """Equal once lists and tuples count alike (a list the planners read as well as a tuple)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check_policy(policy: Any, source: str = "policy") -> Policy:
    """Validate a policy again, however it was made, and return it.

    A ``Policy`` changed with ``model_copy(update=...)`` skips pydantic's validation, and
    so its conversions (``"10:45"`` to minutes, a mode's missing values from the defaults);
    every planner and ``verify`` call this first, so no unchecked value reaches a solver.

    Parameters
    ----------
    policy
        A :class:`Policy`, or settings by name (missing ones take the defaults).
    source
        What the messages name: a file name such as ``policy.toml``, or ``policy``.

    Returns
    -------
    Policy
        ``policy`` itself when it is a valid ``Policy``; else the policy the settings make.

    Raises
    ------
    carecal.CommunityError
        One sentence per problem: ``source``, the key, its value and the fix, for example
        ``policy: max_food_minutes = -5: is below 1; write a whole number from 1 to 1440,
        for example max_food_minutes = 45``.
    """
    if isinstance(policy, Policy):
        # __dict__ rather than model_dump(): model_copy may have put anything there, and
        # serialising it could warn or fail before the checks say what is wrong.
        given = dict(policy.__dict__)
    elif isinstance(policy, Mapping):
        given = dict(policy)
    else:
        raise CommunityError(
            f"{source} is {_kind_of(policy)}, not a carecal.Policy; build one with "
            "carecal.Policy(...) or read a policy.toml with carecal.read_policy"
        )
    values, problems = policy_values(given)
    if problems:
        raise CommunityError(policy_sentences(problems, source))
    if not isinstance(policy, Policy):
        return Policy.model_validate(values)
    unconverted: list[tuple[str, str]] = [
        (
            f"{key} = {toml_value(given[key])}",
            Message(
                N_(
                    "was set with model_copy(update=...), which does not convert it to "
                    "{value} as the planners need; set it with community.with_policy({key}=...) "
                    "or Policy({key}=...) instead"
                ),
                value=toml_value(values[key]),
                key=key,
            ),
        )
        for key in values
        if not _same(given[key], values[key])
    ]
    if unconverted:
        raise CommunityError(policy_sentences(unconverted, source))
    return policy
