"""policy.toml: parsed from text or a file, every problem listed with a did-you-mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecal.io import parse_policy, read_policy
from carecal.model import CommunityError


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
    text = "\n".join(caught.value.problems)
    assert "did you mean max_food_minutes?" in text
    assert "capacity.scooter is not a travel mode" in text


def test_read_policy_of_a_missing_file():
    with pytest.raises(CommunityError, match="does not exist"):
        read_policy("nowhere/policy.toml")
