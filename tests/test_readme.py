"""The docs keep their promises: the README's two set-up commands, a short README, the policy
page, the command-line page, and links that lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carecal.cli import _parser
from carecal.policy import Policy

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"

# The README is for users; tables, algorithms and benchmarks live in docs/ and benchmarks/.
README_MAX_BYTES = 14_000

# A Markdown link or image: [text](target) — the target up to a space or the closing bracket.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _command_names() -> list[str]:
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)  # type: ignore[arg-type]


def _linked_pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md")), ROOT / "benchmarks" / "README.md"]


def test_two_one_line_setup_commands_at_the_top() -> None:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None and README.index("```bash") < 200
    commands = block.group(1).strip().splitlines()
    assert commands == [
        "python3.11 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/carecal demo",
        'python3.11 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/pytest',
    ]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    test_command = block.group(1).strip().splitlines()[1]
    # On a line of its own, so a comment quoting it would not count.
    assert test_command in ci.splitlines()


def test_readme_is_short_and_links_nothing_outside_the_repository() -> None:
    size = len(README.encode("utf-8"))
    assert size < README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/"
    assert "http://" not in README and "https://" not in README


@pytest.mark.parametrize("page", _linked_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    # Code blocks and inline code may hold bracket-and-parenthesis text that is no link.
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # an absolute address, or an anchor on the same page
        path = target.split("#", 1)[0]
        if not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"


def test_the_link_pattern_finds_links() -> None:
    # The link test above passes vacuously if the pattern finds nothing; it must find these.
    text = 'see [a](docs/a.md) and [b](../b.md#part), ![img](x.png "title")'
    assert _LINK.findall(text) == ["docs/a.md", "../b.md#part", "x.png"]
    assert "docs/policy.md" in _LINK.findall(README)


def test_every_policy_rule_is_listed_with_its_default() -> None:
    policy_page = (DOCS / "policy.md").read_text(encoding="utf-8")
    for name in Policy.model_fields:
        assert re.search(rf"\| `{name}` \| [^|]+ \|", policy_page), (
            f"policy {name} not in docs/policy.md"
        )


def test_every_command_is_documented() -> None:
    cli_page = (DOCS / "cli.md").read_text(encoding="utf-8")
    help_text = _parser().format_help()
    names = _command_names()
    assert names
    for name in names:
        assert f"`carecal {name}" in cli_page, f"carecal {name} not in docs/cli.md"
        assert re.search(rf"^\s+{re.escape(name)}(\s|$)", help_text, re.M), (
            f"carecal {name} not in carecal --help"
        )
