"""Fast many-to-many road minutes: the road graph reduced to the vertices that matter.

A travel matrix needs road minutes between a few thousand snapped vertices (the *terminals*)
of a graph that may have 100,000 vertices, most of them shape points of a road line (degree 2)
or dead ends. :func:`reduce_graph` eliminates non-terminal vertices the way Gaussian
elimination does in the (min, +) algebra: removing ``v`` adds a shortcut ``a -> b`` of
``w(a, v) + w(v, b)`` for every in-neighbour ``a`` and out-neighbour ``b`` (the faster of
parallel edges kept). Shortest-path lengths between the remaining vertices are unchanged in
exact arithmetic. Only vertices whose removal adds no edges (``in * out - both <= in + out``,
``both`` the two-way neighbours: shape points of two-way and one-way roads, dead ends,
junctions of three two-way roads) are removed,
an independent set of them per round, so every round is a few vectorised numpy steps and the
graph never grows. :func:`many_to_many` then runs ``scipy.sparse.csgraph.dijkstra`` from the
terminal sources on the reduced graph.

Why scipy and not a routing library (measured on the reduced 100k-vertex province graph,
14k vertices and 47k edges left, CPU time per source on the shared 2-core machine):
``scipy.sparse.csgraph.dijkstra`` 2.7 ms, igraph's ``Graph.distances`` 2.5 ms (the same within
the noise, and a dependency more), networkit's ``SPSP`` 3.5 ms on one thread (two threads were
slower on the loaded machine); all three gave the same floats. Contraction-hierarchy libraries
(RoutingKit's CCH bindings, fast_paths) take integer weights, which would change the minutes.
Threads do not help scipy (its Dijkstra holds the interpreter lock), and worker processes are
not used: Dask's workers are daemonic processes, which may not start children. Eliminating
four-way junctions too (with witness paths to skip needless shortcuts) left 7.4k of 11.9k
vertices on the generated province grid but saved only a fifth of the search time for 2 s more
of reduction: not done. No ``limit=`` on the searches: a bound at the longest shift would make
farther pairs "unreachable" (other minutes than before, and other input errors; the province
benchmark's longest trip, 540 min, is longer than its 8-hour shifts), and would save little,
since the snapped points cover the whole region.

Floating point: a shortcut adds the same edge weights as the plain search, in another order,
so a path length can differ from the plain Dijkstra's in the last bits. Both are within a
relative ``n * eps/2`` of the exact length (``n`` edges, standard summation bound);
``network.travel_times`` recomputes with the plain search every entry that lies that close to
a whole-minute boundary, so the whole minutes are exactly the plain search's.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

__all__ = ["reduce_graph", "many_to_many", "relative_error_bound"]

_UNIT_ROUNDOFF = np.finfo(float).eps / 2
_CHUNK_FLOATS = 8_000_000  # a Dijkstra chunk holds at most this many float64 (64 MB)
_MAX_ROUNDS = 64


def relative_error_bound(n_edges: int) -> float:
    """Relative bound on how far two float sums of the same path's edge weights (any order)
    can be apart: twice gamma_n = n u / (1 - n u), n = the graph's edge count, with room."""
    n = 2 * (int(n_edges) + 8)
    nu = n * _UNIT_ROUNDOFF
    return 2 * nu / (1 - nu)


def _fastest_parallel(t: np.ndarray, h: np.ndarray, w: np.ndarray):
    """Drop self-loops; of parallel edges keep the fastest."""
    keep = t != h
    t, h, w = t[keep], h[keep], w[keep]
    order = np.lexsort((w, h, t))
    t, h, w = t[order], h[order], w[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    return t[first], h[first], w[first]


def reduce_graph(matrix: csr_matrix, terminal: np.ndarray, *, seed: int = 0) -> tuple[csr_matrix, np.ndarray]:
    """The graph on fewer vertices with the same shortest-path lengths between those kept.

    ``matrix``: ``matrix[u, v]`` minutes of edge u -> v (no self-loops, all > 0).
    ``terminal``: bool [n_vertices], the vertices that must stay. Returns the reduced
    adjacency (over the kept vertices, in increasing id order) and the kept vertex ids.
    """
    n = matrix.shape[0]
    coo = matrix.tocoo()
    t, h, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(float)
    alive = np.ones(n, dtype=bool)
    keep = np.asarray(terminal, dtype=bool)
    priority = np.random.default_rng(seed).permutation(n)  # ties in the independent set, reproducibly
    for _ in range(_MAX_ROUNDS):
        d_in = np.bincount(h, minlength=n)
        d_out = np.bincount(t, minlength=n)
        # shortcuts through v: in * out, less the a -> v -> a round trips (two-way neighbours)
        key = np.sort(t * n + h)
        at = np.minimum(np.searchsorted(key, h * n + t), len(key) - 1)
        d_both = np.bincount(t[key[at] == h * n + t], minlength=n) if len(key) else np.zeros(n, dtype=np.int64)
        cand = alive & ~keep & (d_in * d_out - d_both <= d_in + d_out)
        # an independent set: of two adjacent candidates, the one of higher priority waits
        both = cand[t] & cand[h]
        chosen = cand.copy()
        chosen[t[both & (priority[t] > priority[h])]] = False
        chosen[h[both & (priority[h] > priority[t])]] = False
        n_chosen = int(chosen.sum())
        if n_chosen == 0:
            break
        t, h, w = _eliminate(t, h, w, chosen)
        alive &= ~chosen
        if n_chosen < 0.002 * n:  # the rest is junctions: further rounds gain nothing
            break
    kept = np.flatnonzero(alive)
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[kept] = np.arange(len(kept))
    reduced = csr_matrix((w, (new_id[t], new_id[h])), shape=(len(kept), len(kept)))
    reduced.sort_indices()
    return reduced, kept


def _eliminate(t: np.ndarray, h: np.ndarray, w: np.ndarray, chosen: np.ndarray):
    """Remove the (independent) ``chosen`` vertices, adding a -> b shortcuts through each."""
    e_in = np.flatnonzero(chosen[h])  # a -> v
    e_out = np.flatnonzero(chosen[t])  # v -> b
    e_in = e_in[np.argsort(h[e_in], kind="stable")]
    e_out = e_out[np.argsort(t[e_out], kind="stable")]
    v_out = t[e_out]
    lo = np.searchsorted(v_out, h[e_in], side="left")
    hi = np.searchsorted(v_out, h[e_in], side="right")
    count = hi - lo
    first_in = np.repeat(e_in, count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    then_out = e_out[np.repeat(lo, count) + offset]
    untouched = ~(chosen[t] | chosen[h])
    return _fastest_parallel(
        np.concatenate([t[untouched], t[first_in]]),
        np.concatenate([h[untouched], h[then_out]]),
        np.concatenate([w[untouched], w[first_in] + w[then_out]]),
    )


def many_to_many(graph: csr_matrix, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Shortest-path minutes [len(sources), len(targets)] (inf: no path), one Dijkstra per
    distinct source, in chunks of bounded memory. One thread: scipy's Dijkstra holds the
    interpreter lock (two threads measured no faster), and worker processes are not an option
    inside a batch or Dask worker."""
    sources = np.asarray(sources, dtype=np.int64).ravel()
    targets = np.asarray(targets, dtype=np.int64).ravel()
    if len(sources) == 0 or len(targets) == 0:
        return np.full((len(sources), len(targets)), np.inf)
    usrc, inv = np.unique(sources, return_inverse=True)
    chunk = max(1, _CHUNK_FLOATS // max(1, graph.shape[0]))
    result = np.empty((len(usrc), len(targets)))
    for start in range(0, len(usrc), chunk):
        idx = usrc[start : start + chunk]
        result[start : start + len(idx)] = dijkstra(graph, directed=True, indices=idx)[:, targets]
    return result[inv.ravel()]
