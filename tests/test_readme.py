"""The README keeps its promises: the two set-up commands, the policy table, the commands."""

from __future__ import annotations

import re
from pathlib import Path

from carecal.cli import _parser
from carecal.policy import Policy

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_two_one_line_setup_commands_at_the_top() -> None:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None and README.index("```bash") < 200
    commands = block.group(1).strip().splitlines()
    assert len(commands) == 2
    assert commands[0].endswith("carecal demo")
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    assert block.group(1).strip().splitlines()[1] in ci


def test_every_policy_rule_is_listed_with_its_default() -> None:
    for name in Policy.model_fields:
        assert re.search(rf"\| `{name}` \| [^|]+ \|", README), f"policy {name} not in README"


def test_every_command_is_documented() -> None:
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"`carecal {name}" in README, f"carecal {name} not in README"
