"""The centre's tunable rules, with the defaults of DESIGN section 4.

Every field can be overridden in ``policy.toml`` (top-level keys with the same names;
times as ``"HH:MM"``). ``Policy()`` is the default policy.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from carecal.clock import parse_time

MODES: tuple[str, ...] = ("walk", "bike", "ebike", "car")
"""Travel modes of a volunteer (``mode`` in ``volunteers.csv``)."""


def _time_field(value: Any) -> Any:
    if isinstance(value, str):
        return parse_time(value)
    return value


class Policy(BaseModel):
    """Tunable care rules. All times are minutes since midnight, all durations minutes.

    Attributes are grouped by planner: meals, health checks, shifts. The README lists
    every one with its default.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- meals ---------------------------------------------------------------------
    default_window_start: int = Field(
        11 * 60, description="delivery window opens (no window given)"
    )
    default_window_end: int = Field(12 * 60 + 30, description="delivery window closes")
    meals_ready: int = Field(10 * 60 + 45, description="meals ready to leave the kitchen")
    max_food_minutes: int = Field(45, ge=1, description="hot-meal limit, kitchen to door")
    handover_minutes: int = Field(2, ge=0, description="handover at the door")
    bedridden_extra_minutes: int = Field(3, ge=0, description="extra handover, bedridden")
    floor_minutes_without_lift: int = Field(
        1, ge=0, description="extra handover per floor above the first without a lift"
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
    detour_factor: float = Field(1.3, gt=0, description="street distance / great-circle distance")
    max_trips_per_day: int = Field(3, ge=1, description="trips per carrier per day")
    missed_meal_penalty: int = Field(10_000, ge=1, description="cost of one missed delivery")
    missed_meal_vulnerable_factor: float = Field(
        2.0, ge=1, description="missed-delivery cost factor per vulnerability"
    )
    carrier_fixed_cost: int = Field(120, ge=0, description="cost of calling one more carrier")
    non_preferred_cost: int = Field(
        10, ge=0, description="cost of a delivery by a carrier the resident did not prefer"
    )

    # --- health checks ---------------------------------------------------------------
    check_due_days: int = Field(365, ge=1, description="due when no check in this many days")
    escort_age: int = Field(85, ge=60, description="residents this old or older need an escort")
    escort_mobilities: tuple[str, ...] = Field(
        ("walker", "wheelchair"), description="mobilities that need an escort"
    )
    escort_handling_minutes: int = Field(
        5, ge=0, description="getting the resident in or out of the home, at each end"
    )
    max_escort_jobs_per_day: int = Field(3, ge=1, description="escort jobs per volunteer per day")

    # --- shifts ----------------------------------------------------------------------
    max_shifts_per_week: int = Field(3, ge=0, description="default when a volunteer gives none")
    max_consecutive_days: int = Field(5, ge=1, description="consecutive working days")
    min_rest_hours: float = Field(8.0, ge=0, description="rest between shifts on different days")
    forbidden_successions: tuple[tuple[str, str], ...] = Field(
        (), description="(shift_id, shift_id) pairs that may not follow on the next day"
    )
    max_weekends: int | None = Field(
        None, ge=0, description="most working weekends per volunteer in the period"
    )
    weight_under_cover: int = Field(100, ge=0, description="per place short of the minimum")
    weight_over_cover: int = Field(1, ge=0, description="per volunteer above the wanted maximum")
    weight_request: int = Field(10, ge=0, description="per unit of request weight not honoured")
    weight_weekend: int = Field(30, ge=0, description="per working weekend above the maximum")
    weight_fairness: int = Field(5, ge=0, description="per shift away from a fair share")
    weight_stability: int = Field(1, ge=0, description="per change of weekday pattern")

    @field_validator("default_window_start", "default_window_end", "meals_ready", mode="before")
    @classmethod
    def _parse_times(cls, value: Any) -> Any:
        return _time_field(value)

    @field_validator("capacity", "speed_kmh", mode="before")
    @classmethod
    def _merge_mode_defaults(cls, value: Any, info: Any) -> Any:
        # A policy.toml that changes one mode keeps the defaults of the others.
        if isinstance(value, dict):
            default = cls.model_fields[info.field_name].get_default(call_default_factory=True)
            return {**default, **value}
        return value

    def needs_escort_mobility(self, mobility: str) -> bool:
        """Whether a mobility on its own calls for an escort to the clinic."""
        return mobility in self.escort_mobilities


def check_policy(policy: Policy, source: str = "policy") -> Policy:
    """Validate a policy again, however it was made, and return it.

    A ``Policy`` edited with ``model_copy(update=...)`` skips pydantic's validation; every
    planner and ``verify`` call this first, so no unchecked value reaches a solver.

    Raises
    ------
    carecal.CommunityError
        Listing every invalid field with its value and the fix.
    """
    from pydantic import ValidationError

    from carecal.errors import CommunityError

    try:
        return Policy.model_validate(policy.model_dump())
    except ValidationError as e:
        problems = []
        for err in e.errors():
            where = ".".join(str(part) for part in err["loc"]) or "policy"
            problems.append(f"{source} {where} = {err.get('input')!r}: {err['msg']}")
        raise CommunityError(problems) from None
