"""Write docs/speed.md from the benchmarks' results (benchmarks/results/*.json), not by hand.

Run from the repository root:
    python benchmarks/speed_docs.py            # write docs/speed.md
    python benchmarks/speed_docs.py --check    # exit 1 if docs/speed.md is not what the results give

Each benchmark writes its figures with ``--json benchmarks/results/NAME.json`` (see
benchmarks/results.py); this script only lays them out, in the order of :data:`ORDER`, with
the command, the date, the machine and the load average of each run. Nothing here is a figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PAGE = ROOT / "docs" / "speed.md"
ORDER = (
    "bench_plan",
    "bench_demo",
    "bench_knox",
    "bench_backtest",
    "bench_model",
    "bench_routes",
    "bench_evaluate",
    "bench_field_page",
)
"""The benchmarks in the order the page shows them; any others follow by name."""

INTRO = """\
# Speed

Every figure on this page was measured by a benchmark under `benchmarks/` and written by it as
JSON (`--json benchmarks/results/NAME.json`); `python benchmarks/speed_docs.py` lays the results
out here, and a test checks that this page is what the committed results give. Each table names
the command that measured it, the date, the machine, and the load average (1 minute) when each
row was measured: the machine may be shared, and other work slows single runs down, so compare a
figure with the peer measured beside it in the same run rather than with another run. Run the
command again to measure your own machine, then `python benchmarks/speed_docs.py` to update this
page.
"""


def load_results(folder: Path = RESULTS) -> list[dict[str, Any]]:
    """The results in the page's order."""
    found = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}
    names = [name for name in ORDER if name in found] + sorted(name for name in found if name not in ORDER)
    return [found[name] for name in names]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def section(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"## {result['title']}",
        "",
        f"`{result['command']}` — {result['started']}; {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
        f"{m['system']}; load average {cell(result['load_at_start'])} at the start, "
        f"{cell(result['load_at_end'])} at the end.",
        "",
    ]
    columns = result["columns"]
    lines.append("| " + " | ".join(cell(c) for c in columns) + " |")
    numeric = [
        all(isinstance(row[k], int | float) for row in result["rows"] if row[k] is not None)
        for k in range(len(columns))
    ]
    lines.append("|" + "|".join("---:" if number else "---" for number in numeric) + "|")
    for row in result["rows"]:
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    if result["notes"]:
        lines.append("")
        lines.extend(f"- {note}" for note in result["notes"])
    return "\n".join(lines) + "\n"


def render(results: list[dict[str, Any]]) -> str:
    """The page for ``results``."""
    if not results:
        return INTRO + "\nNo results yet: run a benchmark with `--json`.\n"
    return INTRO + "".join("\n" + section(r) for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/speed.md is up to date")
    args = parser.parse_args()
    page = render(load_results())
    if args.check:
        if PAGE.read_text(encoding="utf-8") != page:
            sys.exit("docs/speed.md is not what benchmarks/results/ give: run python benchmarks/speed_docs.py")
        return
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)} from {len(load_results())} results")


if __name__ == "__main__":
    main()
