"""Outputs in English or Chinese (issue 18 item 3): the catalogs are complete and compiled,
the language follows policy lang and --lang, and a plan folder in one language has nothing
of the other outside the centre's own names and addresses: the sheets, the kitchen's
packing list, the workbook, the monthly report and the input problems."""

from __future__ import annotations

import csv
import io
import json
import re
import string
from pathlib import Path

import openpyxl
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from carecal.cli import EXIT_OK, main
from carecal.datasets import sample_community, sample_folder
from carecal.errors import CommunityError, OptionError
from carecal.explain import campaign_clinic_full, shift_short
from carecal.i18n import LANGS, LOCALE_DIR, translator
from carecal.io.sheets.page import diet_text, floor_text

ROOT = Path(__file__).resolve().parents[1]
POT = LOCALE_DIR / "carecal.pot"
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "carecal.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return read_po(f)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _ids(messages) -> set[str | tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages if m.id}


# --- the catalogs ------------------------------------------------------------------------------


def test_every_message_has_both_languages() -> None:
    """Every msgid of the template has a Chinese translation, not empty and not fuzzy,
    with the same named placeholders (a translation may reorder them, never drop one)."""
    pot, po = _catalog(POT), _catalog(PO)
    assert len(pot) > 100
    assert not po.fuzzy
    translated = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in po if m.id}
    for message in pot:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else tuple(message.id)
        assert key in translated, f"no Chinese for {key!r}"
        zh = translated[key]
        assert not zh.fuzzy, f"fuzzy translation of {key!r}"
        strings = [zh.string] if isinstance(zh.string, str) else list(zh.string)
        assert strings and all(s.strip() for s in strings), f"empty translation of {key!r}"
        source = key if isinstance(key, str) else key[0]
        for s in strings:
            assert _fields(s) == _fields(source), f"placeholders differ in {key!r}"


def test_the_template_holds_every_message_of_the_code() -> None:
    """pybabel extract (babel.cfg) finds no message the template lacks, nor the reverse:
    whoever adds a sentence re-extracts and translates it (docs/dev/README.md)."""
    method_map = [
        ("carecal/**.py", "python"),
        ("carecal/io/sheets/templates/**.html", "jinja2.ext:babel_extract"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: set[str | tuple[str, ...]] = set()
    for _, _, message, _, _ in extract_from_dir(ROOT, method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else tuple(message))
    assert found == _ids(_catalog(POT))


def test_the_shipped_mo_is_the_compiled_po() -> None:
    """The .mo in the package is what pybabel compile makes of the .po today."""
    po = _catalog(PO)
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    with MO.open("rb") as f:
        shipped = read_mo(f)
    fresh = read_mo(compiled)
    assert _pairs(shipped) == _pairs(fresh)
    assert len(_pairs(shipped)) == len(_ids(po))


def _pairs(catalog) -> dict[object, object]:  # type: ignore[no-untyped-def]
    def plain(value: object) -> object:
        return value if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


# --- the translator ----------------------------------------------------------------------------


def test_translator_speaks_each_language_without_leaking() -> None:
    zh, en = translator("zh"), translator("en")
    assert zh.gettext("soft food") == "软食" and en.gettext("soft food") == "soft food"
    assert translator("zh").gettext("diabetic") == "糖尿病餐"  # asking for en changed nothing
    assert zh.html_lang == "zh-CN" and en.html_lang == "en"
    assert diet_text(["soft", "no_spicy", "kosher"], "zh") == "软食、少辣、kosher"
    assert diet_text(["soft", "no_spicy", "kosher"], "en") == "soft food, not spicy, kosher"
    day = sample_community().campaign[0].date
    assert CJK.search(zh.weekday(day)) and not CJK.search(en.weekday(day))
    with pytest.raises(OptionError, match="lang must be one of en, zh"):
        translator("fr")
    assert set(LANGS) == {"en", "zh"}


def test_policy_lang_is_checked_like_every_setting() -> None:
    community = sample_community()
    assert community.policy.lang == "en"
    assert community.with_policy(lang="zh").policy.lang == "zh"
    with pytest.raises(CommunityError, match=r"lang = \"cn\".*use en or zh"):
        community.with_policy(lang="cn")


def test_reasons_and_fixes_in_the_plans_language() -> None:
    """Chinese reorders the values freely; English keeps its sentences."""
    en = shift_short("EVE", "2026-03-02", "17:00–20:00", "escort", 2, 0, [], [], 0)
    zh = shift_short("EVE", "2026-03-02", "17:00–20:00", "escort", 2, 0, [], [], 0, "zh")
    assert en.code == zh.code == "short_staffed"
    assert en.reason.startswith("shift EVE on 2026-03-02 (17:00–20:00, escort) needs 2 volunteers")
    assert "EVE" in zh.reason and "陪护" in zh.reason and not CJK.search(en.reason + en.fix)
    full = campaign_clinic_full(3, 100, 90, 30, 30.0, "zh")
    assert "诊所" in full.reason and "100" in full.reason and CJK.search(full.fix)
    r = sample_community().residents[0].model_copy(update={"floor": 4, "has_lift": False})
    assert floor_text(r, "zh") == "4 楼，无电梯，走楼梯"
    assert floor_text(r, "en") == "floor 4, no lift, stairs"


# --- a whole plan folder -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo in each language, with its workbooks, and the monthly report of the
    demo's week (``report/``) in the same language."""
    out = {}
    for lang in LANGS:
        folder = tmp_path_factory.mktemp(f"demo-{lang}")
        args = ["-q", "demo", "--lang", lang, "--out", str(folder), "--time-limit", "2"]
        assert main([*args, "--xlsx"]) == EXIT_OK
        month = json.loads((folder / "week" / "manifest.json").read_text())["start"][:7]
        plans = [str(folder / "week"), str(folder / "health_checks")]
        report = ["-q", "report", str(sample_folder()), "--plans", *plans, "--month", month]
        assert main([*report, "--out", str(folder / "report"), "--lang", lang]) == EXIT_OK
        out[lang] = folder
    return out


def _workbook_text(path: Path) -> list[str]:
    """Every sheet name, header and cell of a workbook, as text."""
    book = openpyxl.load_workbook(path)
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        texts += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    return texts


def _unserved_text(folder: Path) -> list[str]:
    texts = []
    for path in folder.rglob("unserved.csv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            texts += [row["reason"] + " " + row["fix"] for row in csv.DictReader(f)]
    return texts


def test_demo_in_chinese_writes_chinese(demos: dict[str, Path]) -> None:
    folder = demos["zh"]
    pages = list(folder.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text, page
        assert "<script" not in text.lower()
    for summary in folder.rglob("summary.md"):
        headings = [
            line for line in summary.read_text(encoding="utf-8").splitlines() if line[:1] == "#"
        ]
        assert headings and all(CJK.search(h) for h in headings), headings
    reasons = _unserved_text(folder)
    assert reasons and all(CJK.search(t) for t in reasons)
    route = next((folder / "week" / "routes").glob("*.html")).read_text(encoding="utf-8")
    for words in ("到达", "姓名", "地址", "楼层", "份数", "饮食", "电话", "☐"):
        assert words in route
    packing = (folder / "week" / "packing_list.html").read_text(encoding="utf-8")
    for words in ("装餐清单", "出发", "送餐员", "当天厨房合计", "全部份数", "普通餐"):
        assert words in packing, words
    book = openpyxl.load_workbook(folder / "week" / "plan.xlsx")
    assert book.sheetnames[:2] == ["概要", "送餐路线"]
    for sheet in book.worksheets:
        assert all(CJK.search(str(h)) for h in next(sheet.iter_rows(values_only=True)))
    report = (folder / "report" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in report
    for words in ("月度服务报告", "每日送餐（份）", "已送达", "不在家", "拒收", "每日体检"):
        assert words in report, words


def test_demo_in_english_has_nothing_chinese_but_names_and_addresses(
    demos: dict[str, Path],
) -> None:
    folder = demos["en"]
    community = sample_community()
    own = [
        *(r.name for r in community.residents),
        *(r.address for r in community.residents),
        *(v.name for v in community.volunteers),
        *(s.name for s in community.sites),
    ]
    own = sorted({t for t in own if t}, key=len, reverse=True)

    def foreign(text: str) -> list[str]:
        for t in own:
            text = text.replace(t, "")
        return CJK.findall(text)

    pages = [*folder.rglob("*.html"), *folder.rglob("*.md")]
    assert folder / "week" / "packing_list.html" in pages
    assert folder / "report" / "report.html" in pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if page.suffix == ".html":
            assert '<html lang="en">' in text
        assert not foreign(text), (page, foreign(text)[:10])
    for text in _unserved_text(folder):
        assert not foreign(text), text
    for book in folder.rglob("plan.xlsx"):
        for text in _workbook_text(book):
            assert not foreign(text), (book, text)


def test_input_problems_in_either_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A roster Excel wrote with a date that does not exist: the problem in Chinese with
    --lang zh (the file, row, id and cell as written), in English otherwise."""
    data = tmp_path / "data"
    data.mkdir()
    for table in sample_folder().glob("*.csv"):
        text = table.read_text(encoding="utf-8-sig")
        if table.name == "residents.csv":
            header, first, *rest = text.splitlines()
            cells = first.split(",")
            cells[header.split(",").index("birth_date")] = "1950/2/30"
            text = "\n".join([header, ",".join(cells), *rest]) + "\n"
        (data / table.name).write_text(text, encoding="utf-8")
    for lang, words in (("zh", "在日历上不存在"), ("en", "is not a date on the calendar")):
        assert main(["-q", "validate", str(data), "--lang", lang]) == 2
        printed = capsys.readouterr().err
        assert words in printed and "'1950/2/30'" in printed
        assert printed.startswith("carecal: residents.csv ")
        assert bool(CJK.search(printed.replace(first.split(",")[1], ""))) == (lang == "zh")
