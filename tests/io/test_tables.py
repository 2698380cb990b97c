"""The table readers: defect-named data sets, every column parsed, the rules of each table
and across tables, problems in file order."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest
from io_data import AS_OF, DATA, SHIFTS, csv_texts, read_folder

from carecal.clock import TimeWindow
from carecal.io import CarecalWarning, community_from_csv_texts, read_community
from carecal.model import CommunityError, Mobility, Skill

# Each defect-named folder of tests/data and the phrases its message must contain.
DEFECTS: dict[str, list[str]] = {
    "AgeUnder60": [
        "residents.csv row 3 (resident R002), column age: 57 is under 60; the roster lists "
        "residents aged 60 and over"
    ],
    "BirthDateUnder60": [
        "residents.csv row 2 (resident R001), column birth_date: born 1970-01-01, so 56 on "
        "2026-03-01, under 60"
    ],
    "BirthDateInFuture": ["column birth_date: 2030-01-01 is in the future"],
    "NoAgeNoBirthDate": ["row 3 (resident R002), column age: is empty and so is birth_date"],
    "DecimalCommaLatitude": [
        "row 2 (resident R001), column lat: '31,2301' uses a decimal comma; write 31.2301 with "
        "a decimal point"
    ],
    "UnquotedDecimalCommaShiftsRow": [
        "residents.csv row 3 has 20 cells but the header has 19 columns; a value with a comma "
        "in it (a decimal comma such as 31,23, or an address) must be in quotes"
    ],
    "LatLonSwapped": ["column lat: lat 121.471 and lon 31.2301 look swapped"],
    "CoordinatesOutsideEarth": ["sites.csv row 2 (site K1), column lat:", "outside the Earth"],
    "CoordinatesZero": ["row 4 (resident R003), column lat: lat 0, lon 0"],
    "WindowClosesBeforeOpens": [
        "row 2 (resident R001), column window_end: the delivery window 12:30–11:00 closes "
        "before it opens"
    ],
    "AvailabilityEndsBeforeStart": [
        "availability.csv row 2 (volunteer V01), column end:",
        "14:00–10:00 ends before it begins",
    ],
    "SiteClosesBeforeOpens": ["sites.csv row 3 (site C1), column close:", "08:00–07:00"],
    "DuplicateResidentId": [
        "residents.csv row 3 (resident R001), column resident_id: R001 is also on row 2"
    ],
    "DuplicateVolunteerId": ["volunteers.csv row 3 (volunteer V01)", "V01 is also on row 2"],
    "DuplicateSiteId": ["sites.csv row 3 (site K1)", "K1 is also on row 2"],
    "EmptyResidentId": ["residents.csv row 4, column resident_id: is empty"],
    "MissingColumnMobility": ["residents.csv has no column mobility; add it"],
    "MissingColumnsBirthDateAndAge": ["residents.csv has neither a birth_date nor an age column"],
    "TypoColumnHasLfit": ["column has_lfit that carecal does not know; did you mean has_lift?"],
    "UnknownWeekday": [
        "availability.csv row 3 (volunteer V01), column day: 'Funday' is not a weekday or a date"
    ],
    "UnknownMealDay": ["column meal_days: 'Wend' is not a known meal day"],
    "MealDaysWithCommas": ["'Mon,Wed'", "separate items with ; (not a comma)"],
    "UnknownMode": [
        "volunteers.csv row 2 (volunteer V01), column mode: 'scooter' is not a known mode; "
        "use walk, bike, ebike or car"
    ],
    "UnknownMobility": ["column mobility: 'crutches' is not a known mobility"],
    "UnknownSkill": ["column skills: 'cooking' is not a known skill"],
    "UnknownSiteKind": ["column kind: 'hospital' is not a known kind"],
    "UnknownRole": ["shifts.csv row 2 (shift M1), column role: 'cooking'"],
    "AvailabilityUnknownVolunteer": [
        "availability.csv row 6 (volunteer V99), column volunteer_id: volunteer V99 is not in "
        "volunteers.csv"
    ],
    "PreferredUnknownVolunteer": ["column preferred_volunteers: volunteer V77 is not in"],
    "NoKitchen": ["sites.csv has no kitchen; add a row with kind kitchen"],
    "MalformedTime": ["availability.csv row 4 (volunteer V02), column start: '9h30' is not a time"],
    "MalformedDate": ["column birth_date: '02/31/1938' is not a date"],
    "MalformedNumber": ["column portions: 'two' is not a whole number"],
    "MalformedBoolean": ["column has_lift: 'maybe' is not yes or no"],
    "CapacityZero": ["volunteers.csv row 3 (volunteer V02), column capacity: 0 is below 1"],
    "ClinicWithoutSlotMinutes": ["sites.csv row 3 (site C1), column slot_minutes: is empty"],
    "LastCheckInFuture": ["column last_check: 2027-01-01 is in the future"],
    "MissingFileSites": ["sites.csv is missing"],
    "MisnamedFileResident": [
        "resident.csv is not a file carecal reads; did you mean residents.csv?"
    ],
    "PolicyUnknownKey": [
        "policy.toml: max_food_minuts = 40: is not a policy setting; did you mean max_food_minutes?"
    ],
    "PolicyMalformedTime": ['policy.toml: meals_ready = "10h45": is not a time of day'],
    "PolicyNotToml": ["policy.toml is not valid TOML"],
    "RequestUnknownShift": ["requests.csv row 2 (volunteer V01), column shift_id: shift M9"],
    "ShiftMaxBelowMin": ["column max_volunteers: 2 is below min_volunteers 4"],
    "CampaignUnknownClinic": [
        "campaign.csv row 2 (clinic K1), column clinic_id: K1 is not a clinic"
    ],
    "TravelUnknownId": ["travel.csv row 2 (place K1), column to_id: R009 is not a resident"],
    "TravelUnknownMode": ["column mode: 'horse' is not a known mode"],
    "ChangeUnknownId": [
        "changes.csv row 2 (change R009), column id: R009 is not a resident in residents.csv"
    ],
    "CampaignSameDateAndClinicTwice": [
        "campaign.csv row 4 (clinic C1), column clinic_id: clinic C1 on 2026-03-10 is also on "
        "row 2; campaign.csv has one row per date and clinic: delete one of the two rows"
    ],
    "CampaignClosesBeforeOpens": [
        "campaign.csv row 3 (clinic C1), column open: 13:00 is not before C1's closing time "
        "12:00 in sites.csv, so the clinic would close before it opens; give this row a close "
        "after 13:00, or an earlier open"
    ],
    "TravelMinutesInfinite": [
        "travel.csv row 3 (place K1), column minutes: 'inf' is not a number carecal can use; "
        "write an ordinary number"
    ],
    "TravelMinutesOverADay": [
        "travel.csv row 2 (place K1), column minutes: 1e9 minutes is more than a day (1440); "
        "write the travel time in minutes"
    ],
    "ResidentsNotUtf8": [
        "residents.csv is neither UTF-8 nor GB18030 text; save it from Excel as 'CSV UTF-8"
    ],
    "ClinicWithoutSlotColumns": [
        "sites.csv row 3 (site C1): a clinic needs slot_minutes, places_per_slot, "
        "check_minutes, and sites.csv has no slot_minutes, places_per_slot or check_minutes "
        "column; add them"
    ],
    "BirthDateYearLast": [
        "residents.csv row 2 (resident R001), column birth_date: '02/04/1938' has the year "
        "last, so it could be 1938-04-02 or 1938-02-04; carecal never guesses the order of "
        "day and month: write it year first as YYYY-MM-DD or as 1938年4月2日"
    ],
    "TwoHeadersForOneColumn": [
        "residents.csv has two columns for name (name and 姓名); delete one of them"
    ],
    "ChineseHeaderTypo": [
        "residents.csv has a column 出生日 that carecal does not know; did you mean 出生日期? "
        "Rename the column"
    ],
    "ManyDefects": [
        "max_food_minuts = 40: is not a policy setting",
        "row 2 (volunteer V01), column mode: 'scooter'",
        "row 2 (resident R001), column lat: '31,2301' uses a decimal comma",
        "row 3 (resident R002), column age: 57 is under 60",
        "row 4 (resident R003), column mobility: 'crutches'",
        "sites.csv has no kitchen",
        "row 6 (volunteer V99), column volunteer_id",
    ],
}


VALID_FOLDERS = {
    "Valid",
    "MessyButValid",
    "ChineseGB18030",
    "ChineseUtf8Bom",
    "ChineseExcelCsv",
    "ResidentsHeaderOnly",
}

# Folders holding one community.xlsx that cannot be opened, and the message it gives.
WORKBOOK_DEFECTS: dict[str, str] = {
    "CorruptWorkbook": "community.xlsx is not a readable Excel workbook (it may be damaged",
    "EmptyWorkbook": "community.xlsx is not a readable Excel workbook (it is empty)",
}


@pytest.mark.parametrize("folder", sorted(DEFECTS))
def test_defect_is_reported_with_place_and_fix(folder: str):
    with pytest.raises(CommunityError) as caught:
        read_folder(folder)
    text = "\n".join(caught.value.problems)
    for phrase in DEFECTS[folder]:
        assert phrase in text


def test_every_data_folder_is_valid_or_has_expected_phrases():
    folders = {p.name for p in DATA.iterdir() if p.is_dir()}
    assert folders - VALID_FOLDERS - set(DEFECTS) - set(WORKBOOK_DEFECTS) == set()


@pytest.mark.parametrize("folder", sorted(WORKBOOK_DEFECTS))
def test_workbook_that_cannot_be_opened_is_one_problem_with_the_fix(folder: str):
    with pytest.raises(CommunityError) as caught:
        read_community(DATA / folder / "community.xlsx", as_of=AS_OF)
    (problem,) = caught.value.problems
    assert problem.startswith(WORKBOOK_DEFECTS[folder])
    assert "save it again as an .xlsx workbook, or give a folder of CSV files" in problem
    assert "engine" not in problem


def test_one_defect_gives_one_problem_without_knock_on_messages():
    for folder in (
        "AgeUnder60",
        "UnknownMode",
        "NoKitchen",
        "TypoColumnHasLfit",
        "ResidentsNotUtf8",
        "ClinicWithoutSlotColumns",
        "CampaignSameDateAndClinicTwice",
        "CampaignClosesBeforeOpens",
    ):
        with pytest.raises(CommunityError) as caught:
            read_folder(folder)
        assert len(caught.value.problems) == 1, caught.value.problems


def test_all_defects_in_several_files_are_reported_at_once():
    with pytest.raises(CommunityError) as caught:
        read_folder("ManyDefects")
    assert len(caught.value.problems) == len(DEFECTS["ManyDefects"])


def test_missing_column_is_reported_once_not_on_every_row():
    with pytest.raises(CommunityError) as caught:
        read_folder("MissingColumnMobility")
    assert len(caught.value.problems) == 1


def test_problems_are_listed_in_file_order():
    with pytest.raises(CommunityError) as caught:
        read_folder("ManyDefects")
    files = [p.split(" ")[0].rstrip(":,") for p in caught.value.problems]
    assert files == ["residents.csv"] * 3 + [
        "volunteers.csv",
        "availability.csv",
        "sites.csv",
        "policy.toml",
    ]


def test_valid_folder_parses_every_column(valid):
    r1, r2, r3 = valid.residents
    assert r1.birth_date == dt.date(1938, 4, 2) and r1.age is None
    assert (r1.floor, r1.has_lift, r1.mobility) == (4, False, Mobility.WHEELCHAIR)
    assert r1.meal_days == {"Mon", "Wed", "Fri"} and r1.diet == ("diabetic", "soft")
    assert r1.window == TimeWindow(11 * 60, 12 * 60) and r1.preferred_volunteers == ("V01",)
    assert r1.last_check == dt.date(2025, 1, 10) and r1.owns_wheelchair is None
    assert (r2.age, r2.floor, r2.portions, r2.window, r2.last_check) == (82, 1, 2, None, None)
    assert r3.meal_days == frozenset() and r3.has_lift is True
    v1, v2 = valid.volunteers
    assert (v1.mode, v1.capacity, v1.skills) == ("bike", None, {Skill.MEALS, Skill.ESCORT})
    assert (v2.lat, v2.capacity, v2.max_hours_per_week) == (None, 3, 10.0)
    holiday = valid.availability[-1]
    assert (holiday.date, holiday.available, holiday.start, holiday.end) == (
        dt.date(2026, 3, 2),
        False,
        0,
        24 * 60,
    )
    kitchen, clinic = valid.sites
    assert (kitchen.wheelchairs, kitchen.slot_minutes) == (2, None)
    assert (clinic.slot_minutes, clinic.places_per_slot, clinic.check_minutes) == (15, 2, 20)
    assert valid.availability_on("V02", dt.date(2026, 3, 2)) == []


def test_age_rule_inactive_on_the_sixtieth_birthday_and_binding_the_day_before():
    residents = (
        "resident_id,name,birth_date,lat,lon,mobility\n"
        "R1,Birthday,1966-03-02,31.2301,121.4705,independent\n"
    )
    ok = community_from_csv_texts(csv_texts(residents=residents), as_of=dt.date(2026, 3, 2))
    assert ok.residents[0].resident_id == "R1"
    with pytest.raises(CommunityError, match="so 59 on 2026-03-01, under 60"):
        community_from_csv_texts(csv_texts(residents=residents), as_of=dt.date(2026, 3, 1))


def test_ids_keep_leading_zeros_and_empty_cells_take_defaults():
    residents = (
        "resident_id,name,age,lat,lon,mobility,floor,portions,has_lift\n"
        "007,Bond,90,31.2301,121.4705,walker,,,\n"
    )
    c = community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    r = c.residents[0]
    assert (r.resident_id, r.floor, r.portions, r.has_lift) == ("007", 1, 1, False)


def test_window_with_one_end_takes_the_other_from_policy():
    residents = (
        "resident_id,name,age,lat,lon,mobility,window_start\n"
        "R1,A,70,31.2301,121.4705,walker,11:30\n"
    )
    c = community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    assert c.residents[0].window == TimeWindow(11 * 60 + 30, 12 * 60 + 30)


def test_floor_zero_is_kept():
    residents = "resident_id,name,age,lat,lon,mobility,floor\nR1,A,70,31.2301,121.4705,walker,0\n"
    c = community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    assert c.residents[0].floor == 0


def test_enumerations_accept_case_and_stray_spaces_and_unused_column_warns():
    with pytest.warns(CarecalWarning, match="column notes is not used"):
        c = read_community(DATA / "MessyButValid", as_of=AS_OF)
    r1, r2, _ = c.residents
    assert (r1.mobility, r2.mobility) == (Mobility.WHEELCHAIR, Mobility.INDEPENDENT)
    assert r1.meal_days == {"Mon", "Wed", "Fri"} and r1.has_lift is True
    v1 = c.volunteers[0]
    assert (v1.mode, v1.skills) == ("bike", {Skill.MEALS, Skill.FIRST_AID})
    assert c.availability[0].day == "Mon" and c.sites[0].kind == "kitchen"


def test_unused_column_warns_but_typo_column_is_an_error():
    residents = (DATA / "Valid" / "residents.csv").read_text(encoding="utf-8")
    with_notes = residents.replace("preferred_volunteers\n", "preferred_volunteers,notes\n", 1)
    with pytest.warns(CarecalWarning, match="column notes is not used"):
        community_from_csv_texts(csv_texts(residents=with_notes), as_of=AS_OF)
    typo = residents.replace("lives_alone", "lives_alon", 1)
    with pytest.raises(CommunityError, match="did you mean lives_alone"):
        community_from_csv_texts(csv_texts(residents=typo), as_of=AS_OF)


def test_typo_of_a_required_column_is_one_problem_and_spaced_headers_are_accepted():
    residents = (DATA / "Valid" / "residents.csv").read_text(encoding="utf-8")
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(residents=residents.replace("mobility", "mobilty", 1)))
    assert caught.value.problems == [
        "residents.csv has a column mobilty that carecal does not know; did you mean mobility? "
        "Rename the column"
    ]
    spaced = residents.replace("has_lift", "Has Lift", 1).replace("resident_id", " Resident_ID")
    c = community_from_csv_texts(csv_texts(residents=spaced), as_of=AS_OF)
    assert c.residents[2].has_lift is True


def test_volunteer_without_availability_warns():
    availability = "volunteer_id,day,start,end\nV01,Mon,10:00,14:00\n"
    with pytest.warns(CarecalWarning, match="volunteer V02 has no rows in availability.csv"):
        community_from_csv_texts(csv_texts(availability=availability), as_of=AS_OF)


PARIS_SITES = (
    "site_id,kind,name,lat,lon,open,close\n"
    "K1,kitchen,Cuisine,48.8566,2.3522,07:00,14:00\n"
    "C1,centre,Centre,48.8570,2.3530,08:00,18:00\n"
)


def _paris(lat: str, lon: str) -> dict[str, str]:
    residents = (
        "resident_id,name,age,lat,lon,mobility\n"
        "R1,A,70,48.8560,2.3510,walker\n"
        f"R2,B,75,{lat},{lon},walker\n"
    )
    return csv_texts(residents=residents, sites=PARIS_SITES)


def test_lat_lon_swap_inside_the_valid_range_is_found_by_distance():
    # The shared volunteers live in Shanghai, far from these Paris residents: a warning.
    with pytest.warns(CarecalWarning, match="from the rest of the community"):
        community_from_csv_texts(_paris("48.8580", "2.3500"), as_of=AS_OF)
    with (
        pytest.raises(CommunityError) as caught,
        pytest.warns(CarecalWarning, match="from the rest of the community"),
    ):
        community_from_csv_texts(_paris("2.3500", "48.8580"), as_of=AS_OF)
    assert (
        caught.value.problems == [caught.value.problems[0]]
        and "row 3 (resident R2), column lat: lat 2.35 and lon 48.858 look swapped"
        in (caught.value.problems[0])
    )


def test_place_far_from_the_rest_warns():
    with pytest.warns(CarecalWarning, match="km from the rest of the community"):
        community_from_csv_texts(_paris("45.7640", "4.8357"), as_of=AS_OF)


def test_shifts_requests_campaign_travel_optional_tables():
    texts = csv_texts(
        shifts="shift_id,role,day,start,end,min_volunteers,max_volunteers\n"
        "M1,meals,Mon,10:30,13:30,auto,3\nE1,Escort,2026-03-10,08:00,12:00,2,\n",
        requests="volunteer_id,day,date,shift_id,want,weight\n"
        "V01,Mon,,M1,yes,\nV02,2026-03-02,,,no,3\nV02,,2026-03-09,,否,\n",
        campaign="date,clinic_id,open,close\n2026-03-10,C1,,\n2026-03-11,C1,09:00,11:00\n",
        travel="from_id,to_id,mode,minutes\nK1,R001,,7\nK1,R002,Bike,4.5\n",
    )
    c = community_from_csv_texts(texts, as_of=AS_OF)
    m1, e1 = c.shifts
    assert (m1.day, m1.min_volunteers, m1.max_volunteers) == ("Mon", None, 3)
    assert (e1.date, e1.role, e1.min_volunteers, e1.max_volunteers) == (
        dt.date(2026, 3, 10),
        "escort",
        2,
        None,
    )
    q1, q2, q3 = c.requests
    assert (q1.day, q1.shift_id, q1.want, q1.weight) == ("Mon", "M1", True, 1)
    assert (q2.date, q2.want, q2.weight) == (dt.date(2026, 3, 2), False, 3)
    assert (q3.date, q3.want) == (dt.date(2026, 3, 9), False)
    assert [(d.open, d.close) for d in c.campaign] == [(None, None), (540, 660)]
    assert [(t.mode, t.minutes) for t in c.travel] == [("any", 7.0), ("bike", 4.5)]


def test_weekly_shift_id_is_unique_but_a_dated_one_may_repeat():
    dated = SHIFTS + "X1,meals,2026-03-02,09:00,12:00\nX1,meals,2026-03-09,09:00,12:00\n"
    c = community_from_csv_texts(csv_texts(shifts=dated), as_of=AS_OF)
    assert [s.shift_id for s in c.shifts] == ["M1", "X1", "X1"]
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(shifts=SHIFTS + "M1,meals,Tue,10:30,13:30\n"))
    assert caught.value.problems == [
        "shifts.csv row 3 (shift M1), column shift_id: weekly shift M1 is also on row 2; give "
        "each weekly shift its own id"
    ]


def test_volunteer_pledges_and_shift_limits():
    volunteers = (
        "volunteer_id,name,mode,skills,max_consecutive_days,min_days_off_in_a_row,"
        "max_weekends,max_minutes_per_period,max_shifts_by_id\n"
        "V01,A,bike,meals,4,2,1,600,M1=2\n"
        "V02,B,walk,meals,,,,,\n"
    )
    c = community_from_csv_texts(csv_texts(volunteers=volunteers, shifts=SHIFTS), as_of=AS_OF)
    v1 = c.volunteers[0]
    assert (v1.max_consecutive_days, v1.min_days_off_in_a_row, v1.max_weekends) == (4, 2, 1)
    assert (v1.max_minutes_per_period, v1.max_shifts_by_id) == (600, {"M1": 2})
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(
            csv_texts(volunteers=volunteers.replace("M1=2", "M9=2;E1 two"), shifts=SHIFTS)
        )
    assert caught.value.problems == [
        "volunteers.csv row 2 (volunteer V01), column max_shifts_by_id: 'E1 two' is not "
        "shift_id=count; write for example EVE=2;SAT=1",
        "volunteers.csv row 2 (volunteer V01), column max_shifts_by_id: shift M9 is not in "
        "shifts.csv; correct the shift_id or remove the limit",
    ]


def test_request_naming_a_shift_without_shifts_csv_is_reported_with_its_row():
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(requests="volunteer_id,day,shift_id\nV01,Mon,M1\n"))
    assert caught.value.problems == [
        "requests.csv row 2 (volunteer V01), column shift_id: shift M1 is not in shifts.csv; "
        "correct the id or leave it empty for any shift that day"
    ]


def test_request_with_a_weekday_and_a_date_that_disagree_is_reported():
    """Binds: 2026-03-03 is a Tuesday, the day column says Mon: neither is dropped
    silently. Inactive: a weekday that matches the date is fine, and the date is kept."""
    header = "volunteer_id,day,date,want\n"
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(requests=header + "V01,Mon,2026-03-03,yes\n"))
    assert caught.value.problems == [
        "requests.csv row 2 (volunteer V01), column date: 2026-03-03 is a Tue, but day says "
        "Mon; give only one of them"
    ]
    c = community_from_csv_texts(csv_texts(requests=header + "V01,Tue,2026-03-03,yes\n"))
    (q,) = c.requests
    assert (q.day, q.date) == (None, dt.date(2026, 3, 3))


def test_residents_with_only_a_header_warn_that_there_is_nothing_to_plan():
    with pytest.warns(CarecalWarning) as record:
        c = read_community(DATA / "ResidentsHeaderOnly", as_of=AS_OF)
    assert c.residents == ()
    assert [str(w.message) for w in record] == [
        "residents.csv has no rows: nothing to plan for meals or health checks"
    ]


TWO_CLINICS = (
    "site_id,kind,name,lat,lon,open,close,slot_minutes,places_per_slot,check_minutes\n"
    "K1,kitchen,Kitchen,31.2305,121.4710,07:00,14:00,,,\n"
    "C1,clinic,North,31.2330,121.4750,08:00,12:00,15,2,20\n"
    "C2,clinic,South,31.2290,121.4700,13:00,17:00,15,2,20\n"
)


def test_campaign_key_is_date_and_clinic():
    """Inactive: two clinics on one date. Binds: one clinic twice on a date, both rows named."""
    campaign = "date,clinic_id\n2026-03-10,C1\n2026-03-10,C2\n2026-03-11,C1\n"
    c = community_from_csv_texts(csv_texts(sites=TWO_CLINICS, campaign=campaign), as_of=AS_OF)
    assert [(d.date.day, d.clinic_id) for d in c.campaign] == [(10, "C1"), (10, "C2"), (11, "C1")]
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(
            csv_texts(sites=TWO_CLINICS, campaign=campaign + "2026-03-10,C2\n"), as_of=AS_OF
        )
    assert caught.value.problems == [
        "campaign.csv row 5 (clinic C2), column clinic_id: clinic C2 on 2026-03-10 is also on "
        "row 3; campaign.csv has one row per date and clinic: delete one of the two rows, "
        "keeping the hours you mean"
    ]


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ("11:00,", None),  # opens later, before the clinic's own closing time 12:00
        (",09:00", None),  # closes early, after the clinic's own opening time 08:00
        ("12:00,", "column open: 12:00 is not before C1's closing time 12:00 in sites.csv"),
        (",07:30", "column close: 07:30 is not after C1's opening time 08:00 in sites.csv"),
        ("11:00,10:00", "column close: the clinic hours 11:00–10:00 close before they open"),
    ],
)
def test_campaign_day_hours_with_the_clinics_own(hours: str, problem: str | None):
    texts = csv_texts(campaign=f"date,clinic_id,open,close\n2026-03-10,C1,{hours}\n")
    if problem is None:
        (day,) = community_from_csv_texts(texts, as_of=AS_OF).campaign
        assert day.clinic_id == "C1"
        return
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(texts, as_of=AS_OF)
    (found,) = caught.value.problems
    assert found.startswith(f"campaign.csv row 2 (clinic C1), {problem}")


def test_campaign_day_shorter_than_one_check_warns():
    """Binds: 09:00–09:10 holds no 20-minute check. Inactive: 09:00–09:20 holds one."""
    texts = csv_texts(campaign="date,clinic_id,open,close\n2026-03-10,C1,09:00,09:10\n")
    with pytest.warns(CarecalWarning, match=r"campaign.csv row 2 \(clinic C1\): clinic C1 is "):
        community_from_csv_texts(texts, as_of=AS_OF)
    texts = csv_texts(campaign="date,clinic_id,open,close\n2026-03-10,C1,09:00,09:20\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)
        community_from_csv_texts(texts, as_of=AS_OF)


@pytest.mark.parametrize(
    ("minutes", "problem"),
    [
        ("inf", "'inf' is not a number carecal can use"),
        ("-Infinity", "'-Infinity' is not a number carecal can use"),
        ("nan", "'nan' is not a number carecal can use"),
        ("1e400", "'1e400' is not a number carecal can use"),
        ("-3", "-3 is below 0"),
        ("1441", "1441 minutes is more than a day (1440)"),
        ("1e9", "1e9 minutes is more than a day (1440)"),
        ("1440", None),
        ("0", None),
    ],
)
def test_travel_minutes_are_finite_and_at_most_a_day(minutes: str, problem: str | None):
    texts = csv_texts(travel=f"from_id,to_id,mode,minutes\nK1,R001,walk,{minutes}\n")
    if problem is None:
        (row,) = community_from_csv_texts(texts, as_of=AS_OF).travel
        assert row.minutes == float(minutes)
        return
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(texts, as_of=AS_OF)
    assert caught.value.problems == [
        f"travel.csv row 2 (place K1), column minutes: {problem}; "
        + (
            "write the travel time in minutes, for example 12"
            if "day" in problem
            else "write 0 or more"
            if "below" in problem
            else "write an ordinary number such as 12 or 31.23"
        )
    ]


def test_a_number_of_100000_digits_is_a_cell_error_with_row_and_column():
    residents = (
        f"resident_id,name,age,lat,lon,mobility\nR1,A,{'9' * 100_000},31.2301,121.4705,walker\n"
    )
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    assert caught.value.problems == [
        "residents.csv row 2 (resident R1), column age: '999999999999… (100,000 characters)' "
        "is not a number carecal can use; write an ordinary number such as 12 or 31.23"
    ]


def test_auto_on_a_centre_shift_warns_but_not_on_a_meal_shift():
    shifts = "shift_id,role,day,start,end,min_volunteers\nM1,meals,Mon,10:30,13:30,auto\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)
        community_from_csv_texts(csv_texts(shifts=shifts), as_of=AS_OF)
    with pytest.warns(
        CarecalWarning,
        match=r"shifts.csv row 3 \(shift D1\), column min_volunteers: auto on a centre shift "
        "asks for no one",
    ):
        community_from_csv_texts(
            csv_texts(shifts=shifts + "D1,centre,Mon,09:00,12:00,auto\n"), as_of=AS_OF
        )


def test_several_clinics_without_campaign_csv_warn():
    """Binds: two clinics and no campaign.csv. Inactive: with campaign.csv, or one clinic."""
    with pytest.warns(CarecalWarning, match=r"sites.csv has 2 clinics \(C1, C2\) and there is no "):
        community_from_csv_texts(csv_texts(sites=TWO_CLINICS), as_of=AS_OF)
    campaign = "date,clinic_id\n2026-03-10,C2\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)
        community_from_csv_texts(csv_texts(sites=TWO_CLINICS, campaign=campaign), as_of=AS_OF)
        community_from_csv_texts(csv_texts(), as_of=AS_OF)


def test_folder_written_by_excel_in_chinese_reads_as_the_english_one(valid):
    """tests/data/ChineseExcelCsv is tests/data/Valid as a Chinese centre's Excel saves it
    (GB18030): Chinese headers, 1938/4/2, 2025年1月10日, full-width digits, 周一, 9点,
    是/否/√/×, 轮椅, 送餐；陪诊."""
    assert read_folder("ChineseExcelCsv").model_dump() == valid.model_dump()


def test_two_headers_for_one_column_is_one_problem_not_a_row_each():
    with pytest.raises(CommunityError) as caught:
        read_folder("TwoHeadersForOneColumn")
    assert len(caught.value.problems) == 1, caught.value.problems


def test_a_problem_names_a_chinese_column_as_written_with_its_name():
    texts = csv_texts(
        residents=(DATA / "ChineseExcelCsv" / "residents.csv")
        .read_bytes()
        .decode("gb18030")
        .replace("2025年1月10日", "2025年13月10日")
    )
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(texts, as_of=AS_OF)
    assert caught.value.problems == [
        "residents.csv row 2 (resident R001), column 上次体检 (last_check): '2025年13月10日' "
        "is not a date on the calendar; correct the month or the day (write it as "
        "YYYY-MM-DD, for example 2026-03-02)"
    ]


def test_a_missing_column_names_its_chinese_header_too():
    residents = "编号,姓名,年龄,纬度,经度\nR001,Wang Fang,80,31.2301,121.4705\n"
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    assert caught.value.problems == [
        "residents.csv has no column mobility; add it: how the resident gets about "
        "(independent, walker, wheelchair or bedridden) (its header may also be 行动能力)"
    ]


def test_chinese_words_for_auto_and_the_site_kinds():
    shifts = "班次编号,岗位,星期,开始,结束,最少人数\nM1,送餐,周一,10:30,13:30,自动\n"
    sites = (
        "站点编号,类型,名称,纬度,经度,开门,关门,时段分钟,每时段名额,体检分钟\n"
        "K1,长者食堂,,31.2305,121.4710,07:00,14:00,,,\n"
        "C1,社区卫生服务中心,,31.2330,121.4750,08:00,12:00,15,2,20\n"
    )
    campaign = "日期,诊所编号\n2026年3月10日,C1\n"
    c = community_from_csv_texts(
        csv_texts(shifts=shifts, sites=sites, campaign=campaign), as_of=AS_OF
    )
    assert c.shifts[0].min_volunteers is None and c.shifts[0].role == "meals"
    assert [s.kind for s in c.sites] == ["kitchen", "clinic"]
    assert c.campaign[0].date == dt.date(2026, 3, 10)
