"""The meal-day benchmark set: its instances, their best-known plans, and how a plan scores.

Issue 19 measures carecal's meal planner on the days a centre really plans, not on the
literature: a binding hot-meal limit, several trips per carrier back through the kitchen,
handovers that depend on mobility and stairs. This module holds what every meal-day
benchmark run shares; the script is :mod:`benchmarks.mealdays`.

Instances
---------
Ten days, all on Monday 2026-12-07 (:data:`DATE`): about 60, 120, 220, 500 and 1,000
deliveries, each in two variants (:data:`RECIPES`).

- **ordinary**: a community from :func:`carecal.make_community` with a fixed seed (an
  old-town disc of 1.5 km around the kitchen, windows as the generator draws them: most
  residents take the policy's 11:00-12:30, three in ten a 45-75 minute window of their
  own), cut down to what a meal day reads: the first ``deliveries`` residents with a meal
  that date, the first ``carriers`` meal volunteers who pledged usable time that day (with
  all their availability rows), and the sites.
- **tight**: the same cut of another seed, then, with a random generator seeded from the
  recipe, three residents in four get a 30-minute window (opening 11:00 to 12:00, on the
  quarter hour) and one in twelve moves 2-3 km out from the kitchen (beyond a walker's
  reach within the 45-minute hot-meal limit at 3 km: 3.9 km of street at 4.5 km/h).

Each instance is stored as a community folder (:func:`carecal.write_community`) under
``benchmarks/mealdays/instances/<name>/`` with ``instance.json`` (the recipe, the counts
and the SHA-256 of the folder's files). Why stored rather than only regenerated: a
best-known plan means something only for the exact day it was found on, and
``make_community`` belongs to the library, free to change its draws or defaults; a stored
folder pins the day (and anyone can open it, or plan it with the CLI). Cut to the day, the
whole set is about 0.75 MB: a 1,000-delivery day is 1,000 residents, not the several
thousand of its community. The hash is of the files' bytes, not of the community model, so
a new field in the model does not orphan the set; a folder edited by hand is refused when
read, and each best-known plan names the hash of the day it was found on. The recipe
stays, so that ``--check-instances`` tells whether the generator still makes the same days
(drift: the regenerated and the stored community compared by
:func:`carecal.io.manifest.community_fingerprint`, both computed now).

Plans and scores
----------------
A plan is stored as compact JSON (:func:`plan_record`): every trip with its stops, the
unserved list with reason codes. :func:`measure` scores a plan independently of the
solver: served, carriers, trips, travel minutes (recomputed from the travel matrices,
every trip back to the kitchen), food age, and carecal's objective (missed-meal costs,
then the carriers' fixed cost, then travel minutes, then non-preferred carriers). A plan is
better than another when its objective is lower; the best-known plan of an instance is
kept in ``benchmarks/mealdays/best/<name>.json`` (:func:`offer`), with how it was found and
a log of every long run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import platform
import random
import statistics
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from carecal import Community, MealPlan, Resident, Status, Stop, Trip, Unserved, UnservedKind
from carecal.clock import TimeWindow

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "benchmarks" / "mealdays"
INSTANCES = HOME / "instances"
BEST = HOME / "best"

DATE = dt.date(2026, 12, 7)
"""The benchmark's date, a Monday (the day of the issue's measurement)."""

AS_OF = dt.date(2026, 11, 26)
"""The roster date ``make_community`` generates ages for; instances are read as of it."""

VARIANTS = ("ordinary", "tight")

# The tight variant: short windows for most, some residents far out.
SHORT_SHARE = 0.75
SHORT_MINUTES = 30
SHORT_OPENINGS = tuple(range(11 * 60, 12 * 60 + 1, 15))
FAR_SHARE = 1 / 12
FAR_KM = (2.0, 3.0)

# A carrier who can first leave after this cannot make any delivery of the day worth the
# name (windows close by 12:30 at the latest), so is not counted in an instance's fleet.
LAST_USEFUL_DEPARTURE = 12 * 60


@dataclass(frozen=True)
class Recipe:
    """How one instance is generated: its name, size, variant, seed and fleet."""

    name: str
    deliveries: int
    variant: str
    seed: int
    carriers: int


def _recipe(deliveries: int, variant: str, seed: int) -> Recipe:
    # Fleets with room to spare (about twice what an ordinary day's plan uses): the
    # benchmark is about how few carriers the planner needs, not about a fleet too small.
    share = 0.15 if variant == "ordinary" else 0.2
    carriers = max(8, round(share * deliveries))
    return Recipe(f"{deliveries}-{variant}", deliveries, variant, seed, carriers)


RECIPES: tuple[Recipe, ...] = (
    _recipe(60, "ordinary", 1901),
    _recipe(60, "tight", 1902),
    _recipe(120, "ordinary", 1903),
    _recipe(120, "tight", 1904),
    _recipe(220, "ordinary", 1905),
    _recipe(220, "tight", 1906),
    _recipe(500, "ordinary", 1907),
    _recipe(500, "tight", 1908),
    _recipe(1000, "ordinary", 1909),
    _recipe(1000, "tight", 1910),
)
"""The ten instances, smallest first."""

RECIPE_BY_NAME = {r.name: r for r in RECIPES}


@dataclass(frozen=True)
class Instance:
    """One benchmark day: its recipe, the community as read, and the hash of its files."""

    recipe: Recipe
    community: Community
    fingerprint: str

    @property
    def name(self) -> str:
        """The instance's name, e.g. ``"60-ordinary"``."""
        return self.recipe.name

    @property
    def date(self) -> dt.date:
        """The delivery date."""
        return DATE


class InstanceError(RuntimeError):
    """A stored instance is missing, or differs from what its ``instance.json`` says."""


# --- choosing instances ------------------------------------------------------------------


def select(only: str | None = None, up_to: int | None = None) -> list[Recipe]:
    """The recipes picked by ``--only`` and ``--up-to``, smallest first.

    Parameters
    ----------
    only
        Comma-separated names (``60-ordinary``), sizes (``60`` for both variants) or
        variants (``tight``); ``None`` for all.
    up_to
        Keep instances of at most this many deliveries.

    Raises
    ------
    ValueError
        Naming what matches no instance.
    """
    picked = list(RECIPES)
    if only:
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        unknown = [
            w for w in wanted if w not in RECIPE_BY_NAME and w not in VARIANTS and not _is_size(w)
        ]
        if unknown:
            names = ", ".join(RECIPE_BY_NAME)
            raise ValueError(f"no meal-day instance {', '.join(unknown)}; choose from {names}")
        picked = [
            r
            for r in picked
            if r.name in wanted or r.variant in wanted or str(r.deliveries) in wanted
        ]
    if up_to is not None:
        picked = [r for r in picked if r.deliveries <= up_to]
    return picked


def _is_size(word: str) -> bool:
    return word.isdigit() and any(str(r.deliveries) == word for r in RECIPES)


# --- generating ----------------------------------------------------------------------------


def generate(recipe: Recipe) -> Community:
    """The instance's community, generated afresh from its recipe (deterministic).

    Raises
    ------
    InstanceError
        When the seed gives too few deliveries or carriers that day (a recipe to fix).
    """
    from carecal.datasets import make_community
    from carecal.solver.meals import day_carriers

    # About 88 % of standing orders include a Monday (7 in 10 order every weekday, the
    # rest 2-4 of them); a margin makes sure the first ``deliveries`` exist.
    orders = math.ceil(recipe.deliveries / 0.8) + 5
    # Two in three carriers pledge usable time on a given weekday.
    volunteers = math.ceil(recipe.carriers / 0.55) + 2
    community = make_community(
        residents=2 * orders,
        volunteers=volunteers,
        seed=recipe.seed,
        meal_orders=orders,
        carriers=volunteers,
    )
    residents = community.deliveries_on(DATE)[: recipe.deliveries]
    fleet = [c for c in day_carriers(community, DATE) if c.leave_from <= LAST_USEFUL_DEPARTURE]
    fleet = fleet[: recipe.carriers]
    if len(residents) < recipe.deliveries or len(fleet) < recipe.carriers:
        raise InstanceError(
            f"{recipe.name}: seed {recipe.seed} gives {len(residents)} deliveries and "
            f"{len(fleet)} carriers on {DATE}, not {recipe.deliveries} and {recipe.carriers}; "
            "raise the generator's margins"
        )
    if recipe.variant == "tight":
        kitchen = community.kitchen
        residents = tighten(residents, (kitchen.lat, kitchen.lon), random.Random(recipe.seed))
    keep = {c.volunteer_id for c in fleet}
    return community.with_changes(
        residents=tuple(residents),
        volunteers=tuple(v for v in community.volunteers if v.volunteer_id in keep),
        availability=tuple(a for a in community.availability if a.volunteer_id in keep),
        shifts=(),
        requests=(),
        campaign=(),
    )


def tighten(
    residents: Sequence[Resident], kitchen: tuple[float, float], rng: random.Random
) -> list[Resident]:
    """Short windows for most residents and a few far out: the tight variant's day.

    Parameters
    ----------
    residents
        The day's residents, in roster order.
    kitchen
        Latitude and longitude of the kitchen (distances are measured from it).
    rng
        The random generator (seeded by the caller, so the day is reproducible).

    Returns
    -------
    list of Resident
        The residents, each with a probability of :data:`SHORT_SHARE` given a
        :data:`SHORT_MINUTES`-minute window opening at one of :data:`SHORT_OPENINGS`, and
        of :data:`FAR_SHARE` moved to :data:`FAR_KM` km from the kitchen.
    """
    out = []
    for resident in residents:
        # Both draws are made for every resident, so one choice does not shift the other.
        far = rng.random() < FAR_SHARE
        km = rng.uniform(*FAR_KM)
        angle = rng.uniform(0.0, 2 * math.pi)
        short = rng.random() < SHORT_SHARE
        opening = rng.choice(SHORT_OPENINGS)
        update: dict[str, Any] = {}
        if far:
            lat, lon = kitchen
            update["lat"] = round(lat + km * math.cos(angle) / 111.32, 6)
            update["lon"] = round(
                lon + km * math.sin(angle) / (111.32 * math.cos(math.radians(lat))), 6
            )
        if short:
            update["window"] = TimeWindow(opening, opening + SHORT_MINUTES)
        out.append(
            Resident.model_validate({**resident.model_dump(), **update}) if update else resident
        )
    return out


def fingerprint(community: Community) -> str:
    """The community's fingerprint, as plan folders record it (the data, not the bytes)."""
    from carecal.io.manifest import community_fingerprint

    return community_fingerprint(community)


def files_hash(folder: Path) -> str:
    """SHA-256 over the names and bytes of a folder's input tables, in name order."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def folder_of(name: str) -> Path:
    """The folder an instance is stored in."""
    return INSTANCES / name


def write_instance(recipe: Recipe) -> Instance:
    """Generate an instance and store it (community folder and ``instance.json``).

    Raises
    ------
    InstanceError
        When the folder reads back as a different community than the one generated.
    """
    from carecal.io import read_community, write_community

    community = generate(recipe)
    folder = folder_of(recipe.name)
    folder.mkdir(parents=True, exist_ok=True)
    write_community(community, folder)
    read = read_community(folder, as_of=AS_OF)
    if fingerprint(community) != fingerprint(read):
        raise InstanceError(f"{recipe.name}: the folder reads back as another community")
    stored = files_hash(folder)
    info = {
        "recipe": asdict(recipe),
        "date": DATE.isoformat(),
        "as_of": AS_OF.isoformat(),
        "deliveries": len(read.deliveries_on(DATE)),
        "carriers": len(read.volunteers),
        "fingerprint": stored,
        "generated_with": machine()["carecal"],
        "generated_on": dt.date.today().isoformat(),
    }
    _write_json(folder / "instance.json", info)
    return Instance(recipe, read, stored)


def read_instance(recipe: Recipe) -> Instance:
    """The stored instance, checked against its ``instance.json``.

    Raises
    ------
    InstanceError
        When the folder is missing, or its files are not the ones recorded.
    """
    from carecal.io import read_community

    folder = folder_of(recipe.name)
    info_path = folder / "instance.json"
    if not info_path.exists():
        raise InstanceError(
            f"{recipe.name} is not stored in {folder}; run "
            "python benchmarks/mealdays.py --make-instances"
        )
    info = json.loads(info_path.read_text(encoding="utf-8"))
    found = files_hash(folder)
    if found != info["fingerprint"]:
        raise InstanceError(
            f"{recipe.name}: the files in {folder} are not the ones recorded "
            f"({found[:19]} against {info['fingerprint'][:19]}); restore them with git, or "
            "regenerate the instance and drop its best-known plan"
        )
    return Instance(recipe, read_community(folder, as_of=AS_OF), found)


def check_instance(recipe: Recipe) -> str | None:
    """``None`` when the generator still makes the stored day, else what differs."""
    if not (folder_of(recipe.name) / "instance.json").exists():
        return "not stored"
    stored = fingerprint(read_instance(recipe).community)
    made = fingerprint(generate(recipe))
    if made != stored:
        return f"the generator now makes another day ({made[:19]}, stored {stored[:19]})"
    return None


# --- plans as JSON -----------------------------------------------------------------------------


def plan_record(plan: MealPlan) -> dict[str, Any]:
    """A meal plan as compact JSON: trips with their stops, and the unserved.

    Each stop is ``[resident_id, arrival, departure, food_minutes, travel_minutes]``.
    """
    return {
        "engine": plan.engine,
        "trips": [
            {
                "volunteer_id": t.volunteer_id,
                "trip": t.trip,
                "leave": t.leave,
                "back": t.back,
                "stops": [
                    [s.resident_id, s.arrival, s.departure, s.food_minutes, s.travel_minutes]
                    for s in t.stops
                ],
            }
            for t in plan.trips
        ],
        "unserved": [
            {"id": u.id, "code": u.code, "reason": u.reason, "fix": u.fix}
            for u in plan.unserved
            if u.kind == UnservedKind.MEAL
        ],
    }


def plan_from_record(record: dict[str, Any], community: Community, date: dt.date) -> MealPlan:
    """The meal plan a :func:`plan_record` holds (portions and diet from the community)."""
    residents = community.resident_by_id
    trips = []
    for t in record["trips"]:
        stops = []
        for rid, arrival, departure, food, travel in t["stops"]:
            resident = residents.get(rid)
            stops.append(
                Stop(
                    resident_id=rid,
                    arrival=arrival,
                    departure=departure,
                    portions=resident.portions if resident is not None else 1,
                    diet=resident.diet if resident is not None else (),
                    food_minutes=food,
                    travel_minutes=travel,
                )
            )
        trips.append(
            Trip(
                volunteer_id=t["volunteer_id"],
                trip=t["trip"],
                leave=t["leave"],
                back=t["back"],
                stops=tuple(stops),
            )
        )
    unserved = tuple(
        Unserved(
            kind=UnservedKind.MEAL,
            id=u["id"],
            date=date,
            code=u["code"],
            reason=u["reason"],
            fix=u["fix"],
        )
        for u in record["unserved"]
    )
    return MealPlan(
        status=Status.FEASIBLE,
        date=date,
        trips=tuple(trips),
        unserved=unserved,
        engine=record.get("engine", "ortools"),
    )


# --- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStats:
    """What the benchmark reports of a plan, computed from its trips and the community."""

    served: int
    unserved: int
    carriers: int
    trips: int
    travel: int
    objective: float
    food_median: float | None
    food_max: int | None


def measure(community: Community, date: dt.date, plan: MealPlan) -> PlanStats:
    """Score a plan independently of the planner that made it.

    Travel is recomputed with :func:`carecal.travel.travel_minutes` in each carrier's mode,
    from the kitchen through the stops and back; every delivery of the date that is on no
    trip counts as missed, whatever the unserved list says. The objective is carecal's:
    the day's missed-meal costs (:func:`carecal.solver.meals.problem.day_penalties`), the
    fixed cost of each carrier used, one per travel minute, and the non-preferred
    surcharge. (The instances have no history, so no familiar-carrier term applies.)
    """
    from carecal.solver.meals.problem import day_penalties
    from carecal.travel import travel_minutes

    policy = community.policy
    day = community.deliveries_on(date)
    ids = [community.kitchen.site_id] + [r.resident_id for r in day]
    index = {pid: i for i, pid in enumerate(ids)}
    matrices: dict[str, Any] = {}
    travel = 0
    carrier_of: dict[str, str] = {}
    for trip in plan.trips:
        mode = community.volunteer_by_id[trip.volunteer_id].mode
        if mode not in matrices:
            matrices[mode] = travel_minutes(community, ids, mode)
        matrix = matrices[mode]
        prev = 0
        for stop in trip.stops:
            node = index[stop.resident_id]
            travel += int(matrix[prev, node])
            prev = node
            carrier_of[stop.resident_id] = trip.volunteer_id
        if trip.stops:
            travel += int(matrix[prev, 0])
    missed = [r for r in day if r.resident_id not in carrier_of]
    costs = day_penalties(community, date, day)
    carriers = len({t.volunteer_id for t in plan.trips if t.stops})
    non_preferred = sum(
        1
        for r in day
        if r.preferred_volunteers
        and r.resident_id in carrier_of
        and carrier_of[r.resident_id] not in r.preferred_volunteers
    )
    food = [s.food_minutes for t in plan.trips for s in t.stops]
    objective = (
        sum(cost for r, cost in zip(day, costs, strict=True) if r.resident_id not in carrier_of)
        + policy.carrier_fixed_cost * carriers
        + travel
        + policy.non_preferred_cost * non_preferred
    )
    return PlanStats(
        served=len(carrier_of),
        unserved=len(missed),
        carriers=carriers,
        trips=sum(1 for t in plan.trips if t.stops),
        travel=travel,
        objective=float(objective),
        food_median=float(statistics.median(food)) if food else None,
        food_max=max(food) if food else None,
    )


def violations_of(community: Community, plan: MealPlan) -> list[str]:
    """What :func:`carecal.verify` finds wrong with the plan, as sentences."""
    from carecal import verify

    return [str(v) for v in verify(community, plan)]


# --- the best-known plans ------------------------------------------------------------------------


@dataclass(frozen=True)
class BestKnown:
    """An instance's best-known plan, its score, how it was found, and the long runs so far."""

    plan: MealPlan
    stats: PlanStats
    found: dict[str, Any]
    runs: list[dict[str, Any]]
    violations: list[str]


def best_path(name: str) -> Path:
    """The file of an instance's best-known plan."""
    return BEST / f"{name}.json"


def load_best(instance: Instance) -> BestKnown | None:
    """The instance's best-known plan, re-scored and re-verified; ``None`` if there is none.

    A stored plan that the verifier now rejects (the rules changed since) is returned with
    its violations, so the caller can say so rather than compare against it silently.
    """
    path = best_path(instance.name)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["fingerprint"] != instance.fingerprint:
        raise InstanceError(
            f"{path} was found on another version of {instance.name} "
            f"({data['fingerprint'][:19]}); remove it or restore the instance"
        )
    plan = plan_from_record(data["plan"], instance.community, instance.date)
    return BestKnown(
        plan=plan,
        stats=measure(instance.community, instance.date, plan),
        found=data["found"],
        runs=data.get("runs", []),
        violations=violations_of(instance.community, plan),
    )


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    # Two runs may finish at once (a long run and a comparison run): one updates at a time.
    BEST.mkdir(parents=True, exist_ok=True)
    with (BEST / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def offer(
    instance: Instance,
    plan: MealPlan,
    how: dict[str, Any],
    *,
    log_run: bool = True,
) -> tuple[bool, PlanStats, list[str]]:
    """Keep ``plan`` as the instance's best known if it is valid and better.

    Parameters
    ----------
    instance
        The instance the plan was made for.
    plan
        The plan, from any run.
    how
        How it was found (strategy, seed, seconds, CPU seconds, machine, versions, ...);
        stored with the plan when it becomes the best.
    log_run
        Also append the run's summary to the file's log of runs (long runs do; a
        comparison run logs only when it improves the best).

    Returns
    -------
    tuple
        Whether it became the best known, its score, and the verifier's findings (a plan
        with any is never kept).
    """
    stats = measure(instance.community, instance.date, plan)
    problems = violations_of(instance.community, plan)
    with _locked():
        path = best_path(instance.name)
        current = load_best(instance)
        better = not problems and (
            current is None
            or bool(current.violations)
            or stats.objective < current.stats.objective - 1e-9
        )
        if not better and not log_run:
            return False, stats, problems
        runs = list(current.runs) if current is not None else []
        runs.append(
            {
                **how,
                **{k: v for k, v in asdict(stats).items() if k != "food_median"},
                "violations": len(problems),
                "improved": better,
            }
        )
        if better:
            found, best_plan, best_stats = how, plan, stats
        else:
            assert current is not None
            found, best_plan, best_stats = current.found, current.plan, current.stats
        _write_json(
            path,
            {
                "instance": instance.name,
                "date": instance.date.isoformat(),
                "fingerprint": instance.fingerprint,
                "served": best_stats.served,
                "carriers": best_stats.carriers,
                "travel_minutes": best_stats.travel,
                "objective": best_stats.objective,
                "food_median": best_stats.food_median,
                "food_max": best_stats.food_max,
                "found": found,
                "plan": plan_record(best_plan),
                "runs": runs,
            },
        )
    return better, stats, problems


def _write_json(path: Path, data: dict[str, Any]) -> None:
    # Written aside and renamed, so an interrupted run never leaves half a file.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --- the machine ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """The machine, the versions and the carecal checkout a run measures."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    import carecal

    commit = "-"
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # A run on uncommitted solver changes says so.
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "carecal"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if dirty:
            commit += "+changes"
    return {
        "host": platform.node(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "carecal": f"{carecal.__version__} ({commit})",
        "ortools": version("ortools"),
        "pyvrp": version("pyvrp"),
        "numpy": version("numpy"),
    }
