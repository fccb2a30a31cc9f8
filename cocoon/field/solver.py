"""Walking routes: which stops each officer visits, in which order, within their time budget.

A team orienteering (prize-collecting) problem: every officer starts and ends at the start
point and has ``budget`` seconds for walking plus the time at each door; each stop carries a
prize (its risk: score × dwellings). Tier A stops come first where they fit: their prize is
raised above the sum of all other prizes, so a route never trades one tier A stop for any
number of others.

Solvers:

- ``ortools``: Google OR-Tools routing with a drop penalty per stop (guided local search
  within the time limit);
- ``vroom``: VROOM (pyvroom), which maximises job priorities (integers 0-100, so prizes are
  rounded into that range, tier A above all others) and then minimises time;
- ``greedy``: a deterministic insertion heuristic with 2-opt, instant, and the fallback
  when a solver is missing or fails;
- ``auto`` (the default): VROOM for half the time, OR-Tools for the rest, and the best of
  those and the heuristic (see benchmarks/bench_routes.py for why).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np


@dataclass
class RouteProblem:
    seconds: np.ndarray
    """Walking seconds between points; point 0 is the start, stop i is point i + 1."""
    prize: np.ndarray
    """Risk collected at each stop."""
    service: np.ndarray
    """Seconds spent at each stop."""
    tier_a: np.ndarray
    """True for tier A stops, which come first where they fit."""
    officers: int
    budget: float
    """Seconds per officer, walking plus doors."""

    @property
    def n(self) -> int:
        return len(self.prize)

    def weighted_prize(self) -> np.ndarray:
        """Prizes with tier A lifted above everything else together."""
        boost = float(self.prize[~self.tier_a].sum()) + 1.0
        return np.where(self.tier_a, self.prize + boost, self.prize)

    def route_seconds(self, route: list[int]) -> float:
        points = [0, *(s + 1 for s in route), 0]
        walk = sum(self.seconds[a, b] for a, b in itertools.pairwise(points))
        return float(walk + self.service[route].sum()) if route else 0.0


@dataclass
class RouteSolution:
    routes: list[list[int]]
    """Stop indices in visiting order, one list per officer."""
    solver: str
    """Whose answer this is: ``greedy``, ``vroom`` or ``ortools``."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Catalogue keys and their values: a solver missing or failed."""

    def collected(self, problem: RouteProblem) -> float:
        return float(sum(problem.prize[r].sum() for r in self.routes if r))


GREEDY_SHARE = 0.25
"""With a solver, the heuristic may use at most this share of the time (it usually takes
milliseconds; with hundreds of officers it stops early, with routes that keep their budget)."""


def solve(problem: RouteProblem, *, solver: str = "auto", seconds: float = 5.0) -> RouteSolution:
    """Routes for every officer within about ``seconds``; the heuristic answer stands if a solver
    is missing, fails or does worse."""
    start = time.perf_counter()
    heuristic_share = 1.0 if solver == "greedy" else GREEDY_SHARE
    best = RouteSolution(_greedy(problem, deadline=start + seconds * heuristic_share), "greedy")
    notes: list[tuple[str, dict[str, Any]]] = []
    if solver != "greedy" and problem.n > 0:
        plan = [("vroom", 0.5), ("ortools", 1.0)] if solver == "auto" else [(solver, 1.0)]
        weights = problem.weighted_prize()

        def value(routes: list[list[int]]) -> float:
            return float(sum(weights[r].sum() for r in routes if r))

        for name, share in plan:
            left = seconds * share - (time.perf_counter() - start)
            if left <= 0:  # the time is used up: the answer so far stands
                continue
            try:
                routes = (_ortools if name == "ortools" else _vroom)(problem, max(0.2, left))
            except ImportError:
                notes.append(("routes.solver_missing", {"solver": name}))
                continue
            except Exception as exc:  # a solver failure must not stop the plan: another answer stands
                notes.append(("routes.solver_failed", {"solver": name, "reason": str(exc)}))
                continue
            routes = [_two_opt(problem, r) for r in routes]
            within = all(problem.route_seconds(r) <= problem.budget + 1 for r in routes)
            if within and value(routes) > value(best.routes):
                best = RouteSolution(routes, name)
    best.notes = notes
    return best


def _greedy(problem: RouteProblem, deadline: float | None = None) -> list[list[int]]:
    """Insert stops by prize per extra second (tier A first) where they fit, then shorten with 2-opt.

    The cheapest insertion of every pending stop into every route is kept in a table; after a
    stop goes in, only that route's column is worked out again, and officers whose routes are
    still empty share one column. With ``deadline`` (a ``time.perf_counter()`` value) it stops
    inserting when time is up: the routes so far are complete and within budget."""
    n, officers = problem.n, problem.officers
    routes: list[list[int]] = [[] for _ in range(officers)]
    used = np.zeros(officers)
    weights = problem.weighted_prize()
    extra = np.full((n, officers), np.inf)
    position = np.zeros((n, officers), dtype=np.int64)
    pending = np.ones(n, dtype=bool)

    def refresh(k: int, stops: np.ndarray) -> None:
        """Cheapest insertion of ``stops`` into route ``k`` (extra seconds, place)."""
        if len(stops) == 0:
            return
        points = np.array([0, *(s + 1 for s in routes[k]), 0])
        a, b, p = points[:-1, None], points[1:, None], stops[None, :] + 1
        cost = problem.seconds[a, p] + problem.seconds[p, b] - problem.seconds[a, b] + problem.service[stops][None, :]
        best = np.argmin(cost, axis=0)
        extra[stops, k] = cost[best, np.arange(len(stops))]
        position[stops, k] = best

    refresh(0, np.arange(n))
    extra[:, 1:], position[:, 1:] = extra[:, :1], position[:, :1]  # every route starts empty
    for group in (problem.tier_a, ~problem.tier_a):
        while (pending & group).any():
            if deadline is not None and time.perf_counter() > deadline:
                return routes
            fits = (used[None, :] + extra <= problem.budget) & (pending & group)[:, None]
            if not fits.any():
                break
            value = np.where(fits, weights[:, None] / (extra + 1.0), -np.inf)
            stop, k = np.unravel_index(int(np.argmax(value)), value.shape)  # ties: lowest stop, then officer
            routes[k].insert(int(position[stop, k]), int(stop))
            routes[k] = _two_opt(problem, routes[k])
            used[k] = problem.route_seconds(routes[k])
            pending[stop] = False
            extra[stop, :] = np.inf
            refresh(int(k), np.flatnonzero(pending))  # the routes still empty keep the shared column
    return routes


def _two_opt(problem: RouteProblem, route: list[int]) -> list[int]:
    """Reverse segments while that shortens the walk."""
    if len(route) < 3:
        return route
    points = [0, *(s + 1 for s in route), 0]
    d = problem.seconds
    improved = True
    while improved:
        improved = False
        for i in range(1, len(points) - 2):
            for j in range(i + 1, len(points) - 1):
                delta = (
                    d[points[i - 1], points[j]]
                    + d[points[i], points[j + 1]]
                    - d[points[i - 1], points[i]]
                    - d[points[j], points[j + 1]]
                )
                if delta < -1e-9:
                    points[i : j + 1] = points[i : j + 1][::-1]
                    improved = True
    return [p - 1 for p in points[1:-1]]


MATRIX_NODES = 3000
"""Up to this many stops (and the start), OR-Tools is given the whole matrix of walking times;
beyond it, the matrix as Python numbers would take gigabytes while it is handed over, and a
callback answers each arc instead."""


def _ortools(problem: RouteProblem, seconds: float) -> list[list[int]]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = problem.n
    manager = pywrapcp.RoutingIndexManager(n + 1, problem.officers, 0)
    routing = pywrapcp.RoutingModel(manager)
    travel = np.rint(problem.seconds).astype(np.int64)
    service = np.r_[0, np.rint(problem.service)].astype(np.int64)

    if n + 1 <= MATRIX_NODES:
        # Walking plus the stop's own time, looked up inside OR-Tools: no Python call per arc, so
        # the search gets several times as far in the same time on a thousand stops.
        callback = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    else:

        def transit(i: int, j: int) -> int:
            a, b = manager.IndexToNode(i), manager.IndexToNode(j)
            return int(travel[a, b] + service[a])

        callback = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(callback)
    routing.AddDimension(callback, 0, int(problem.budget), True, "time")
    weights = problem.weighted_prize()
    scale = 1e6 / max(float(weights.max()), 1e-9)  # penalties in whole numbers, walking seconds far below
    for stop in range(n):
        penalty = int(max(1, round(weights[stop] * scale * 1000)))
        routing.AddDisjunction([manager.NodeToIndex(stop + 1)], penalty)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(max(0.1, seconds) * 1000))
    found = routing.SolveWithParameters(params)
    if found is None:
        raise RuntimeError("OR-Tools found no solution")
    routes = []
    for vehicle in range(problem.officers):
        index, route = routing.Start(vehicle), []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                route.append(node - 1)
            index = found.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def _vroom(problem: RouteProblem, seconds: float) -> list[list[int]]:
    import vroom

    weights = problem.prize
    top = float(weights[~problem.tier_a].max()) if (~problem.tier_a).any() else 1.0
    top_a = float(weights[problem.tier_a].max()) if problem.tier_a.any() else 1.0
    priority = np.where(
        problem.tier_a, 51 + np.rint(49 * weights / max(top_a, 1e-9)), 1 + np.rint(49 * weights / max(top, 1e-9))
    ).astype(int)
    data = vroom.Input()
    data.set_durations_matrix(profile="car", matrix_input=np.rint(problem.seconds).astype(np.uint32))
    for k in range(problem.officers):
        data.add_vehicle(vroom.Vehicle(id=k + 1, start=0, end=0, time_window=vroom.TimeWindow(0, int(problem.budget))))
    for stop in range(problem.n):
        data.add_job(
            vroom.Job(
                id=stop + 1,
                location=stop + 1,
                default_service=round(problem.service[stop]),
                priority=int(priority[stop]),
            )
        )
    solution = data.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=max(0.1, seconds)))
    routes: list[list[int]] = [[] for _ in range(problem.officers)]
    steps = solution.routes
    jobs = steps[steps["type"] == "job"]
    if jobs.empty:  # no stop within reach: pyvroom then leaves the "id" column out of its frame
        return routes
    for vehicle, job in zip(jobs["vehicle_id"], jobs["id"], strict=True):
        routes[int(vehicle) - 1].append(int(job) - 1)
    return routes
