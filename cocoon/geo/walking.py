"""Walking times between visit stops: on the OpenStreetMap footpath network, or straight lines.

With a network (an ``.osm.pbf`` read with pyrosm), stops snap to the nearest node of the
largest connected part of the walking graph and distances come from Dijkstra (scipy), limited
to what can be walked in the time budget; the walk from a stop to its node is added as a
straight line. Without one, distances are straight lines × a detour factor, and the outputs
say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cocoon.errors import InputError

if TYPE_CHECKING:
    from pyproj import CRS
    from scipy.sparse import csr_matrix


@dataclass
class WalkingNetwork:
    """A walking graph in a metric CRS: node coordinates and a symmetric sparse matrix of metres."""

    x: np.ndarray
    y: np.ndarray
    graph: csr_matrix
    """scipy.sparse CSR matrix, edge lengths in metres."""
    source: str

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the straight distance to it."""
        from scipy.spatial import cKDTree

        tree = cKDTree(np.column_stack([self.x, self.y]))
        distance, node = tree.query(np.column_stack([x, y]))
        return node, distance


def read_network(path: str | Path, crs: CRS) -> WalkingNetwork:
    """The walking network of an OpenStreetMap extract, projected to ``crs`` (metric)."""
    import pyproj
    import pyrosm
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    path = Path(path)
    if not path.exists():
        raise InputError("errors.file_not_found", file=str(path))
    if not path.name.endswith(".osm.pbf"):
        raise InputError("network.not_pbf", file=str(path))
    try:
        nodes, edges = pyrosm.OSM(str(path)).get_network(network_type="walking", nodes=True)
    except Exception as exc:  # pyrosm raises many kinds of errors for unreadable files
        raise InputError("network.unreadable", file=str(path), reason=str(exc)) from None
    if nodes is None or edges is None or len(edges) == 0:
        raise InputError("network.empty", file=str(path))
    ids = nodes["id"].to_numpy()
    index = {node: k for k, node in enumerate(ids)}
    u = np.array([index.get(n, -1) for n in edges["u"].to_numpy()])
    v = np.array([index.get(n, -1) for n in edges["v"].to_numpy()])
    length = edges["length"].to_numpy(dtype=float)
    ok = (u >= 0) & (v >= 0) & (u != v) & np.isfinite(length)
    u, v, length = u[ok], v[ok], np.maximum(length[ok], 0.01)
    # parallel edges: keep the shortest (a COO matrix would add them up)
    a, b = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((length, b, a))
    a, b, length = a[order], b[order], length[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    a, b, length = a[first], b[first], length[first]
    n = len(ids)
    graph = coo_matrix((np.r_[length, length], (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    biggest = np.bincount(labels).argmax()
    keep = np.flatnonzero(labels == biggest)
    graph = graph[keep][:, keep]
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = transformer.transform(nodes["lon"].to_numpy(dtype=float)[keep], nodes["lat"].to_numpy(dtype=float)[keep])
    return WalkingNetwork(x=np.asarray(x), y=np.asarray(y), graph=graph, source=str(path))


def walking_metres(
    x: np.ndarray,
    y: np.ndarray,
    *,
    network: WalkingNetwork | None = None,
    detour: float = 1.3,
    limit_m: float | None = None,
) -> np.ndarray:
    """Metres between every pair of points (x[0], y[0] is usually the start point).

    On the network: walk to the nearest node, along the footpaths, and from the nearest node.
    Pairs farther apart than ``limit_m`` on the network get the straight-line estimate × 3,
    which no route within the budget will use. Without a network: straight lines × ``detour``.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    straight = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    if network is None:
        return np.asarray(straight * detour)
    from scipy.sparse.csgraph import dijkstra

    node, access = network.snap(x, y)
    unique, inverse = np.unique(node, return_inverse=True)
    far = np.inf if limit_m is None else float(limit_m)
    table = dijkstra(network.graph, directed=False, indices=unique, limit=far)
    along = table[inverse][:, node]
    metres = along + access[:, None] + access[None, :]
    np.fill_diagonal(metres, 0.0)
    unreachable = ~np.isfinite(metres)
    metres[unreachable] = straight[unreachable] * detour * 3
    return np.asarray(np.maximum(metres, straight))
