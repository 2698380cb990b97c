"""The column specs of every input and output table (DESIGN sections 4 and 5).

One place describes each column: its name, whether it is required, what kind of value it
holds, its default and a one-line description. The table readers (:mod:`carecal.io.tables`),
the writers (:mod:`carecal.io.community_folder`, :mod:`carecal.io.plan_folder`) and the
README (through :func:`tables_markdown`) all take their column lists from here, so they
cannot drift apart.

This module is long (about 1,150 lines) because it is declarations: one column spec per
column of every input and output table, with its Chinese aliases; the logic that reads
them is elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from carecal.clock import WEEKDAYS
from carecal.errors import OptionError
from carecal.i18n import N_
from carecal.model import ChangeKind, Mobility, Role, SiteKind, Skill
from carecal.plans import CALL_ROLES, CHECK_OUTCOMES, MEAL_OUTCOMES, UnservedKind, Wheelchair
from carecal.policy import MODES
from carecal.travel import TRAVEL_MODES


class Kind(StrEnum):
    """What a cell holds, and so how it is parsed and written."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    TIME = "time"
    """``HH:MM``, 24 h."""
    DATE = "date"
    """``YYYY-MM-DD``."""
    DAY = "day"
    """A weekday (``Mon``..``Sun``) or a date (``YYYY-MM-DD``)."""
    LIST = "list"
    """``;``-separated items (``allowed`` restricts them when given)."""
    ENUM = "enum"
    """One of ``allowed`` (case and stray spaces do not matter)."""
    MOMENT = "moment"
    """A date (``YYYY-MM-DD``) or a date and time (``YYYY-MM-DD HH:MM``), naive local."""


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    name
        The header, exactly as in the file (lower case).
    kind
        How the cell is parsed.
    required
        Whether the column must be present. A present column may still allow empty cells
        when ``default`` says what an empty cell means.
    default
        What an empty cell (or a missing optional column) means, in words; ``""`` when an
        empty cell is not allowed or means nothing.
    description
        One line for the README. A required input column's is marked for the catalog
        (``N_(...)``): a missing column's problem quotes it, in the reader's language.
    allowed
        The values of an ``enum`` column, or of the items of a ``list`` column.
    aliases
        Other headers that name this column (input tables: the Chinese headers a centre
        writes, such as ``出生日期`` for ``birth_date``); the readers take them as the name.
    words
        Other words for the ``allowed`` values, as ``(word, value)`` pairs (``("轮椅",
        "wheelchair")``); the readers take a word as its value.
    """

    name: str
    kind: Kind
    required: bool
    default: str
    description: str
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    words: tuple[tuple[str, str], ...] = ()

    def value_of(self, word: str) -> str | None:
        """The allowed value that ``word`` (already lower case) stands for, if any."""
        if word in self.allowed:
            return word
        return next((value for w, value in self.words if w == word), None)


@dataclass(frozen=True)
class Table:
    """One input or output table: a CSV file in a folder, or a sheet of a workbook.

    Attributes
    ----------
    name
        The table name, which is also the sheet name in an ``.xlsx`` (``residents``).
    required
        Whether the file must be present (input tables only).
    description
        One line for the README.
    columns
        The columns, in the order carecal writes them.
    id_column
        The column that names the entity of a row (used in error messages), if any.
    entity
        The word for that entity (``resident``, ``volunteer``…).
    """

    name: str
    required: bool
    description: str
    columns: tuple[Column, ...]
    id_column: str | None = None
    entity: str = ""

    @property
    def file(self) -> str:
        """The CSV file name, ``<name>.csv``."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``.

        Raises
        ------
        OptionError
            When the table has no such column.
        """
        for c in self.columns:
            if c.name == name:
                return c
        raise OptionError(
            f"{self.file} has no column {name}; its columns are {', '.join(self.column_names)}"
        )


def _c(
    name: str,
    kind: Kind,
    description: str,
    *,
    required: bool = False,
    default: str = "",
    allowed: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    words: dict[str, str] | None = None,
) -> Column:
    return Column(
        name, kind, required, default, description, allowed, aliases, tuple((words or {}).items())
    )


_T, _I, _F, _B = Kind.TEXT, Kind.INT, Kind.FLOAT, Kind.BOOL
_TIME, _DATE, _DAY, _LIST, _ENUM = Kind.TIME, Kind.DATE, Kind.DAY, Kind.LIST, Kind.ENUM
_MOMENT = Kind.MOMENT

MOBILITIES: tuple[str, ...] = tuple(m.value for m in Mobility)
SKILLS: tuple[str, ...] = tuple(s.value for s in Skill)
SITE_KINDS: tuple[str, ...] = tuple(k.value for k in SiteKind)
ROLES: tuple[str, ...] = tuple(r.value for r in Role)
TRAVEL_CSV_MODES: tuple[str, ...] = (*TRAVEL_MODES, "any")
"""Values of ``mode`` in ``travel.csv``; ``any`` (or an empty cell) means every mode."""

# The Chinese words a centre writes for the values of the enumerations (and the items of
# `skills`), word -> value. The one place they are declared: the readers take them from the
# columns (Column.words) and docs/tables.md lists them (values_markdown).
MOBILITY_WORDS: dict[str, str] = {
    "自理": "independent",
    "能自理": "independent",
    "独立": "independent",
    "助行器": "walker",
    "助行": "walker",
    "轮椅": "wheelchair",
    "卧床": "bedridden",
}
MODE_WORDS: dict[str, str] = {
    "步行": "walk",
    "走路": "walk",
    "自行车": "bike",
    "单车": "bike",
    "电动车": "ebike",
    "电瓶车": "ebike",
    "电动自行车": "ebike",
    "汽车": "car",
    "开车": "car",
    "私家车": "car",
}
TRAVEL_MODE_WORDS: dict[str, str] = {**MODE_WORDS, "轮椅": "wheelchair", "任意": "any"}
SKILL_WORDS: dict[str, str] = {
    "送餐": "meals",
    "陪诊": "escort",
    "护送": "escort",
    "司机": "driver",
    "驾驶": "driver",
    "急救": "first_aid",
    "中心": "centre",
    "中心值班": "centre",
}
SITE_KIND_WORDS: dict[str, str] = {
    "厨房": "kitchen",
    "食堂": "kitchen",
    "长者食堂": "kitchen",
    "诊所": "clinic",
    "医院": "clinic",
    "社区卫生服务中心": "clinic",
    "卫生服务中心": "clinic",
    "中心": "centre",
    "养老服务中心": "centre",
    "社区养老服务中心": "centre",
}
ROLE_WORDS: dict[str, str] = {
    "送餐": "meals",
    "陪诊": "escort",
    "护送": "escort",
    "中心": "centre",
    "中心值班": "centre",
}
CHANGE_KINDS: tuple[str, ...] = tuple(k.value for k in ChangeKind)
CHANGE_KIND_WORDS: dict[str, str] = {
    "外出": "resident_away",
    "住院": "resident_away",
    "暂停送餐": "resident_away",
    "请假": "volunteer_off",
    "志愿者请假": "volunteer_off",
    "加餐": "extra_meal",
    "临时送餐": "extra_meal",
    "停诊": "clinic_closed",
    "诊所关闭": "clinic_closed",
}
AUTO_WORDS: tuple[str, ...] = ("auto", "自动")
"""How ``min_volunteers`` of shifts.csv says "derive it from the plans"."""

RESIDENTS = Table(
    "residents",
    True,
    "the roster: one row per resident aged 60 or over",
    (
        _c(
            "resident_id",
            _T,
            N_("unique id of the resident"),
            required=True,
            aliases=("居民编号", "编号", "老人编号"),
        ),
        _c(
            "name",
            _T,
            N_("name, as the carrier and escort should say it"),
            required=True,
            aliases=("姓名",),
        ),
        _c(
            "birth_date",
            _DATE,
            "date of birth; give this column or `age` (60 or over)",
            aliases=("出生日期", "生日"),
        ),
        _c(
            "age",
            _I,
            "age in years, when no birth_date is known (60 or over)",
            aliases=("年龄",),
        ),
        _c(
            "lat",
            _F,
            N_("latitude of the home, WGS84 degrees (-90..90)"),
            required=True,
            aliases=("纬度",),
        ),
        _c(
            "lon",
            _F,
            N_("longitude of the home, WGS84 degrees (-180..180)"),
            required=True,
            aliases=("经度",),
        ),
        _c("address", _T, "street address, printed on route sheets", aliases=("地址", "住址")),
        _c("floor", _I, "floor of the flat (1 = ground floor)", default="1", aliases=("楼层",)),
        _c(
            "has_lift",
            _B,
            "whether the building has a lift",
            default="false",
            aliases=("有电梯", "电梯"),
        ),
        _c(
            "mobility",
            _ENUM,
            N_("how the resident gets about"),
            required=True,
            allowed=MOBILITIES,
            aliases=("行动能力",),
            words=MOBILITY_WORDS,
        ),
        _c(
            "lives_alone",
            _B,
            "whether the resident lives alone",
            default="false",
            aliases=("独居",),
        ),
        _c(
            "meal_days",
            _LIST,
            "weekdays of the standing meal order, e.g. `Mon;Wed;Fri`",
            default="no meals",
            allowed=WEEKDAYS,
            aliases=("送餐日",),
        ),
        _c("portions", _I, "portions per delivery", default="1", aliases=("份数",)),
        _c(
            "diet",
            _LIST,
            "diet tags printed for the carrier, e.g. `diabetic;soft`",
            aliases=("饮食",),
        ),
        _c(
            "window_start",
            _TIME,
            "delivery window opens",
            default="policy (11:00)",
            aliases=("送餐开始",),
        ),
        _c(
            "window_end",
            _TIME,
            "delivery window closes",
            default="policy (12:30)",
            aliases=("送餐结束",),
        ),
        _c(
            "last_check",
            _DATE,
            "date of the last health check",
            default="never",
            aliases=("上次体检",),
        ),
        _c(
            "owns_wheelchair",
            _B,
            "whether the resident has a wheelchair of their own",
            default="yes if mobility is wheelchair",
            aliases=("自有轮椅",),
        ),
        _c(
            "preferred_volunteers",
            _LIST,
            "volunteer ids the resident would like to see",
            aliases=("偏好志愿者",),
        ),
        _c(
            "meals_from",
            _DATE,
            "first date of the standing meal order (a new resident's meals start)",
            default="no start date",
            aliases=("送餐起始日", "开始送餐"),
        ),
        _c(
            "meals_until",
            _DATE,
            "last date of the standing meal order (included)",
            default="no end date",
            aliases=("送餐截止日", "停止送餐"),
        ),
        _c("phone", _T, "phone number, printed on the route sheets", aliases=("电话",)),
    ),
    "resident_id",
    "resident",
)

VOLUNTEERS = Table(
    "volunteers",
    True,
    "one row per volunteer",
    (
        _c(
            "volunteer_id",
            _T,
            N_("unique id of the volunteer"),
            required=True,
            aliases=("志愿者编号", "编号"),
        ),
        _c("name", _T, N_("name"), required=True, aliases=("姓名",)),
        _c("lat", _F, "latitude of the home (optional)", aliases=("纬度",)),
        _c("lon", _F, "longitude of the home (optional)", aliases=("经度",)),
        _c(
            "mode",
            _ENUM,
            N_("how the volunteer travels"),
            required=True,
            allowed=MODES,
            aliases=("出行方式", "交通方式"),
            words=MODE_WORDS,
        ),
        _c(
            "capacity",
            _I,
            "portions carried per trip",
            default="by mode: walk 4, bike 8, ebike 12, car 24",
            aliases=("每趟份数", "容量"),
        ),
        _c(
            "skills",
            _LIST,
            N_("what the volunteer does"),
            required=True,
            allowed=SKILLS,
            aliases=("技能",),
            words=SKILL_WORDS,
        ),
        _c(
            "max_shifts_per_week",
            _I,
            "most shifts in a week",
            default="policy (3)",
            aliases=("每周最多班次",),
        ),
        _c(
            "max_hours_per_week",
            _F,
            "most hours in a week",
            default="no limit",
            aliases=("每周最多小时",),
        ),
        _c(
            "min_minutes_per_period",
            _I,
            "shifts: least minutes in the period",
            default="none",
            aliases=("期间最少分钟",),
        ),
        _c(
            "max_minutes_per_period",
            _I,
            "shifts: most minutes in the period",
            default="none",
            aliases=("期间最多分钟",),
        ),
        _c(
            "max_consecutive_days",
            _I,
            "shifts: most working days in a row",
            default="policy (5)",
            aliases=("最多连续天数",),
        ),
        _c(
            "min_consecutive_days",
            _I,
            "shifts: least working days in a row",
            default="none",
            aliases=("最少连续天数",),
        ),
        _c(
            "min_days_off_in_a_row",
            _I,
            "shifts: least days off in a row",
            default="none",
            aliases=("最少连休天数",),
        ),
        _c(
            "max_weekends",
            _I,
            "shifts: most working weekends in the period",
            default="none",
            aliases=("最多周末数",),
        ),
        _c(
            "max_shifts_by_id",
            _LIST,
            "shifts: most shifts of one id in the period, e.g. `EVE=2;SAT=1`",
            aliases=("各班次上限",),
        ),
        _c("phone", _T, "phone number (optional)", aliases=("电话",)),
    ),
    "volunteer_id",
    "volunteer",
)

AVAILABILITY = Table(
    "availability",
    True,
    "when volunteers are free: weekly patterns and dated exceptions",
    (
        _c(
            "volunteer_id",
            _T,
            N_("a volunteer of volunteers.csv"),
            required=True,
            aliases=("志愿者编号",),
        ),
        _c(
            "day",
            _DAY,
            N_("a weekday (`Mon`..`Sun`) or a date"),
            required=True,
            aliases=("星期", "日期"),
        ),
        _c("start", _TIME, N_("free from"), required=True, aliases=("开始", "开始时间")),
        _c("end", _TIME, N_("free until"), required=True, aliases=("结束", "结束时间")),
        _c(
            "available",
            _B,
            "`false` on a date removes that time (a holiday)",
            default="true",
            aliases=("有空",),
        ),
    ),
    "volunteer_id",
    "volunteer",
)

SITES = Table(
    "sites",
    True,
    "the kitchen, the clinic and the centre",
    (
        _c("site_id", _T, N_("unique id of the site"), required=True, aliases=("站点编号", "编号")),
        _c(
            "kind",
            _ENUM,
            N_("what the site is"),
            required=True,
            allowed=SITE_KINDS,
            aliases=("类型",),
            words=SITE_KIND_WORDS,
        ),
        _c("name", _T, "name", aliases=("名称",)),
        _c("lat", _F, N_("latitude"), required=True, aliases=("纬度",)),
        _c("lon", _F, N_("longitude"), required=True, aliases=("经度",)),
        _c("open", _TIME, N_("opens"), required=True, aliases=("开门", "开门时间")),
        _c("close", _TIME, N_("closes"), required=True, aliases=("关门", "关门时间")),
        _c(
            "slot_minutes",
            _I,
            "clinic: length of one booking slot",
            aliases=("时段分钟",),
        ),
        _c(
            "places_per_slot",
            _I,
            "clinic: residents checked per slot",
            aliases=("每时段名额",),
        ),
        _c(
            "check_minutes",
            _I,
            "clinic: how long one check takes",
            aliases=("体检分钟",),
        ),
        _c(
            "wheelchairs",
            _I,
            "kitchen or centre: wheelchairs lent out",
            default="0",
            aliases=("轮椅数",),
        ),
    ),
    "site_id",
    "site",
)

SHIFTS = Table(
    "shifts",
    False,
    "volunteer shifts: weekly templates or single dated shifts",
    (
        _c("shift_id", _T, N_("id of the shift"), required=True, aliases=("班次编号", "编号")),
        _c(
            "role",
            _ENUM,
            N_("the role; a volunteer needs the skill"),
            required=True,
            allowed=ROLES,
            aliases=("岗位",),
            words=ROLE_WORDS,
        ),
        _c("day", _DAY, N_("a weekday or a date"), required=True, aliases=("星期", "日期")),
        _c("start", _TIME, N_("starts"), required=True, aliases=("开始", "开始时间")),
        _c("end", _TIME, N_("ends"), required=True, aliases=("结束", "结束时间")),
        _c(
            "min_volunteers",
            _I,
            "volunteers needed; `auto` derives it from the meal and escort plans",
            default="auto",
            aliases=("最少人数",),
        ),
        _c(
            "max_volunteers",
            _I,
            "volunteers wanted at most",
            default="no limit",
            aliases=("最多人数",),
        ),
        _c(
            "weight_under",
            _I,
            "cost per place short of the minimum",
            default="policy (100)",
            aliases=("缺人权重",),
        ),
        _c(
            "weight_over",
            _I,
            "cost per volunteer above the maximum",
            default="policy (1)",
            aliases=("超员权重",),
        ),
    ),
    "shift_id",
    "shift",
)

REQUESTS = Table(
    "requests",
    False,
    "volunteers' wishes to work or to be off",
    (
        _c(
            "volunteer_id",
            _T,
            N_("a volunteer of volunteers.csv"),
            required=True,
            aliases=("志愿者编号",),
        ),
        _c("day", _DAY, "a weekday or a date (give this or `date`)", aliases=("星期",)),
        _c("date", _DATE, "a date (give this or `day`)", aliases=("日期",)),
        _c(
            "shift_id",
            _T,
            "a shift of shifts.csv",
            default="any shift that day",
            aliases=("班次编号",),
        ),
        _c(
            "want",
            _B,
            "`true` asks to work, `false` asks to be off",
            default="true",
            aliases=("想上班",),
        ),
        _c("weight", _I, "how much the wish matters", default="1", aliases=("权重",)),
    ),
    "volunteer_id",
    "volunteer",
)

CAMPAIGN = Table(
    "campaign",
    False,
    "the days of the health-check campaign",
    (
        _c("date", _DATE, N_("a campaign day"), required=True, aliases=("日期",)),
        _c(
            "clinic_id",
            _T,
            N_("a clinic of sites.csv"),
            required=True,
            aliases=("诊所编号", "站点编号"),
        ),
        _c(
            "open",
            _TIME,
            "the clinic's hours that day",
            default="the clinic's `open`",
            aliases=("开门", "开门时间"),
        ),
        _c(
            "close",
            _TIME,
            "the clinic's hours that day",
            default="the clinic's `close`",
            aliases=("关门", "关门时间"),
        ),
    ),
    "clinic_id",
    "clinic",
)

TRAVEL = Table(
    "travel",
    False,
    "travel times from any source, overriding the built-in estimate pair by pair",
    (
        _c(
            "from_id",
            _T,
            N_("a resident, volunteer or site id"),
            required=True,
            aliases=("起点编号", "起点"),
        ),
        _c(
            "to_id",
            _T,
            N_("a resident, volunteer or site id"),
            required=True,
            aliases=("终点编号", "终点"),
        ),
        _c(
            "mode",
            _ENUM,
            "the travel mode",
            default="any (every mode)",
            allowed=TRAVEL_CSV_MODES,
            aliases=("出行方式", "交通方式"),
            words=TRAVEL_MODE_WORDS,
        ),
        _c("minutes", _F, N_("travel time in minutes"), required=True, aliases=("分钟", "用时")),
    ),
    "from_id",
    "place",
)

CHANGES = Table(
    "changes",
    False,
    "changes to the usual week: a resident away, a volunteer off, an extra meal, a clinic closed",
    (
        _c(
            "kind",
            _ENUM,
            N_(
                "what changed: `resident_away` (no meals or booking; meals restart the day "
                "after `end`), `volunteer_off` (overrides availability), `extra_meal` (a "
                "one-off delivery), `clinic_closed` (no checks)"
            ),
            required=True,
            allowed=CHANGE_KINDS,
            aliases=("类型", "变动类型"),
            words=CHANGE_KIND_WORDS,
        ),
        _c(
            "id",
            _T,
            N_("the resident (away, extra meal), volunteer (off) or clinic (closed)"),
            required=True,
            aliases=("编号",),
        ),
        _c(
            "start",
            _MOMENT,
            N_("from: a date (from 00:00) or `YYYY-MM-DD HH:MM`"),
            required=True,
            aliases=("开始", "开始时间"),
        ),
        _c(
            "end",
            _MOMENT,
            "until: a date (through 24:00 of that day) or `YYYY-MM-DD HH:MM`",
            default="extra_meal: the start day; required for the others",
            aliases=("结束", "结束时间"),
        ),
        _c("note", _T, "what happened, for the coordinator", aliases=("备注",)),
    ),
    "id",
    "change",
)

INPUT_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        RESIDENTS,
        VOLUNTEERS,
        AVAILABILITY,
        SITES,
        SHIFTS,
        REQUESTS,
        CAMPAIGN,
        TRAVEL,
        CHANGES,
    )
}
"""The input tables of DESIGN section 4, by name (the CSV file is ``<name>.csv``)."""

INFORMATIONAL = "written for the reader, ignored when the plan is read back"
"""How the description of each name column beside an id begins."""


def _info(name: str, description: str, kind: Kind = Kind.TEXT) -> Column:
    """A name column beside an id: written so that a coordinator needs no lookup, never
    read back (a hand-edited name cannot break reading)."""
    return _c(name, kind, f"{INFORMATIONAL}: {description}")


NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "resident_id": ("resident_name", "address"),
    "volunteer_id": ("volunteer_name",),
    "escort_ids": ("escort_names",),
    "id": ("name", "address"),
}
"""The informational columns an output table puts right after each id column."""


def is_informational(column: Column) -> bool:
    """Whether ``column`` of an output table only informs the reader (a name beside an id)."""
    return column.description.startswith(INFORMATIONAL)


_RESIDENT_NAMES = (
    _info("resident_name", "the resident's name (residents.csv)"),
    _info("address", "the resident's address (residents.csv)"),
)

MEAL_ROUTES = Table(
    "meal_routes",
    False,
    "one row per delivery on a route",
    (
        _c("date", _DATE, "the delivery date", required=True),
        _c("volunteer_id", _T, "the carrier", required=True),
        _info("volunteer_name", "the carrier's name (volunteers.csv)"),
        _c("trip", _I, "1, 2, … per carrier and date", required=True),
        _c("stop", _I, "1, 2, … within the trip", required=True),
        _c("resident_id", _T, "the resident", required=True),
        *_RESIDENT_NAMES,
        _c("arrival", _TIME, "arrival at the door", required=True),
        _c("departure", _TIME, "leaving the door", required=True),
        _c("portions", _I, "portions handed over", required=True),
        _c("diet", _LIST, "diet tags", required=True),
        _c("food_minutes", _I, "food age at arrival (minutes since the kitchen)", required=True),
        _c("travel_minutes", _I, "from the previous stop or the kitchen", required=True),
        _c(
            "done",
            _ENUM,
            "what happened at the door, filled in by hand from the ticked route sheet",
            default="not filled in: planned only (carecal writes it empty)",
            allowed=MEAL_OUTCOMES,
        ),
        _c(
            "locked",
            _B,
            "`true` (`yes`, `1`) where a coordinator wants a re-plan to keep the row as it is",
            default="not locked (carecal writes `true` on the rows it kept locked, else empty)",
        ),
    ),
    "resident_id",
    "resident",
)

HEALTH_CHECKS = Table(
    "health_checks",
    False,
    "one row per health-check booking",
    (
        _c("resident_id", _T, "the resident", required=True),
        *_RESIDENT_NAMES,
        _c("date", _DATE, "the campaign day", required=True),
        _c(
            "clinic_id",
            _T,
            "the clinic (sites.csv) the check is at; carecal always writes it",
            default="the clinic that runs on the date, when exactly one does (folders "
            "written by carecal 0.1 have no such column)",
        ),
        _c("slot_start", _TIME, "the booked slot", required=True),
        _c("check_start", _TIME, "the check begins", required=True),
        _c("check_end", _TIME, "the check ends", required=True),
        _c("escort_ids", _LIST, "the escorts, if any", required=True),
        _info("escort_names", "the escorts' names, in the order of their ids", _LIST),
        _c(
            "wheelchair",
            _ENUM,
            "which wheelchair the resident rides in",
            required=True,
            allowed=tuple(w.value for w in Wheelchair),
        ),
        _c("pickup", _TIME, "escort at the door (empty: comes alone)", required=True),
        _c("home_again", _TIME, "resident settled back at home", required=True),
        _c(
            "done",
            _ENUM,
            "whether the check took place, filled in by hand afterwards",
            default="not filled in: planned only (carecal writes it empty)",
            allowed=CHECK_OUTCOMES,
        ),
        _c(
            "locked",
            _B,
            "`true` (`yes`, `1`) where a coordinator wants a re-plan to keep the row as it is",
            default="not locked (carecal writes `true` on the rows it kept locked, else empty)",
        ),
    ),
    "resident_id",
    "resident",
)

SHIFT_PLAN = Table(
    "shift_plan",
    False,
    "one row per volunteer on a shift",
    (
        _c("date", _DATE, "the date", required=True),
        _c("shift_id", _T, "the shift", required=True),
        _c("role", _ENUM, "the role", required=True, allowed=ROLES),
        _c("start", _TIME, "starts", required=True),
        _c("end", _TIME, "ends", required=True),
        _c("volunteer_id", _T, "the volunteer", required=True),
        _info("volunteer_name", "the volunteer's name (volunteers.csv)"),
        _c(
            "locked",
            _B,
            "`true` (`yes`, `1`) where a coordinator wants a re-plan to keep the row as it is",
            default="not locked (carecal writes `true` on the rows it kept locked, else empty)",
        ),
    ),
    "volunteer_id",
    "volunteer",
)

UNSERVED = Table(
    "unserved",
    False,
    "everything that could not be served, with the reason and the fix",
    (
        _c(
            "kind",
            _ENUM,
            "what was not served",
            required=True,
            allowed=tuple(k.value for k in UnservedKind),
        ),
        _c(
            "id",
            _T,
            "the resident (a meal or a check), or the shift (a shift place; the volunteer "
            "when it has no date)",
            required=True,
        ),
        _info("name", "the resident's or the volunteer's name; empty for a shift"),
        _info("address", "the resident's address"),
        _c("date", _DATE, "the date, if one applies", required=True),
        _c(
            "code",
            _T,
            "the reason's stable code (docs/reasons.md lists every code), for counting "
            "and grouping",
        ),
        _c("reason", _T, "why, in plain words", required=True),
        _c("fix", _T, "what would fix it", required=True),
    ),
    "id",
    "item",
)

PACKING_LIST = Table(
    "packing_list",
    False,
    "the kitchen's packing list: per trip in departure order, the portions of each diet "
    "combination, then the day's totals (the rows without a carrier)",
    (
        _c("date", _DATE, "the delivery date", required=True),
        _c("volunteer_id", _T, "the carrier; empty on the day's total rows", required=True),
        _info("volunteer_name", "the carrier's name (volunteers.csv)"),
        _c("trip", _I, "the carrier's trip, 1, 2, …; empty on total rows", required=True),
        _c(
            "departure",
            _TIME,
            "when the trip leaves the kitchen; empty on total rows",
            required=True,
        ),
        _c(
            "diet",
            _T,
            "the resident's whole diet as the kitchen cooks it: `regular` (no tags), or the "
            "tags sorted and joined by `+` (`diabetic+soft`)",
            required=True,
        ),
        _c("portions", _I, "portions of this diet on the trip (or the day)", required=True),
    ),
    "volunteer_id",
    "carrier",
)

TO_CALL = Table(
    "to_call",
    False,
    "after a re-plan, the people whose day changed: one row per person, what changed in "
    "words; written by `carecal replan`, never read back",
    (
        _c("person_id", _T, "the resident's or volunteer's id", required=True),
        _c("name", _T, "their name (residents.csv or volunteers.csv)", required=True),
        _c(
            "role",
            _ENUM,
            "why they are on the list",
            required=True,
            allowed=CALL_ROLES,
        ),
        _c("phone", _T, "their phone, where the roster has one", required=True),
        _c("what_changed", _T, "what changed for them, in the plan's language", required=True),
    ),
    "person_id",
    "person",
)

SUBSTITUTES = Table(
    "substitutes",
    False,
    "who could take over a volunteer's work on a day, best first: written by `carecal "
    "substitutes --out`, never read back (not part of a plan folder)",
    (
        _c("rank", _I, "1 for the first to call", required=True),
        _c("volunteer_id", _T, "the volunteer who could take over", required=True),
        _c("name", _T, "their name (volunteers.csv)", required=True),
        _c("phone", _T, "their phone, where the roster has one", required=True),
        _c("free", _B, "free for all of the work (pledged hours, not busy)", required=True),
        _c("skilled", _B, "has every skill the work needs", required=True),
        _c("knows", _I, "how many of the volunteer's elders they know (history)", required=True),
        _c("visits", _I, "how many times in all they met those elders", required=True),
        _c("reason", _T, "why they stand there, in the community's language", required=True),
    ),
    "volunteer_id",
    "volunteer",
)
"""``carecal substitutes --out FILE.csv`` (:func:`carecal.substitutes`); not a plan file."""

OUTPUT_TABLES: dict[str, Table] = {
    t.name: t for t in (MEAL_ROUTES, HEALTH_CHECKS, SHIFT_PLAN, UNSERVED, PACKING_LIST, TO_CALL)
}
"""The output tables of DESIGN section 5, by name."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _kind_text(column: Column) -> str:
    if column.kind == Kind.ENUM:
        return "one of " + ", ".join(f"`{a}`" for a in column.allowed)
    if column.kind == Kind.LIST and column.allowed:
        return "list of " + ", ".join(f"`{a}`" for a in column.allowed)
    return {
        Kind.TIME: "time `HH:MM`",
        Kind.DATE: "date `YYYY-MM-DD`",
        Kind.DAY: "weekday or date",
        Kind.MOMENT: "date or `YYYY-MM-DD HH:MM`",
        Kind.LIST: "list (`;`-separated)",
        Kind.BOOL: "`true`/`false`",
        Kind.INT: "whole number",
        Kind.FLOAT: "number",
    }.get(column.kind, column.kind.value)


def table_markdown(table: Table) -> str:
    """Render one table as a Markdown section: heading, description and a column table.

    Parameters
    ----------
    table
        An input or output table.

    Returns
    -------
    str
        Markdown text ending in a newline.
    """
    optional = "" if table.required else " (optional)"
    lines = [
        f"#### `{table.file}`{optional}",
        "",
        f"{table.description[0].upper()}{table.description[1:]}.",
        "",
        "| column | required | kind | default | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in table.columns:
        lines.append(
            f"| `{c.name}` | {'yes' if c.required else ''} | {_cell(_kind_text(c))} "
            f"| {_cell(c.default)} | {_cell(c.description)} |"
        )
    return "\n".join(lines) + "\n"


def tables_markdown(tables: dict[str, Table] | None = None) -> str:
    """Render the input tables (or ``tables``) as Markdown, for the README.

    Parameters
    ----------
    tables
        The tables to render; the input tables of DESIGN section 4 by default.

    Returns
    -------
    str
        One section per table, separated by blank lines.
    """
    chosen = INPUT_TABLES if tables is None else tables
    return "\n".join(table_markdown(t) for t in chosen.values())


def aliases_markdown(tables: dict[str, Table] | None = None) -> str:
    """Render the Chinese headers of the input tables (or ``tables``) as one Markdown table.

    Parameters
    ----------
    tables
        The tables to render; the input tables of DESIGN section 4 by default.

    Returns
    -------
    str
        A Markdown table (file, column, the headers that name it), ending in a newline.
    """
    chosen = INPUT_TABLES if tables is None else tables
    lines = ["| file | column | also written as |", "| --- | --- | --- |"]
    for table in chosen.values():
        for c in table.columns:
            if c.aliases:
                shown = ", ".join(f"`{a}`" for a in c.aliases)
                lines.append(f"| `{table.file}` | `{c.name}` | {_cell(shown)} |")
    return "\n".join(lines) + "\n"


def values_markdown(tables: dict[str, Table] | None = None) -> str:
    """Render the Chinese words for the values of the input columns as one Markdown table.

    Parameters
    ----------
    tables
        The tables to render; the input tables of DESIGN section 4 by default.

    Returns
    -------
    str
        A Markdown table (column, value, the words that mean it), ending in a newline;
        a column shared by several tables with the same words is listed once.
    """
    chosen = INPUT_TABLES if tables is None else tables
    lines = ["| column | value | also written as |", "| --- | --- | --- |"]
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for table in chosen.values():
        for c in table.columns:
            if not c.words or (c.name, c.words) in seen:
                continue
            seen.add((c.name, c.words))
            for value in c.allowed:
                words = [w for w, v in c.words if v == value]
                if words:
                    shown = ", ".join(f"`{w}`" for w in words)
                    lines.append(f"| `{table.file}` `{c.name}` | `{value}` | {_cell(shown)} |")
    return "\n".join(lines) + "\n"
