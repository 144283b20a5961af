"""Translations of the web shell: one JSON catalogue per language under ``locales/``.

Simplified Chinese is the default because the platform's users are Chinese enterprises; English
is one click away. The language is chosen, in this order, by the ``lang`` cookie (set by the
switch link), the signed-in user's saved locale, the browser's ``Accept-Language``, and the
default. A key missing from a catalogue falls back to the default language and then to the key
itself, so a forgotten translation shows up as a visible key instead of breaking the page
(the tests check that both catalogues have the same keys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "zh-CN"
SUPPORTED = ("zh-CN", "en")
#: What the language switch shows for each language, in that language.
LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}


@lru_cache(maxsize=len(SUPPORTED))
def catalogue(lang: str) -> dict[str, str]:
    """The messages of `lang` (one of `SUPPORTED`), read once from its JSON file."""
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}; choose from {SUPPORTED}")
    data = json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{lang}.json must map keys to strings")
    return {str(k): str(v) for k, v in data.items()}


def normalise(tag: str | None) -> str | None:
    """The supported language a BCP 47 tag asks for (``zh-Hans-CN`` → ``zh-CN``), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    if primary == "zh":
        return "zh-CN"
    if primary == "en":
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an ``Accept-Language`` header (RFC 9110 q-values)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if (lang := normalise(tag)) is not None and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def negotiate(cookie: str | None, user_locale: str | None, accept_language: str | None) -> str:
    """The page language: explicit choice, then the user's setting, the browser, the default."""
    return (
        normalise(cookie)
        or normalise(user_locale)
        or from_accept_language(accept_language)
        or DEFAULT_LANG
    )


@dataclass(frozen=True)
class Translator:
    """Looks up messages of one language; ``t("key", n=3)`` fills ``{n}`` placeholders."""

    lang: str

    def __call__(self, key: str, **params: object) -> str:
        text = catalogue(self.lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        """True when the catalogue defines `key` (used for optional labels like enum values)."""
        return key in catalogue(self.lang)

    def label(self, prefix: str, value: str | None) -> str:
        """The translated label of an enumerated value (``kind.plant``), else the value."""
        if value is None:
            return ""
        key = f"{prefix}.{value}"
        return self(key) if self.has(key) else value
