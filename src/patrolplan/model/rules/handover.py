"""Handover: in staggered zones the arriving team overlaps the leaving one (a hard rule).

With ``modes.handover_minutes`` = ``H`` > 0, a shift at a hotspot of a staggered zone counts
for a slot only if, when the next slot is demanded too, it stays on site ``H`` minutes into it,
so the team taking over for the next slot arrives before this one leaves; and no shift leaves
less than ``H`` minutes after a demanded run starts (:func:`leaves_as_a_run_starts`): the team
arriving for that run would have nobody on site ``H`` minutes before it to take over from. It
acts on which slots a candidate shift covers (:func:`trim_tail`) and which candidates there are,
both in the shifts family, so it adds no rows of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules._types import Relaxation

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem

NAME = "handover"
HARD = True


def overlap_min(config, zone_mode: str) -> int:
    """Minutes a leaving team must stay into a demanded next slot at a hotspot of this mode."""
    return int(config.modes.handover_minutes) if zone_mode == "staggered" else 0


def trim_tail(k0: np.ndarray, k1: np.ndarray, on_site_end: np.ndarray, slot: int, overlap: int,
              demanded_row: np.ndarray, n_k: int) -> np.ndarray:
    """Drop trailing covered slots ``[k0, k1)`` whose successor is demanded but not overlapped
    by ``overlap`` minutes (the shift leaves before the next team can have taken over)."""
    k1 = k1.copy()
    for i in range(k1.size):
        while k1[i] > k0[i]:
            last_end = k1[i] * slot  # end of the last covered slot
            if k1[i] < n_k and demanded_row[k1[i]] and on_site_end[i] < last_end + overlap:
                k1[i] -= 1
            else:
                break
    return k1


def leaves_as_a_run_starts(on_site_end: np.ndarray, slot: int, overlap: int, demanded_row: np.ndarray,
                           n_k: int) -> np.ndarray:
    """Which shifts leave (``on_site_end`` = ``e``, inside the horizon) during a demanded slot
    less than ``overlap`` minutes after the start of that slot's demanded run (the week's first
    slot starts a run): nobody the model keeps on site can have arrived ``overlap`` minutes
    before ``e``, so whoever covers the run hands over too briefly. Elsewhere the cover keeps
    the handover: the slot holding ``e - overlap`` is demanded, and whoever covers it (never this
    shift, by :func:`trim_tail`) is still on site after ``e``."""
    idx = np.arange(n_k)
    starts = demanded_row & np.concatenate([[True], ~demanded_row[:-1]])
    run_start = np.maximum.accumulate(np.where(starts, idx, 0))
    e = np.asarray(on_site_end)
    k = np.clip(e // slot, 0, n_k - 1)
    inside = (e > 0) & (e < n_k * slot)
    return inside & demanded_row[k] & (e < run_start[k] * slot + overlap)


def relaxations(p: Problem) -> list[Relaxation]:
    """The handover overlap dropped (``modes.handover_minutes: 0``)."""
    cfg = p.config
    if cfg.modes.handover_minutes <= 0 or "staggered" not in p.zone_mode:
        return []
    return [Relaxation("handover", "the staggered handover overlap", "shorten `modes.handover_minutes`",
                       lambda: p.rebuilt(config=cfg.replace(modes=cfg.modes.model_copy(update={"handover_minutes": 0}))))]


def precheck(p: Problem) -> list[str]:
    """None: a slot it leaves uncoverable is the coverage family's finding."""
    return []
