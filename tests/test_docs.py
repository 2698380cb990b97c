"""The reference pages keep up with the code: every reason code of ``unserved.csv`` is
documented in docs/reasons.md, and that page documents no code the code does not give."""

from __future__ import annotations

import re
from pathlib import Path

from carecal.explain import CODES

ROOT = Path(__file__).parent.parent
REASONS = ROOT / "docs" / "reasons.md"

# A row of a reason table: the code, in backticks, in the first cell.
_CODE_ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|", re.M)


def documented_codes(text: str) -> list[str]:
    """The codes in the first column of the page's tables, in page order."""
    return _CODE_ROW.findall(text)


def test_the_code_pattern_reads_table_rows_only() -> None:
    # The tests below would pass vacuously if the pattern found nothing.
    text = "| code | meaning |\n| --- | --- |\n| `food_age` | too far |\nsee `window` in prose\n"
    assert documented_codes(text) == ["food_age"]


def test_every_reason_code_is_documented() -> None:
    text = REASONS.read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in text, f"reason code {code} is not in docs/reasons.md"
    assert set(CODES) <= set(documented_codes(text)), (
        "every code needs a row of its own in a table of docs/reasons.md"
    )


def test_every_documented_code_is_a_reason_code_once() -> None:
    codes = documented_codes(REASONS.read_text(encoding="utf-8"))
    unknown = sorted(set(codes) - set(CODES))
    assert not unknown, f"docs/reasons.md documents codes carecal never gives: {unknown}"
    twice = sorted({c for c in codes if codes.count(c) > 1})
    assert not twice, f"docs/reasons.md documents these codes twice: {twice}"
