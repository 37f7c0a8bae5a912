"""XML Schema dateTime handling for credentials (VC Data Model 2.0, section 4.9 "Validity Period": dateTimeStamp).

Credentials carry UTC timestamps in whole seconds with a ``Z``; naive datetimes (SQLite returns them) are UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

Clock = Callable[[], datetime]

# XML Schema 1.1 Part 2, section 3.4.28 dateTimeStamp: a dateTime whose timezone is mandatory (DI 1.0 requires
# "created" and "expires" to be dateTimeStamps).
_DATETIME_STAMP = re.compile(
    r"^(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?:\.(?P<frac>[0-9]+))?"
    r"|(?P<midnight>24:00:00(?:\.0+)?))"
    r"(?P<tz>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))$"
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def to_xsd(dt: datetime) -> str:
    return as_utc(dt).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime_stamp(value: Any) -> datetime:
    """An aware datetime for an XSD dateTimeStamp string; ValueError if it is not one (or not representable)."""
    match = _DATETIME_STAMP.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not an XML Schema dateTimeStamp (e.g. 2024-01-01T00:00:00Z)")
    g = match.groupdict()
    year = int(g["year"])
    if not 1 <= year <= 9999:
        raise ValueError(f"{value!r} has a year outside 0001-9999")
    tz = timezone.utc
    if g["tz"] != "Z":
        sign = 1 if g["tz"][0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(g["tz"][1:3]), minutes=int(g["tz"][4:6])))
    if g["midnight"]:
        # 24:00:00 is the first instant of the next day (XSD allows it, Python's datetime does not).
        base = datetime(year, int(g["month"]), int(g["day"]), tzinfo=tz)
        return base + timedelta(days=1)
    micro = int((g["frac"] or "0")[:6].ljust(6, "0"))
    return datetime(year, int(g["month"]), int(g["day"]), int(g["hour"]), int(g["minute"]), int(g["second"]),
                     micro, tzinfo=tz)  # raises ValueError for 2023-02-30 and the like


def parse_xsd(value: object) -> datetime | None:
    """A UTC datetime, or None when ``value`` is not an XML Schema dateTimeStamp."""
    try:
        return as_utc(parse_datetime_stamp(value))
    except (ValueError, OverflowError):
        return None
