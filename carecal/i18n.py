"""The language of what carecal writes for people: English or Chinese.

Translations live in gettext message catalogs (``carecal/locale/zh_CN/LC_MESSAGES/
carecal.po``, shipped compiled as ``carecal.mo``); dates and weekday names come from Babel's
locale data. Nothing here is global: every function that writes words for people takes a
``lang`` (usually ``community.policy.lang``) and asks :func:`translator` for that
language's functions, so two plans in two languages can be written side by side.

Adding or fixing a translation is described in ``docs/languages.md``.

For the workbook (``--xlsx``, :mod:`carecal.io.workbook`, being added): its sheet names
and any header shown beside the English column names should come from here too, as
``translator(community.policy.lang).gettext(N_("route sheet"))``, re-extracted into the
catalog (``docs/dev/README.md``, "Translations"); the column names themselves stay English,
as in the CSV files, since they are the public contract.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "zh")
"""The languages carecal writes: ``en`` (English, the default) and ``zh`` (Chinese)."""

DOMAIN = "carecal"
"""The gettext domain: the catalogs are ``<locale>/LC_MESSAGES/carecal.mo``."""

LOCALE_DIR = Path(__file__).parent / "locale"
"""Where the compiled catalogs ship, inside the package."""

_LOCALES: dict[str, str] = {"en": "en", "zh": "zh_CN"}
_HTML_LANGS: dict[str, str] = {"en": "en", "zh": "zh-CN"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here (translated later)."""
    return message


@dataclass(frozen=True)
class Translator:
    """One language's words: gettext functions, dates and weekday names.

    Attributes
    ----------
    lang
        ``en`` or ``zh``.
    gettext
        The translation of a message (the message itself when it has none).
    ngettext
        The singular or plural form for a count.
    """

    lang: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]

    @property
    def locale(self) -> str:
        """The Babel/gettext locale name (``en``, ``zh_CN``)."""
        return _LOCALES[self.lang]

    @property
    def html_lang(self) -> str:
        """The value of ``<html lang=...>`` (``en``, ``zh-CN``)."""
        return _HTML_LANGS[self.lang]

    def date(self, day: dt.date) -> str:
        """``day`` written out with its weekday: ``Mon 2 Mar 2026`` / ``2026年3月2日 星期一``."""
        from babel.dates import format_date

        pattern = "y年M月d日 EEEE" if self.lang == "zh" else "EEE d MMM y"
        return format_date(day, pattern, locale=self.locale)

    def weekday(self, day: dt.date) -> str:
        """The weekday of ``day`` in full (``Monday`` / ``星期一``)."""
        from babel.dates import format_date

        return format_date(day, "EEEE", locale=self.locale)

    def short_weekday(self, day: dt.date) -> str:
        """The weekday of ``day`` abbreviated (``Mon`` / ``周一``)."""
        from babel.dates import format_date

        return format_date(day, "EEE", locale=self.locale)


def check_lang(lang: object) -> str:
    """``lang`` if carecal writes that language; else an ``OptionError`` naming the choices."""
    if lang not in LANGS:
        from carecal.errors import OptionError

        raise OptionError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return str(lang)


@functools.cache
def translator(lang: str = "en") -> Translator:
    """The words of ``lang`` (``en`` or ``zh``); English where a message has no translation.

    The result is immutable and cached per language, so asking for it in every function
    costs nothing and no call changes what another call writes.
    """
    lang = check_lang(lang)
    catalog: _gettext.NullTranslations
    if lang == "en":
        catalog = _gettext.NullTranslations()  # the messages are written in English
    else:
        catalog = _gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[_LOCALES[lang]], fallback=True
        )
    return Translator(lang=lang, gettext=catalog.gettext, ngettext=catalog.ngettext)
