"""The aggregated model is the rule families' rows in one order (issue 23: one family protocol).

``model.build.build_model`` calls every family's ``add_rows(ctx)`` in ``model.build.ORDER``. The
digests below pin the model it builds for the example week (posts), the visit week planned
by rendezvous (``example-visits.yaml``) and with the enumerated loops
(``example-shared-loops.yaml``), as the families called one by one made it before the protocol,
so that the refactor kept every row, column and coefficient in place.

How the digests were made (before the two visit configs took these names, at 4a48bc3 they were
``example-rendezvous.yaml`` and ``example-visits.yaml``, with the same models): main at 4a48bc3
(before the protocol) unpacked to a scratch folder
(``git archive 4a48bc3 src | tar -x -C /tmp/base``) and, with ``/tmp/base/src`` first on
``PYTHONPATH``, ``_digest`` below of the models ``_models`` builds (there ``with_seed_loops`` was
not yet a function: ``Problem.rebuilt`` added the first loops itself). A change that means to
alter the model (a new row family, another coefficient) makes them anew from its own tree
(``PYTHONPATH=src python tests/test_build_model.py`` prints them) and says so in its commit;
the matrix's pattern and values have digests of their own, so that such a change shows which
it altered.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest

from patrolplan.inputs.io import load_scenario
from patrolplan.model import build
from patrolplan.model.build import ORDER, build_model
from patrolplan.model.pricing import with_seed_loops
from patrolplan.model.rules import FAMILIES
from patrolplan.solver.solve import prepare

CONFIGS = Path(__file__).resolve().parents[1] / "configs"

#: sha256 (first 16 hex digits) of: the matrix's pattern (``A``), its values (``A_values``),
#: the columns (bounds, cost, integrality, family), the rows (bounds, family) and the rest
#: (gap slacks, visit slacks, objective offset, number of shifts)
DIGESTS = {
    ("example.yaml", "strict"): {
        "A": "f54f0f31a5102c41",
        "A_values": "2c1ead80ee25a282",
        "cols": "78416ac550c25c60",
        "rows": "50e76a279e3cf803",
        "extra": "248f000b9042f682"},
    ("example.yaml", "gaps"): {
        "A": "6071fd1d92e060e5",
        "A_values": "af2faa8a91ac2dbc",
        "cols": "61d569db578046a1",
        "rows": "50e76a279e3cf803",
        "extra": "7c4907b7cdde5a91"},
    ("example.yaml", "caps"): {
        "A": "f54f0f31a5102c41",
        "A_values": "2c1ead80ee25a282",
        "cols": "78416ac550c25c60",
        "rows": "3c881a5cfc0b5899",
        "extra": "248f000b9042f682"},
    ("example.yaml", "base_teams"): {
        "A": "7916ee7b31bde6dd",
        "A_values": "bd4a8aacf77fdded",
        "cols": "c26d0bf486eef652",
        "rows": "35633ef26f126b41",
        "extra": "4e38617880cc6181"},
    ("example-shared-loops.yaml", "strict"): {
        "A": "aaf053accb2a869d",
        "A_values": "96d12400313a13fc",
        "cols": "4a5732d5f37cea6a",
        "rows": "afd2a557becbe065",
        "extra": "d821b92ffabff219"},
    ("example-shared-loops.yaml", "gaps"): {
        "A": "3b281b29aa6aa1e5",
        "A_values": "057766194f194a82",
        "cols": "49692af082975180",
        "rows": "afd2a557becbe065",
        "extra": "f496620d397a3f3a"},
    ("example-shared-loops.yaml", "caps"): {
        "A": "aaf053accb2a869d",
        "A_values": "96d12400313a13fc",
        "cols": "4a5732d5f37cea6a",
        "rows": "5669597ccbca81f4",
        "extra": "d821b92ffabff219"},
    ("example-shared-loops.yaml", "base_teams"): {
        "A": "9e9266ca751d8949",
        "A_values": "30a3deca256518cf",
        "cols": "9efd681e7e165317",
        "rows": "afd2c2bd78ab04ff",
        "extra": "a8572bac6e5bbff0"},
    # example-visits changed on purpose (2026-12-07): its staggered zones Z2 and Z3 count the
    # rendezvous loops' visits in their share rows (rules/staggered.py zone_hours)
    ("example-visits.yaml", "strict"): {
        "A": "6822e38a8506da7b",
        "A_values": "8ca074127de1c7c9",
        "cols": "369010c47aaea2c4",
        "rows": "e9383f23cc0b0d93",
        "extra": "f6890ec2e0e39952"},
    ("example-visits.yaml", "gaps"): {
        "A": "2adeda73f070970d",
        "A_values": "7d6511bbbcf27ac3",
        "cols": "209423267ce34129",
        "rows": "e9383f23cc0b0d93",
        "extra": "74a67d90d536b64a"},
    ("example-visits.yaml", "caps"): {
        "A": "6822e38a8506da7b",
        "A_values": "8ca074127de1c7c9",
        "cols": "369010c47aaea2c4",
        "rows": "483bbff339cd156a",
        "extra": "f6890ec2e0e39952"},
    # cols changed on purpose (2026-12-07): the visit cost added by ``add_cost`` is now made
    # tiny with the other costs in the fewest-extra-teams model (Builder.scale_costs)
    ("example-visits.yaml", "base_teams"): {
        "A": "38d5cd563c129bed",
        "A_values": "5a56abfa8835a739",
        "cols": "b71fce1385b3de2b",
        "rows": "fdc537d6909d225a",
        "extra": "15e43780b553bb0c"},
}


def _h(*arrays) -> str:
    d = hashlib.sha256()
    for a in arrays:
        a = np.asarray(a)
        if a.dtype == object:
            d.update(repr(a.tolist()).encode())
        else:
            d.update(str(a.dtype).encode())
            d.update(np.ascontiguousarray(a).tobytes())
    return d.hexdigest()[:16]


def _digest(m) -> dict[str, str]:
    A = m.A.tocsr()
    return {
        "A": _h(A.indptr, A.indices, np.array(A.shape)),
        "A_values": _h(A.data),
        "cols": _h(m.col_lower, m.col_upper, m.col_cost, m.col_integer, m.col_family),
        "rows": _h(m.row_lower, m.row_upper, m.row_family, np.array(m.families, dtype=object)),
        "extra": _h(m.gap_cols, m.gap_rows, m.visit_gap_cols, np.array([m.objective_offset, m.n_shifts])),
    }


def _models(config: str):
    """The week's models as solve and the explanation build them, as ``(kind, model)``."""
    p, _ = prepare(load_scenario(CONFIGS / config))
    yield "strict", build_model(p)
    yield "gaps", build_model(p, allow_gaps=True)
    yield "caps", build_model(p, extra_station_caps={0: 3})
    yield "base_teams", build_model(with_seed_loops(p.rebuilt(teams=p.teams + 10)), base_teams=p.teams)


@pytest.mark.parametrize("config", sorted({c for c, _ in DIGESTS}))
def test_the_model_is_the_one_the_families_built_before_the_protocol(config):
    for kind, model in _models(config):
        assert _digest(model) == DIGESTS[config, kind], f"{config} {kind}"


def test_the_order_holds_every_family_that_adds_rows_and_shifts_first():
    names = [f.NAME for f in ORDER]
    assert names[0] == "shifts" and len(set(names)) == len(names)
    # handover shapes the candidate shifts (rules/handover.py trim_tail) and adds no rows
    assert {f.NAME for f in FAMILIES} - {"handover"} <= set(names)
    assert {"published", "extra_teams"} <= set(names)
    assert names.index("coverage") < min(names.index("synchronized"), names.index("backup"))  # they read ctx.gap
    assert names.index("extra_teams") < min(names.index("capacity"), names.index("max_shifts"))  # ctx.extra


@pytest.mark.parametrize("config", ["example.yaml", "example-shared-loops.yaml", "example-visits.yaml"])
def test_rows_come_in_family_blocks_in_the_order(config):
    """Each family's rows are one block (sub-families such as ``visits_meet`` right after), in
    the order of ``ORDER``; the slacks of coverage and visits are the model's own fields."""
    names = [f.NAME for f in ORDER]
    for kind, m in _models(config):
        assert m.n_rows == m.A.shape[0] and m.n_cols == m.A.shape[1] == m.col_family.size
        fam = np.asarray(m.families, dtype=object)[m.row_family]
        rank = np.array([names.index(next(n for n in names if f == n or f.startswith(n + "_"))) for f in fam])
        assert (np.diff(rank) >= 0).all(), f"{config} {kind}: rows out of the family order"
        if kind == "gaps":
            assert m.gap_cols.size == m.gap_rows.size > 0
            assert (m.col_family[m.gap_cols] == "coverage").all()
            assert (m.col_family[m.visit_gap_cols] == "visits").all()
            assert (m.visit_gap_cols.size > 0) == bool((fam == "visits").any())
        else:
            assert m.gap_cols.size == 0 and m.visit_gap_cols.size == 0
        if kind == "base_teams":
            assert "fairness" not in m.families and "staggered" not in m.families  # no soft goal
            # one extra-teams column per station, the last columns (no family after it adds any here)
            n_stations = len(load_scenario(CONFIGS / config).stations)
            assert (m.col_family == "extra_teams").sum() == n_stations
            assert (m.col_family[m.n_cols - n_stations:] == "extra_teams").all()


def test_the_model_is_built_whole():
    p, _ = prepare(load_scenario(CONFIGS / "example.yaml"))
    m = build_model(p, allow_gaps=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.gap_cols = np.zeros(0, dtype=np.int64)
    assert dataclasses.replace(m, objective_offset=1.0).objective_offset == 1.0
    assert build.LinearModel.__dataclass_params__.frozen


def test_the_problem_arrays_are_read_only_and_the_callers_stay_writable():
    from patrolplan.model.problem import Problem

    p, _ = prepare(load_scenario(CONFIGS / "example-visits.yaml"))
    arrays = {f.name: getattr(p, f.name) for f in dataclasses.fields(Problem)
              if isinstance(getattr(p, f.name), np.ndarray)}
    assert {"teams", "demand", "required", "shift_station", "shift_loop", "visit_arrive_min", "hop_min"} <= set(arrays)
    for name, a in arrays.items():
        assert not a.flags.writeable, name
    with pytest.raises(ValueError):
        p.required[0, 0] = 99
    teams = np.array(p.teams)
    q = p.rebuilt(teams=teams)
    teams[0] += 1  # the caller's array is its own
    assert not q.teams.flags.writeable and q.teams[0] == p.teams[0]
    assert not p.replace(published=None).shift_start_min.flags.writeable


if __name__ == "__main__":  # the digests of this tree's models, in DIGESTS' form (see the docstring)
    for config in sorted({c for c, _ in DIGESTS}):
        for kind, model in _models(config):
            print(f"    ({config!r}, {kind!r}): {_digest(model)!r},")


def test_the_fewest_extra_teams_model_makes_every_cost_but_the_extra_teams_tiny():
    """Builder.scale_costs: the visit cost a family adds to its columns (``add_cost``) is made
    tiny with the rest, so that one extra team (cost 1) outweighs every visit of the week."""
    p, _ = prepare(load_scenario(CONFIGS / "example-visits.yaml"))
    p = with_seed_loops(p.rebuilt(teams=p.teams + 10))
    assert p.config.visits.visit_cost_minutes > 0
    plain = build_model(p)
    fewest = build_model(p, base_teams=p.teams - 10)
    n = plain.n_shifts
    np.testing.assert_allclose(fewest.col_cost[:n], plain.col_cost[:n] * 1e-4, rtol=1e-12)
