"""The shape of Chinese small-appliance retail demand: week, year, climate and festivals.

Yearly seasons are monthly profiles per category (fans in summer, heaters and electric
blankets in winter, dehumidifiers in the plum-rain months), interpolated smoothly over the day
of the year. Climate scales a category by store latitude: homes north of about 36°N have
central heating, so they buy fewer heaters and more humidifiers; the humid south buys
dehumidifiers. Festivals multiply every item's demand on their days.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from supplymesh.network.demo.holidays import SPRING_FESTIVAL

_MONTHLY = {
    "rice_cooker": (1.25, 1.1, 0.9, 0.9, 0.95, 0.9, 0.85, 0.9, 1.05, 1.05, 1.1, 1.05),
    "pressure_cooker": (1.25, 1.1, 0.9, 0.85, 0.85, 0.8, 0.75, 0.8, 1.0, 1.1, 1.2, 1.3),
    "kettle": (1.2, 1.1, 1.0, 0.95, 0.9, 0.85, 0.85, 0.85, 0.95, 1.05, 1.15, 1.2),
    "health_pot": (1.3, 1.2, 1.0, 0.9, 0.8, 0.7, 0.7, 0.75, 0.95, 1.1, 1.25, 1.35),
    "air_fryer": (1.0, 1.05, 1.0, 1.0, 1.0, 0.95, 0.9, 0.9, 1.0, 1.05, 1.1, 1.05),
    "blender": (0.9, 0.9, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 0.95, 0.95, 0.95, 0.9),
    "induction_cooker": (1.3, 1.15, 0.9, 0.85, 0.8, 0.75, 0.75, 0.8, 0.95, 1.1, 1.25, 1.4),
    "fan": (0.08, 0.08, 0.2, 0.6, 1.5, 2.6, 3.0, 2.3, 1.0, 0.3, 0.1, 0.08),
    "heater": (2.6, 1.6, 0.6, 0.15, 0.05, 0.03, 0.03, 0.05, 0.2, 0.9, 2.2, 3.0),
    "humidifier": (1.8, 1.5, 1.0, 0.6, 0.4, 0.3, 0.3, 0.35, 0.6, 1.1, 1.7, 2.0),
    "dehumidifier": (0.3, 0.6, 1.5, 1.8, 2.2, 2.6, 1.6, 0.9, 0.5, 0.3, 0.2, 0.25),
    "electric_blanket": (2.5, 1.2, 0.3, 0.05, 0.03, 0.02, 0.02, 0.03, 0.2, 1.2, 3.2, 3.5),
    "garment_steamer": (1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.0, 1.1, 1.0),
}
_MID_MONTH = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0])
_MID_MONTH = np.append(_MID_MONTH, 349.5)

# Price elasticity (demand falls by this many percent per percent of price) and yearly trend.
ELASTICITY = {"rice_cooker": 1.6, "pressure_cooker": 1.5, "kettle": 1.8, "health_pot": 1.7}
ELASTICITY |= {"air_fryer": 2.0, "blender": 1.9, "induction_cooker": 1.8, "fan": 1.7}
ELASTICITY |= {"heater": 1.5, "humidifier": 1.6, "dehumidifier": 1.3, "electric_blanket": 1.4}
ELASTICITY |= {"garment_steamer": 1.8, "hair_dryer": 1.9, "accessory": 0.8}
CATEGORY_TREND = {"air_fryer": 0.22, "hair_dryer": 0.15, "health_pot": 0.08, "blender": -0.05}
CATEGORY_TREND |= {"induction_cooker": -0.06, "electric_blanket": -0.04, "dehumidifier": 0.1}
CATEGORY_TREND |= {"rice_cooker": 0.02, "kettle": 0.0}

GIFTS = frozenset({"rice_cooker", "pressure_cooker", "health_pot", "blender", "kettle"})
WINTER = frozenset({"heater", "electric_blanket", "humidifier"})
SUMMER = frozenset({"fan", "dehumidifier"})
# Monday .. Sunday: people shop for appliances at the weekend.
WEEKLY = np.array([0.86, 0.83, 0.85, 0.89, 1.02, 1.32, 1.23])
WEEKLY = WEEKLY / WEEKLY.mean()


def season_curve(category: str, dates: list[date]) -> npt.NDArray[np.float64]:
    """The category's yearly factor on each day, mean 1 over a year."""
    profile = np.array(_MONTHLY.get(category, (1.0,) * 12))
    profile = profile / profile.mean()
    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=np.float64)
    curve: npt.NDArray[np.float64] = np.interp(doy, _MID_MONTH, profile, period=365.25)
    return curve


def weekly_pattern(dates: list[date]) -> npt.NDArray[np.float64]:
    factors: npt.NDArray[np.float64] = WEEKLY[np.array([d.weekday() for d in dates])]
    return factors


def climate_factor(category: str, latitude: float) -> float:
    """How much more (or less) a store at `latitude` sells of `category` than average."""
    north, south = latitude >= 36.0, latitude < 27.0
    if category in ("heater", "electric_blanket"):
        return 0.6 if north else 0.5 if south else 1.4
    if category == "humidifier":
        return 1.6 if north else 0.8
    if category == "dehumidifier":
        return 1.5 if latitude < 32.0 else 0.3
    if category == "fan":
        return 1.3 if south else 0.6 if latitude >= 40.0 else 1.0
    return 1.0


def _window(dates: list[date], first: date, last: date) -> npt.NDArray[np.bool_]:
    return np.array([first <= d <= last for d in dates])


def event_factors(
    dates: list[date],
    categories: list[str],
    colours: list[str],
    category_of: npt.NDArray[np.int32],
) -> npt.NDArray[np.float64]:
    """Festival factor per item and day: Spring Festival, 618, Double-11 and golden weeks.

    Before the Spring Festival people buy (gifts above all, and red ones), stores close for
    the first four days of the new year and business is slow for two weeks after. 618 and
    Double-11 peak on the day after a build-up and leave a short hangover.
    """
    n = len(dates)
    every, gift, winter, summer, red = (np.ones(n) for _ in range(5))

    def scale(arr: npt.NDArray[np.float64], a: date, b: date, f: float) -> None:
        arr[_window(dates, a, b)] *= f

    for year in sorted({d.year for d in dates}):
        sf = SPRING_FESTIVAL.get(year)
        if sf is not None:
            for lo, hi, f in ((-21, -8, 1.2), (-7, -2, 1.5), (-1, -1, 0.5), (0, 3, 0.0)):
                scale(every, sf + timedelta(lo), sf + timedelta(hi), f)
            scale(every, sf + timedelta(4), sf + timedelta(7), 0.55)
            scale(every, sf + timedelta(8), sf + timedelta(14), 0.8)
            scale(gift, sf - timedelta(21), sf - timedelta(2), 1.3)
            scale(red, sf - timedelta(21), sf - timedelta(1), 1.4)
        for lo, hi, f in ((1, 14, 1.15), (15, 17, 1.4), (18, 18, 2.8), (19, 24, 0.85)):
            scale(every, date(year, 6, lo), date(year, 6, hi), f)
        scale(summer, date(year, 6, 1), date(year, 6, 18), 1.3)
        for lo, hi, f in ((1, 10, 1.1), (11, 11, 3.2), (12, 17, 0.8)):
            scale(every, date(year, 11, lo), date(year, 11, hi), f)
        scale(winter, date(year, 11, 1), date(year, 11, 11), 1.3)
        scale(every, date(year, 10, 1), date(year, 10, 7), 1.35)
        scale(every, date(year, 5, 1), date(year, 5, 5), 1.25)
    rows = []
    for c in categories:
        row = every * (gift if c in GIFTS else 1.0) * (winter if c in WINTER else 1.0)
        rows.append(row * (summer if c in SUMMER else 1.0))
    per_category = np.stack(rows)
    out = per_category[category_of]
    out[np.array([c == "RD" for c in colours])] *= red
    return out
