"""Exact integer splits and random days: the small arithmetic every part of the demo uses."""

from __future__ import annotations

import random
from datetime import date, timedelta


def split_total(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Integers proportional to `weights`, each ≥ minimum, adding up to `total` exactly."""
    if not weights:
        return []
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError("total too small for the minimum")
    weight_sum = sum(weights) or 1.0
    raw = [spare * w / weight_sum for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def half_start(end: date) -> date:
    """The first day of the half-year ending on `end` (30/6 or 31/12; 30/9 for the last, partial one)."""
    return date(end.year, 1 if end.month <= 6 else 7, 1)
