"""The language of what carecal writes for people: English or Chinese.

Translations live in gettext message catalogs (``carecal/locale/zh_CN/LC_MESSAGES/
carecal.po``, shipped compiled as ``carecal.mo``); dates and weekday names come from Babel's
locale data. Nothing here is global: every function that writes words for people takes a
``lang`` (usually ``community.policy.lang``) and asks :func:`translator` for that
language's functions, so two plans in two languages can be written side by side.

Adding or fixing a translation is described in ``docs/languages.md``.

A sentence made before its language is known (an input problem, found while reading the
tables, before the policy says which language the centre speaks) is a :class:`Message`: the
English text, which is what ``str`` gives and what ``CarecalError.problems`` holds, with the
message id and its values kept beside it, so that :func:`render` can say it in any language
later. Its values (file names, rows, ids, the cell as written) are never translated.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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


# --- sentences said later -------------------------------------------------------------------


@runtime_checkable
class Sayable(Protocol):
    """Anything that can be said in a language: a :class:`Message`, an input problem."""

    def render(self, lang: str) -> str:
        """The text in ``lang`` (``en`` or ``zh``)."""
        ...


def _said(value: object, lang: str) -> object:
    """A placeholder's value in ``lang``: said when it can be, else as it is (an id, a cell,
    a number keeps its format spec)."""
    return value.render(lang) if isinstance(value, Sayable) else value


class Message(str):
    """A sentence (or part of one) for people: English as a ``str``, any language on request.

    It is a ``str`` whose value is the English text, so that code reading problems as text
    (``CarecalError.problems``, ``in``, sorting, logs, tests) is unchanged; :meth:`render`
    says it in another language from the catalog.

    Parameters
    ----------
    msgid
        The English sentence with named placeholders, marked for extraction:
        ``Message(N_("'{cell}' is not a number"), cell=text)``.
    **values
        The placeholders' values. A value that is itself :class:`Sayable` (a nested
        :class:`Message`, :class:`Choices`) is said in the same language; any other value
        (a file name, a row, an id, the cell as written, a number) is put in as it is.

    Examples
    --------
    >>> m = Message(N_("{resident}'s floor {floor} has no lift"), resident="R1", floor=4)
    >>> str(m)
    "R1's floor 4 has no lift"
    """

    msgid: str
    values: Mapping[str, object]

    def __new__(cls, msgid: str, /, **values: object) -> Message:
        self = super().__new__(cls, msgid.format(**values))
        self.msgid = msgid
        self.values = values
        return self

    def render(self, lang: str) -> str:
        """The sentence in ``lang``: the catalog's translation with the values put in."""
        if lang == "en":
            return str(self)
        template = translator(lang).gettext(self.msgid)
        return template.format(**{k: _said(v, lang) for k, v in self.values.items()})

    def with_values(self, **changes: object) -> Message:
        """The same sentence with some values changed (a long cell shortened)."""
        return type(self)(self.msgid, **{**self.values, **changes})

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its id and values (a problem crosses to a Dask worker and back).
        return (_message, (type(self), self.msgid, dict(self.values)))


def _message(cls: type[Message], msgid: str, values: dict[str, object]) -> Message:
    return cls(msgid, **values)


class Capitalised(Message):
    """A :class:`Message` whose first letter is a capital, as after ``?`` (``did you mean
    x? Use ...``); a language without capitals is left as it is."""

    def __new__(cls, msgid: str, /, **values: object) -> Capitalised:
        english = msgid.format(**values)
        self = str.__new__(cls, english[:1].upper() + english[1:])
        self.msgid = msgid
        self.values = values
        return self

    def render(self, lang: str) -> str:
        text = super().render(lang)
        return text[:1].upper() + text[1:]


class Choices(str):
    """Alternatives in a sentence: ``a, b or c`` (English), ``a、b 或 c`` (Chinese).

    The items (column values, headers) are put in as they are; the words between them
    come from the catalog.
    """

    items: tuple[str, ...]

    def __new__(cls, items: Sequence[str]) -> Choices:
        self = super().__new__(cls, _choices(tuple(items), "en"))
        self.items = tuple(items)
        return self

    def render(self, lang: str) -> str:
        """The alternatives in ``lang``."""
        return _choices(self.items, lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.items,))


def _choices(items: tuple[str, ...], lang: str) -> str:
    if len(items) <= 1:
        return items[0] if items else ""
    _ = translator(lang).gettext
    return _("{items} or {last}").format(items=_(", ").join(items[:-1]), last=items[-1])


class Word(str):
    """A word of the catalog put into a sentence (``resident``, ``meals``): English as a
    ``str``, translated when the sentence is said in another language. The word must be
    marked for extraction where it is declared (``N_("resident")``)."""

    def render(self, lang: str) -> str:
        """The word in ``lang``."""
        return translator(lang).gettext(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),))


def render(text: str, lang: str) -> str:
    """``text`` in ``lang`` when it can be said there (a :class:`Message`); else as it is."""
    return text.render(lang) if isinstance(text, Sayable) else text
