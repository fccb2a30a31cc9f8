"""Benchmark: route quality of each solver within the default time, against the best found in 60 s.

Run from the repository root:  python benchmarks/bench_routes.py [--seconds 5] [--long 60] [--officers-only]

Instances: 50, 200 and 1,000 candidate stops around a few burglaries (clustered like zones),
1 to 4 officers with 2 hours each, 5 minutes per stop plus 0.5 per dwelling, walking 4.5 km/h
on straight lines × 1.3. Prize: score × dwellings; tier A comes first where it fits. The
quality bar (issue "field pack"): within the default time the risk collected is at least 97 %
of the best any solver finds in --long seconds.

Every solver call is timed: the slowest per solver is printed beside the limit (bar: the limit
plus 20 %). Then the time limit with many officers (issue "hardening": the heuristic stays within
--solve-seconds plus 20 %): 300 and 1,000 stops for as many officers, each solver given
--seconds, its wall time beside the limit. The peer is the heuristic as it was before it kept a
table of insertion costs and a deadline (one insertion tried per stop and officer, no deadline),
timed on the 300-officer instance only: it took minutes there.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from results import Results, json_option

from cocoon.field.solver import RouteProblem, RouteSolution, solve


def check(problem: RouteProblem, solution: RouteSolution) -> None:
    """Stop when a route breaks its budget or visits a stop twice: such an answer would not count."""
    seen = [s for r in solution.routes for s in r]
    assert len(seen) == len(set(seen)), f"{solution.solver}: a stop appears twice"
    for route in solution.routes:
        assert problem.route_seconds(route) <= problem.budget + 1.0, f"{solution.solver}: a route is over its budget"


def instance(n: int, officers: int, seed: int) -> RouteProblem:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-1500, 1500, (max(1, n // 60), 2))
    which = rng.integers(0, len(centres), n)
    points = centres[which] + rng.normal(0, 180, (n, 2))
    distance = np.hypot(*(points - centres[which]).T)
    dwellings = rng.choice([1, 1, 1, 2, 6, 12, 24], n)
    score = 100 * np.exp(-distance / 150) * rng.uniform(0.5, 1.0, n)
    tier_a = distance < 60
    xy = np.r_[[[0.0, 0.0]], points]
    seconds = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) * 1.3 / (4.5 / 3.6)
    return RouteProblem(
        seconds=seconds,
        prize=score * dwellings,
        service=300 + 30.0 * dwellings,
        tier_a=tier_a,
        officers=officers,
        budget=2 * 3600.0,
    )


def old_greedy(problem: RouteProblem, limit: float) -> tuple[int, float, bool]:
    """The heuristic as it was: every pending stop tried in every route at every step. Gives up
    after ``limit`` seconds; returns stops placed, seconds taken and whether it finished."""
    routes: list[list[int]] = [[] for _ in range(problem.officers)]
    used = [0.0] * problem.officers
    weights = problem.weighted_prize()
    start = time.perf_counter()
    for group in (np.flatnonzero(problem.tier_a), np.flatnonzero(~problem.tier_a)):
        pending = {int(s) for s in group}
        while pending:
            if time.perf_counter() - start > limit:
                return sum(map(len, routes)), time.perf_counter() - start, False
            best = None
            for stop in pending:
                for k in range(problem.officers):
                    points = [0, *(s + 1 for s in routes[k]), 0]
                    a, b = np.array(points[:-1]), np.array(points[1:])
                    extra = problem.seconds[a, stop + 1] + problem.seconds[stop + 1, b] - problem.seconds[a, b]
                    cost = float(extra.min() + problem.service[stop])
                    if used[k] + cost <= problem.budget:
                        value = weights[stop] / (cost + 1.0)
                        if best is None or value > best[0]:
                            best = (value, stop, k, int(extra.argmin()), cost)
            if best is None:
                break
            _, stop, k, position, cost = best
            routes[k].insert(position, stop)
            used[k] += cost
            pending.discard(stop)
    return sum(map(len, routes)), time.perf_counter() - start, True


def many_officers(seconds: float, results: Results) -> None:
    print(f"\nmany officers, limit {seconds:g} s (bar: within the limit + 20 %)")
    print(f"{'stops':>5} {'officers':>8} | {'solver':>7} | {'seconds':>7} | {'stops routed':>12} | within")
    for n in (300, 1000):
        problem = instance(n, n, seed=7)
        for name in ("greedy", "auto"):
            start = time.perf_counter()
            solution = solve(problem, solver=name, seconds=seconds)
            took = time.perf_counter() - start
            check(problem, solution)
            routed = sum(map(len, solution.routes))
            within = "yes" if took <= 1.2 * seconds else "NO"
            print(f"{n:>5} {n:>8} | {name:>7} | {took:7.2f} | {routed:>12} | {within}")
            results.note(
                f"{n} stops and {n} officers, limit {seconds:g} s: {name} took {took:.2f} s and routed "
                f"{routed} stops (within the limit + 20 %: {within})"
            )
    placed, took, finished = old_greedy(instance(300, 300, seed=7), limit=120.0)
    state = "finished" if finished else "gave up"
    print(f"  peer (the old heuristic), 300 stops and officers: {state} after {took:.1f} s with {placed} stops placed")
    results.note(
        f"peer (the old heuristic), 300 stops and officers: {state} after {took:.1f} s with {placed} stops placed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--long", type=float, default=60.0)
    parser.add_argument("--officers-only", action="store_true", help="Only the many-officers time limit part.")
    json_option(parser)
    args = parser.parse_args()
    names = ["greedy", "vroom", "ortools", "auto"]
    results = Results(
        "bench_routes",
        title="Visit routes: the risk each solver collects in a time limit",
        columns=[
            "stops",
            "officers",
            *(f"{n} {args.seconds:g}s: risk, seconds" for n in names),
            f"best {args.long:g}s",
            "auto/best",
        ],
    )
    if args.officers_only:
        many_officers(args.seconds, results)
        results.write(args.json)
        return
    print(
        f"{'stops':>5} {'officers':>8} | "
        + " | ".join(f"{n + f' {args.seconds:g}s':>16}" for n in names)
        + f" | {'best ' + format(args.long, 'g') + 's':>10} | auto/best"
    )
    worst = 1.0
    slowest: dict[str, float] = {}
    for n in (50, 200, 1000):
        for officers in (1, 2, 3, 4):
            problem = instance(n, officers, seed=n + officers)
            row, collected, cells = [], {}, []
            for name in names:
                start = time.perf_counter()
                solution = solve(problem, solver=name, seconds=args.seconds)
                took = time.perf_counter() - start
                check(problem, solution)
                collected[name] = solution.collected(problem)
                slowest[name] = max(slowest.get(name, 0.0), took)
                row.append(f"{collected[name]:9.0f} {took:5.1f}s")
                cells.append(f"{collected[name]:.0f}, {took:.1f} s")
            best = max(collected.values())
            for name in ("vroom", "ortools"):
                long = solve(problem, solver=name, seconds=args.long)
                check(problem, long)
                best = max(best, long.collected(problem))
            ratio = collected["auto"] / best
            worst = min(worst, ratio)
            print(f"{n:>5} {officers:>8} | " + " | ".join(f"{r:>16}" for r in row) + f" | {best:10.0f} | {ratio:8.1%}")
            results.row(n, officers, *cells, round(best), f"{ratio:.1%}")
    print(f"\nworst auto/best: {worst:.1%} (bar: 97 %)")
    slowest_line = "slowest call per solver (bar: the limit + 20 %): " + ", ".join(
        f"{name} {took:.2f} s {'yes' if took <= 1.2 * args.seconds else 'NO'}" for name, took in slowest.items()
    )
    print(slowest_line)
    results.note(f"worst auto/best: {worst:.1%} (bar: 97 %)")
    results.note(slowest_line)
    many_officers(args.seconds, results)
    results.write(args.json)


if __name__ == "__main__":
    main()
