"""English dates that no reader can misread, whichever side of the Atlantic they are
on: "7 Dec 2026", "7 December 2026, 17:30" (day before month, 24-hour clock, the
month in words)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
