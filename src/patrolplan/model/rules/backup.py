r"""Backup: a second team within reach of every demanded hotspot-slot (``response.backup``).

The first tier of a serious incident is the team on site; the backup is the next team that
can come. Backup covering in patrol-area design counts a demand point *covered twice*
(Hogan & ReVelle 1986, BACOP; Curtin, Hayslett-McCall & Qiu 2010 for police patrol areas).
Here: a post-demanded hotspot ``h`` in slot ``k`` is **backed** when at least two teams are on
site for the whole slot at ``h`` or at hotspots within ``response.backup_minutes`` road time of
``h`` (hotspot -> ``h``). The team posted at ``h`` is one of them; the other is a team of any
station (a second team of the same station is a second team: it counts; the run folder's
``response.csv`` also gives the nearest team of *another* station). A loop shift counts from
its first arrival to its last departure when every stop of its loop is within reach. A slot
with a gap (fewer teams at ``h`` than demanded) is a gap only; a slot that requires two teams
(a synchronized zone) is backed by the teams it requires.

``response.backup``: ``off`` (the family adds nothing: rosters are as without it), ``soft``
(each demanded hotspot-slot short of its backup costs ``response.backup_weight`` hours per hour
in the objective) or ``hard`` (required; the checker's ``check_backup`` measures it).

Model rows, for every post-demanded hotspot-slot ``r = (h, k)`` that requires one team:

    sum_{j in B(h,k)} x_j  (+ 2 g_r with gaps allowed)  (+ s_r when soft)  >= 2

where ``B(h,k)`` holds the columns on site all of slot ``k`` at a hotspot ``h''`` with
``hop(h'', h) <= backup_minutes`` (``h`` included), ``g_r`` is the coverage gap of the row and
``s_r in [0, 2]`` the priced shortfall. The posts of ``B(h,k)`` enter through one auxiliary
column per hotspot and slot (the teams on site there, :func:`add_rows`). Road minutes are the planned ones (a spare minute per
leg, ``travel.margin_min``), so every roster the rows accept keeps the checker's rule on bare
road time. A post's slots are those the coverage family counts (the handover-trimmed window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from patrolplan.model.rules._types import FamilyRows, Relaxation

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "backup"
HARD = True

#: teams within reach that make a slot backed: the first and its backup
TEAMS_BACKED = 2


def mode(p: Problem) -> str:
    """``off``, ``soft`` or ``hard`` (``response.backup``)."""
    response = getattr(p.config, "response", None)
    return "off" if response is None else response.backup


def backed(teams_within_reach: int) -> bool:
    """The rule on a presence: the teams on site at the hotspot or within reach of it."""
    return int(teams_within_reach) >= TEAMS_BACKED


def reach(p: Problem) -> np.ndarray:
    """Bool ``[H, H]``: ``reach[h, g]`` when hotspot ``g`` lies within ``backup_minutes`` of
    ``h`` by road (``g -> h``), ``h`` itself included."""
    n_h = len(p.hotspot_ids)
    limit = p.config.response.backup_minutes
    if p.hop_min is None:
        return np.eye(n_h, dtype=bool)
    return (np.asarray(p.hop_min).T <= limit) | np.eye(n_h, dtype=bool)


def rows_asked(p: Problem) -> np.ndarray:
    """The coverage rows (demanded hotspot-slots) the family asks a backup of: those requiring
    one team (a slot requiring two has them on site)."""
    return np.nonzero(p.required[p.cover_hotspot, p.cover_slot] == 1)[0]


def _site(p: Problem) -> sp.csr_matrix:
    """``[(hotspot, slot), columns]``: 1 where a post column is on site at the hotspot for
    the whole slot (its slots ``shift_k0 .. shift_k1 - 1``); row ``h * n_slots + k``."""
    n_h, n_k = len(p.hotspot_ids), p.n_slots
    post = np.nonzero(p.shift_loop < 0)[0]
    lengths = (p.shift_k1[post] - p.shift_k0[post]).clip(min=0)
    col = np.repeat(post, lengths)
    offs = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    k = np.repeat(p.shift_k0[post], lengths) + offs
    return sp.csr_matrix((np.ones(col.size), (p.shift_hotspot[col] * n_k + k, col)), shape=(n_h * n_k, p.n_shifts))


def _gather(p: Problem, rows: np.ndarray) -> sp.csr_matrix:
    """``[rows, (hotspot, slot)]``: 1 for every hotspot within reach of the row's hotspot, in
    the row's slot."""
    n_h, n_k = len(p.hotspot_ids), p.n_slots
    rr, gs = np.nonzero(reach(p)[p.cover_hotspot[rows]])
    return sp.csr_matrix((np.ones(rr.size), (rr, gs * n_k + p.cover_slot[rows][rr])), shape=(rows.size, n_h * n_k))


def _loops(p: Problem, rows: np.ndarray) -> sp.csr_matrix:
    """``[rows, columns]``: 1 where a loop column is on site from its first arrival to its last
    departure over the row's slot with every stop within reach of the row's hotspot."""
    if p.windows is not None:
        # visits.rendezvous: a station's own loop is not counted as a backup (its value would
        # hang on its stops and span, which the loops' pricing does not model): a restriction
        return sp.csr_matrix((rows.size, p.n_shifts))
    n_h, n_k, slot = len(p.hotspot_ids), p.n_slots, p.slot_min
    near = reach(p)
    row_of = -np.ones((n_h, n_k), dtype=np.int64)
    row_of[p.cover_hotspot[rows], p.cover_slot[rows]] = np.arange(rows.size)
    rr, cc = [], []
    for j in np.nonzero(p.shift_loop >= 0)[0]:
        stops = p.visits_of(int(j))
        if not stops:
            continue
        first, last = stops[0][1], max(d for _, _, d in stops)
        k0, k1 = max(0, -(-first // slot)), min(n_k, last // slot)
        if k1 <= k0:
            continue
        ok = near[:, sorted({h for h, _, _ in stops})].all(axis=1)
        got = row_of[np.nonzero(ok)[0], k0:k1].ravel()
        got = got[got >= 0]
        rr.extend(got.tolist())
        cc.extend([int(j)] * got.size)
    m = sp.csr_matrix((np.ones(len(rr)), (rr, cc)), shape=(rows.size, p.n_shifts))
    m.sum_duplicates()
    return m


def within_reach(p: Problem, rows: np.ndarray | None = None) -> sp.csr_matrix:
    """``[rows, columns]`` (default: every coverage row): 1 where column ``j`` is on site for
    the whole slot of the row at a hotspot within reach of the row's hotspot (:func:`reach`)."""
    rows = np.arange(p.cover.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    m = (_gather(p, rows) @ _site(p) + _loops(p, rows)).tocsr()
    m.data[:] = 1.0
    return m


def add_rows(ctx: FamilyContext) -> FamilyRows | None:
    """The rows above (nothing when ``response.backup`` is off). ``ctx.gap``: the coverage
    family's ``(gap columns, rows)`` with gaps allowed (a gap waives the backup). Returns the
    soft shortfall columns (None unless soft).

    The teams on site at each hotspot and slot a row reaches are one auxiliary column each,
    ``z[g, k] = sum_{j on site at g all slot k} x_j`` (an equality row), so that a row holds
    its hotspots within reach rather than every column of theirs (on Jining-scale weeks a
    tenth of the non-zeros)."""
    b, p, x, gap = ctx.builder, ctx.problem, ctx.x, ctx.gap
    how = mode(p)
    if how == "off":
        return None
    rows = rows_asked(p)
    if rows.size == 0:
        return None
    gather = _gather(p, rows).tocsc()
    used = np.nonzero(np.diff(gather.indptr) > 0)[0]  # (hotspot, slot) pairs some row reaches
    z = b.add_cols(used.size, lower=0, upper=np.inf, cost=0.0, integer=False, family=NAME)
    site = _site(p)[used].tocoo()
    b.add_rows(NAME + "_on_site", np.concatenate([np.arange(used.size), site.row]),
               np.concatenate([z, x[site.col]]), np.concatenate([np.ones(used.size), -site.data]), 0.0, 0.0,
               used.size)
    g = gather[:, used].tocoo()
    loops = _loops(p, rows).tocoo()
    r, c, v = [g.row, loops.row], [z[g.col], x[loops.col]], [g.data, loops.data]
    if gap is not None:
        gap_cols, gap_rows = gap
        local = -np.ones(p.cover.shape[0], dtype=np.int64)
        local[rows] = np.arange(rows.size)
        at = local[gap_rows] >= 0
        r.append(local[gap_rows[at]])
        c.append(np.asarray(gap_cols)[at])
        v.append(np.full(int(at.sum()), float(TEAMS_BACKED)))
    short = None
    if how == "soft":
        price = p.config.response.backup_weight * p.slot_min / 60 / TEAMS_BACKED
        short = b.add_cols(rows.size, lower=0, upper=TEAMS_BACKED, cost=price, integer=False, family=NAME)
        r.append(np.arange(rows.size))
        c.append(short)
        v.append(np.ones(rows.size))
    b.add_rows(NAME, np.concatenate(r), np.concatenate(c), np.concatenate(v), float(TEAMS_BACKED), np.inf, rows.size)
    return None if short is None else FamilyRows(cols=short)


def teams_within_reach(p: Problem, shift_cols: np.ndarray) -> np.ndarray:
    """Per coverage row: the rostered columns (``shift_cols``, repeats count) on site within
    reach for the whole slot — the count :func:`backed` judges."""
    counts = np.bincount(np.asarray(shift_cols, dtype=np.int64), minlength=p.n_shifts).astype(float)
    return np.rint(within_reach(p) @ counts).astype(np.int64)


def relaxations(p: Problem) -> list[Relaxation]:
    """The week without the backup rule (only when it is hard)."""
    if mode(p) != "hard":
        return []
    relaxed = p.config.replace(response=p.config.response.model_copy(update={"backup": "off"}))
    return [Relaxation("backup", f"the backup rule (a second team within {p.config.response.backup_minutes} min)",
                       "set response.backup: soft (a price instead of a rule), raise response.backup_minutes, or add "
                       "teams at stations near the unbacked hotspots",
                       p.replace(config=relaxed))]


def precheck(p: Problem) -> list[str]:
    """Hard backup: demanded hotspot-slots where not even every candidate shift within reach
    together makes two teams (no second team can ever be near)."""
    from patrolplan.model.rules._words import when

    if mode(p) != "hard":
        return []
    rows = rows_asked(p)
    if rows.size == 0:
        return []
    m = within_reach(p, rows)
    # the most teams within reach at once: each station with a column there, all its teams
    station_of = sp.csr_matrix((np.ones(p.n_shifts), (np.arange(p.n_shifts), p.shift_station)),
                               shape=(p.n_shifts, len(p.station_ids)))
    most = ((m @ station_of) > 0).astype(float) @ p.teams.astype(float)
    bare = rows[most < TEAMS_BACKED]
    out = []
    for h in np.unique(p.cover_hotspot[bare]):
        h = int(h)
        ks = p.cover_slot[bare][p.cover_hotspot[bare] == h]
        out.append(
            f"hotspot {p.hotspot_ids[h]} (zone {p.zone_ids[p.hotspot_zone[h]]}): response.backup is hard, but no "
            f"second team can be on site within {p.config.response.backup_minutes} min of it: {when(p, ks)}. Fix: "
            "raise response.backup_minutes, add a nearby member station, or set response.backup: soft."
        )
    return out
