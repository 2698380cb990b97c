"""policy.toml: parsed from text or a file, every problem listed with the file name, the key,
the value and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from io_data import AS_OF

from carecal.io import parse_policy, read_community, read_policy, write_community
from carecal.model import Community, CommunityError
from carecal.policy import Policy


def test_policy_from_folder_and_text(tmp_path: Path):
    text = 'meals_ready = "10:30"\nmax_food_minutes = 40\n[capacity]\nwalk = 5\n'
    policy = parse_policy(text)
    assert (policy.meals_ready, policy.max_food_minutes) == (630, 40)
    assert policy.capacity == {"walk": 5, "bike": 8, "ebike": 12, "car": 24}
    (tmp_path / "policy.toml").write_text(text, encoding="utf-8")
    assert read_policy(tmp_path / "policy.toml") == policy
    assert read_policy(str(tmp_path / "policy.toml")) == policy
    assert read_policy(text) == policy


def test_policy_problems_are_all_listed():
    with pytest.raises(CommunityError) as caught:
        parse_policy('max_food_minuts = 40\nmeals_ready = "late"\n[capacity]\nscooter = 3\n')
    problems = caught.value.problems
    assert len(problems) == 3
    assert all(p.startswith("policy.toml: ") for p in problems)
    text = "\n".join(problems)
    assert "max_food_minuts = 40: is not a policy setting; did you mean max_food_minutes?" in text
    assert "capacity.scooter = 3: scooter is not a travel mode" in text


def test_read_policy_of_a_missing_file():
    with pytest.raises(CommunityError, match="does not exist"):
        read_policy("nowhere/policy.toml")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "meals_ready = 1045",
            'policy.toml: meals_ready = 1045: a number is not a time here; write it as "HH:MM" '
            'in quotes, for example meals_ready = "10:45"',
        ),
        ("default_window_end = 1230.0", 'default_window_end = "12:30"'),
        # Not a clock time typed without quotes: the example is the default.
        ("meals_ready = 9999", 'for example meals_ready = "10:45"'),
        (
            'default_window_start = "13:00"',
            'policy.toml: default_window_start = "13:00", default_window_end = "12:30": the '
            "default delivery window 13:00–12:30 closes before it opens",
        ),
        ('meals_ready = "12:45"', 'meals_ready = "12:45", default_window_end = "12:30"'),
        ("speed_kmh = { walk = 0 }", "policy.toml: speed_kmh.walk = 0: must be above 0"),
        ("capacity.car = -3", "policy.toml: capacity.car = -3: is below 1"),
        ("max_food_minutes = true", "policy.toml: max_food_minutes = true: is a true/false"),
        ('escort_mobilities = ["flying"]', 'escort_mobilities = ["flying"]: flying is not'),
        ("forbidden_successions = [[1, 2]]", "[1, 2] is not a pair of shift ids"),
    ],
)
def test_bad_value_in_the_file_refused_with_key_and_fix(line: str, message: str):
    with pytest.raises(CommunityError) as caught:
        parse_policy(line + "\n")
    assert message in "\n".join(caught.value.problems)


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ('meals_ready = "10:15"', "meals_ready", 615),
        ("meals_ready = 10:15:00", "meals_ready", 615),  # a TOML time is a time too
        ('default_window_end = "24:00"', "default_window_end", 1440),
        ("speed_kmh.walk = 3", "speed_kmh", {**Policy().speed_kmh, "walk": 3.0}),
        ("max_food_minutes = 1", "max_food_minutes", 1),
        ('escort_mobilities = ["walker"]', "escort_mobilities", ("walker",)),
        (
            "forbidden_successions = [['late', 'early']]",
            "forbidden_successions",
            (("late", "early"),),
        ),
    ],
)
def test_valid_value_in_the_file_read(line: str, field: str, value: object):
    assert getattr(parse_policy(line + "\n"), field) == value


def test_a_policy_toml_in_gb18030_is_refused_with_the_file_name(tmp_path: Path):
    text = '# 送餐政策\nmeals_ready = "10:30"\n'
    path = tmp_path / "policy.toml"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(CommunityError) as caught:
        read_policy(path)
    (problem,) = caught.value.problems
    assert problem.startswith("policy.toml is not UTF-8 text")
    assert "save it again with the encoding UTF-8" in problem
    path.write_bytes(text.encode("utf-8"))
    assert read_policy(path).meals_ready == 630


def test_a_gb18030_policy_toml_in_a_folder_is_reported_by_read_community(
    tmp_path: Path, community: Community
):
    folder = tmp_path / "centre"
    write_community(community, folder)
    policy_file = folder / "policy.toml"
    policy_file.write_bytes("# 政策\nmax_food_minutes = 40\n".encode())
    assert read_community(folder, as_of=AS_OF).policy.max_food_minutes == 40
    policy_file.write_bytes("# 政策\nmax_food_minutes = 40\n".encode("gb18030"))
    with pytest.raises(CommunityError, match=r"policy\.toml is not UTF-8 text"):
        read_community(folder, as_of=AS_OF)


def test_a_written_policy_reads_back_unchanged(tmp_path: Path):
    from carecal.io.policy import policy_toml

    policy = Policy(
        meals_ready="10:30",
        capacity={"walk": 5},
        escort_mobilities=("wheelchair",),
        forbidden_successions=(("late", "early"),),
        max_weekends=2,
    )
    assert parse_policy(policy_toml(policy)) == policy
