"""The bundled sample community and a seeded generator of realistic ones.

:func:`make_community` builds a community modelled on a dense old-town neighbourhood: a
service centre with its kitchen, a clinic a short walk away, residents aged 60+ within
``radius_km`` of the centre, and volunteers with mixed skills, modes and pledged hours.
The same seed always gives the same community. :func:`sample_community` is the one that
``carecal demo`` plans; its CSV files ship inside the package (:func:`sample_folder`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from importlib import resources
from pathlib import Path

from carecal.clock import WEEKDAYS
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    Mobility,
    Request,
    Resident,
    Role,
    ShiftTemplate,
    Site,
    SiteKind,
    Skill,
    Volunteer,
)
from carecal.policy import Policy

CENTRE = (31.2272, 121.4920)
"""Where the generated service centre stands (an old-town street grid)."""

SAMPLE_SEED = 2026
SAMPLE_AS_OF = dt.date(2026, 11, 26)
SAMPLE_CAMPAIGN_START = dt.date(2027, 3, 1)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
_GIVEN = "秀英桂兰玉珍凤芳淑华金梅建国明德文伟志强永福春林宝根海荣美丽慧敏家和红霞国平顺发月娥素琴"
_STREETS = ("方浜中路", "河南南路", "光启路", "丹凤路", "梦花街", "西仓桥街", "蓬莱路", "复兴东路")
_DIETS = ("diabetic", "soft", "low_salt", "vegetarian", "halal", "no_spicy")
_SHIFT_HOURS = (
    (9 * 60, 13 * 60),
    (10 * 60, 13 * 60 + 30),
    (10 * 60 + 30, 13 * 60),
    (8 * 60, 12 * 60),
    (13 * 60, 17 * 60),
    (9 * 60, 17 * 60),
)


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(_SURNAMES) + given


def _offset(
    rng: random.Random, centre: tuple[float, float], radius_km: float
) -> tuple[float, float]:
    # Uniform over a disc: sqrt on the radius keeps the density even.
    r = radius_km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    dlat = r * math.cos(angle) / 111.32
    dlon = r * math.sin(angle) / (111.32 * math.cos(math.radians(centre[0])))
    return round(centre[0] + dlat, 6), round(centre[1] + dlon, 6)


def _age(rng: random.Random) -> int:
    # Old-town rosters skew old: many in their 60s and 70s, a thin tail past 90.
    while True:
        age = 60 + int(rng.expovariate(1 / 10.0))
        if age <= 102:
            return age


def _mobility(rng: random.Random, age: int) -> Mobility:
    x = rng.random() + max(0, age - 80) * 0.01
    if x > 1.0:
        return Mobility.BEDRIDDEN if rng.random() < 0.3 else Mobility.WHEELCHAIR
    if x > 0.955:
        return Mobility.WHEELCHAIR
    if x > 0.91:
        return Mobility.WALKER
    if x > 0.875:
        return Mobility.BEDRIDDEN
    return Mobility.INDEPENDENT


def _resident(
    rng: random.Random,
    index: int,
    as_of: dt.date,
    centre: tuple[float, float],
    radius_km: float,
    orders: bool,
    due_share: float,
) -> Resident:
    age = _age(rng)
    mobility = _mobility(rng, age)
    lat, lon = _offset(rng, centre, radius_km)
    floor = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 7))
    window = None
    if orders and rng.random() < 0.3:
        start = rng.choice((11 * 60, 11 * 60 + 15, 11 * 60 + 30))
        window = (start, start + rng.choice((45, 60, 75)))
    meal_days: frozenset[str] = frozenset()
    if orders:
        weekdays = WEEKDAYS[:5]
        meal_days = (
            frozenset(weekdays)
            if rng.random() < 0.7
            else frozenset(rng.sample(weekdays, rng.randint(2, 4)))
        )
    if rng.random() < due_share:
        last_check = None if rng.random() < 0.3 else as_of - dt.timedelta(rng.randint(366, 900))
    else:
        last_check = as_of - dt.timedelta(rng.randint(30, 300))
    birth_year = as_of.year - age
    birth = dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    if birth > dt.date(birth_year, as_of.month, min(as_of.day, 28)):
        birth = dt.date(birth_year - 1, birth.month, birth.day)
    return Resident(
        resident_id=f"R{index:04d}",
        name=_name(rng),
        birth_date=birth,
        lat=lat,
        lon=lon,
        address=f"{rng.choice(_STREETS)}{rng.randint(1, 400)}弄{rng.randint(1, 40)}号",
        floor=floor,
        has_lift=floor >= 5 and rng.random() < 0.5,
        mobility=mobility,
        lives_alone=rng.random() < 0.3,
        meal_days=meal_days,
        portions=2 if orders and rng.random() < 0.15 else 1,
        diet=tuple(sorted(rng.sample(_DIETS, rng.choice((0, 0, 1, 1, 2))))) if orders else (),
        window=window,
        last_check=last_check,
        owns_wheelchair=None if mobility != Mobility.WHEELCHAIR else rng.random() < 0.6,
    )


def _volunteer(
    rng: random.Random,
    index: int,
    centre: tuple[float, float],
    radius_km: float,
    skills: set[Skill],
) -> Volunteer:
    mode = rng.choices(("walk", "bike", "ebike", "car"), weights=(4, 2, 3, 1))[0]
    if mode == "car":
        skills = skills | {Skill.DRIVER}
    if rng.random() < 0.2:
        skills = skills | {Skill.FIRST_AID}
    lat, lon = _offset(rng, centre, radius_km * 1.3)
    return Volunteer(
        volunteer_id=f"V{index:03d}",
        name=_name(rng),
        lat=lat,
        lon=lon,
        mode=mode,
        skills=frozenset(skills),
        max_shifts_per_week=rng.choice((None, 2, 3, 4, 5)),
        max_hours_per_week=rng.choice((None, None, 12.0, 16.0, 20.0)),
    )


def _availability(rng: random.Random, volunteer: Volunteer) -> list[Availability]:
    rows = []
    days = rng.sample(WEEKDAYS[:5], rng.randint(2, 5))
    if rng.random() < 0.2:
        days.append(rng.choice(WEEKDAYS[5:]))
    for day in sorted(days, key=WEEKDAYS.index):
        if volunteer.has(Skill.MEALS) and rng.random() < 0.8:
            start, end = rng.choice(_SHIFT_HOURS[:3])
        else:
            start, end = rng.choice(_SHIFT_HOURS)
        rows.append(
            Availability(volunteer_id=volunteer.volunteer_id, day=day, start=start, end=end)
        )
    return rows


def _shifts(campaign_dates: list[dt.date]) -> list[ShiftTemplate]:
    shifts = []
    for day in WEEKDAYS[:5]:
        shifts.append(
            ShiftTemplate(
                shift_id=f"MEAL-{day}",
                role=Role.MEALS,
                day=day,
                start=10 * 60 + 30,
                end=13 * 60,
                min_volunteers=None,
                max_volunteers=None,
            )
        )
        shifts.append(
            ShiftTemplate(
                shift_id=f"CTR-AM-{day}",
                role=Role.CENTRE,
                day=day,
                start=9 * 60,
                end=12 * 60,
                min_volunteers=2,
                max_volunteers=3,
            )
        )
        shifts.append(
            ShiftTemplate(
                shift_id=f"CTR-PM-{day}",
                role=Role.CENTRE,
                day=day,
                start=13 * 60 + 30,
                end=17 * 60,
                min_volunteers=1,
                max_volunteers=2,
            )
        )
    for date in campaign_dates:
        shifts.append(
            ShiftTemplate(
                shift_id=f"ESC-{date:%m%d}",
                role=Role.ESCORT,
                date=date,
                start=8 * 60,
                end=12 * 60,
                min_volunteers=None,
                max_volunteers=None,
            )
        )
    return shifts


def make_community(
    residents: int = 300,
    volunteers: int = 40,
    seed: int = 0,
    *,
    meal_orders: int | None = None,
    carriers: int | None = None,
    escorts: int | None = None,
    due_share: float = 0.45,
    radius_km: float = 1.5,
    campaign_start: dt.date = SAMPLE_CAMPAIGN_START,
    campaign_days: int = 3,
    wheelchairs: int = 4,
    places_per_slot: int = 4,
    as_of: dt.date = SAMPLE_AS_OF,
    centre: tuple[float, float] = CENTRE,
    policy: Policy | None = None,
) -> Community:
    """Generate a realistic community from a seed.

    Parameters
    ----------
    residents, volunteers
        How many of each.
    seed
        The same seed gives the same community.
    meal_orders
        How many residents have a standing meal order (default: about one in eight, more
        among those who live alone or cannot get about).
    carriers, escorts
        How many volunteers have the ``meals`` and ``escort`` skills (default: about 60 % and
        35 %; a volunteer may have both).
    due_share
        Share of residents due a health check (no check in the last 365 days).
    radius_km
        Residents live within this distance of the centre.
    campaign_start, campaign_days
        The health-check campaign: this many weekdays from ``campaign_start``.
    wheelchairs
        The centre's wheelchair pool.
    places_per_slot
        Places per 15-minute clinic slot.
    as_of
        The date the roster describes (ages and last checks are relative to it).
    centre
        Latitude and longitude of the service centre.
    policy
        The policy (default: :class:`carecal.policy.Policy`).

    Returns
    -------
    Community
        Validated, with residents, volunteers, availability, sites, shifts, requests and a
        campaign.
    """
    rng = random.Random(seed)
    if meal_orders is None:
        meal_orders = max(1, round(residents / 8))
    meal_orders = min(meal_orders, residents)
    ordering = set(rng.sample(range(residents), meal_orders))
    people = [
        _resident(rng, i + 1, as_of, centre, radius_km, i in ordering, due_share)
        for i in range(residents)
    ]

    n_carriers = round(volunteers * 0.6) if carriers is None else carriers
    n_escorts = round(volunteers * 0.35) if escorts is None else escorts
    order = list(range(volunteers))
    rng.shuffle(order)
    carrier_set = set(order[:n_carriers])
    # Escorts are drawn from the end of the shuffled list so the two skills overlap only
    # when they must.
    escort_set = set(order[::-1][:n_escorts])
    staff = []
    for i in range(volunteers):
        skills: set[Skill] = set()
        if i in carrier_set:
            skills.add(Skill.MEALS)
        if i in escort_set:
            skills.add(Skill.ESCORT)
        if not skills or rng.random() < 0.4:
            skills.add(Skill.CENTRE)
        staff.append(_volunteer(rng, i + 1, centre, radius_km, skills))
    availability = [row for v in staff for row in _availability(rng, v)]

    dates = _weekdays_from(campaign_start, campaign_days)
    for v in staff:
        if v.has(Skill.ESCORT):
            for date in dates:
                if rng.random() < 0.6:
                    start = rng.choice((7 * 60 + 30, 8 * 60, 8 * 60 + 30))
                    availability.append(
                        Availability(
                            volunteer_id=v.volunteer_id, date=date, start=start, end=12 * 60 + 30
                        )
                    )

    clinic_lat, clinic_lon = _offset(rng, centre, 0.8)
    sites = [
        Site(
            site_id="K1",
            kind=SiteKind.KITCHEN,
            name="长者食堂",
            lat=centre[0],
            lon=centre[1],
            open=7 * 60,
            close=19 * 60,
            wheelchairs=0,
        ),
        Site(
            site_id="C1",
            kind=SiteKind.CENTRE,
            name="社区养老服务中心",
            lat=centre[0],
            lon=centre[1],
            open=8 * 60,
            close=18 * 60,
            wheelchairs=wheelchairs,
        ),
        Site(
            site_id="H1",
            kind=SiteKind.CLINIC,
            name="社区卫生服务中心",
            lat=clinic_lat,
            lon=clinic_lon,
            open=8 * 60,
            close=11 * 60 + 30,
            slot_minutes=15,
            places_per_slot=places_per_slot,
            check_minutes=20,
        ),
    ]
    shifts = _shifts(dates)
    requests = []
    for v in rng.sample(staff, min(len(staff), max(1, volunteers // 8))):
        requests.append(
            Request(
                volunteer_id=v.volunteer_id,
                day=rng.choice(WEEKDAYS[:5]),
                want=rng.random() < 0.5,
                weight=rng.choice((1, 2, 3)),
            )
        )
    return Community(
        residents=tuple(people),
        volunteers=tuple(staff),
        availability=tuple(availability),
        sites=tuple(sites),
        shifts=tuple(shifts),
        requests=tuple(requests),
        campaign=tuple(CampaignDay(date=d, clinic_id="H1") for d in dates),
        policy=policy or Policy(),
    )


def _weekdays_from(start: dt.date, count: int) -> list[dt.date]:
    dates: list[dt.date] = []
    day = start
    while len(dates) < count:
        if day.weekday() < 5:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


def sample_folder() -> Path:
    """The folder of CSV files of the bundled sample community (inside the package)."""
    return Path(str(resources.files("carecal") / "data" / "sample"))


def sample_community() -> Community:
    """The bundled sample community, read from its CSV files as a coordinator's would be."""
    from carecal.io import read_community

    return read_community(sample_folder(), as_of=SAMPLE_AS_OF)


def make_sample_community() -> Community:
    """Generate the sample community afresh (what the bundled CSV files were written from)."""
    return make_community(
        residents=320,
        volunteers=36,
        seed=SAMPLE_SEED,
        meal_orders=40,
        escorts=12,
        places_per_slot=5,
    )
