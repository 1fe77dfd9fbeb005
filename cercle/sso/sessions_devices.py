"""A session's device and browser in a few words, read from its User-Agent header.

A small reading of the common browsers and systems, enough for a person to tell their
laptop from their phone; an unknown agent shows as it is, shortened."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chromium", re.compile(r"Chromium/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows NT")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux|X11")),
)
_PHONES = {"iPhone", "Android"}


@dataclass(frozen=True)
class Device:
    browser: str  # "Firefox 133", or "" when unknown
    system: str  # "Windows", or ""
    kind: str  # "phone", "tablet" or "computer"
    raw: str

    @property
    def label(self) -> str:
        if self.browser and self.system:
            return f"{self.browser} · {self.system}"
        return self.browser or self.system or (self.raw[:60] if self.raw else "?")


def describe(user_agent: str) -> Device:
    browser = ""
    for name, pattern in _BROWSERS:
        found = pattern.search(user_agent)
        if found:
            browser = f"{name} {found.group(1)}"
            break
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if system == "iPad" or ("Android" in user_agent and "Mobile" not in user_agent):
        kind = "tablet"
    elif system in _PHONES or "Mobile" in user_agent:
        kind = "phone"
    else:
        kind = "computer"
    return Device(browser=browser, system=system, kind=kind, raw=user_agent)
