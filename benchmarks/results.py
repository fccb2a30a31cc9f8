"""A benchmark's figures as JSON (``--json FILE``), for ``python benchmarks/speed_docs.py``.

Each file says what was run (the command), when, on which machine, and how loaded the machine
was: the load average (1 minute) when each figure was measured stands beside it, and the load
at the start and the end of the run in the file's header, as other work on a shared machine
slows single runs down. The figures are the benchmark's own, as it printed them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
"""Where the committed results are kept, one file per benchmark."""


def load_now() -> float:
    """The 1-minute load average (0 where the system does not say)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return 0.0


def as_installed() -> None:
    """Run cocoon in child processes as ``pip install`` leaves it: its modules compiled to bytecode.

    An installed package has its bytecode written at install time, but a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set would compile every module of cocoon again in each process,
    which would be counted in its time (about 0.15 s a command) and not in the peer's."""
    import compileall

    import cocoon

    compileall.compile_dir(Path(cocoon.__file__).parent, quiet=1)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "python": sys.version.split()[0], "system": platform.system()}


class Results:
    """Figures of one benchmark run, written as JSON with :meth:`write`.

    ``columns`` name the table's columns; every row gives a value for each, and the load
    average at the moment its figures were measured is added to it as ``load``."""

    def __init__(self, benchmark: str, *, title: str, columns: list[str], argv: list[str] | None = None) -> None:
        args = sys.argv[1:] if argv is None else argv
        kept = [a for i, a in enumerate(args) if a != "--json" and (i == 0 or args[i - 1] != "--json")]
        self.content: dict[str, Any] = {
            "benchmark": benchmark,
            "title": title,
            "command": " ".join([f"python benchmarks/{benchmark}.py", *kept]),
            "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "load_at_start": load_now(),
            "load_at_end": None,
            "columns": [*columns, "load"],
            "rows": [],
            "notes": [],
        }

    def row(self, *values: Any) -> None:
        """One row of the table (as many values as columns), measured just now."""
        if len(values) != len(self.content["columns"]) - 1:
            raise ValueError(f"{len(values)} values for columns {self.content['columns'][:-1]}")
        self.content["rows"].append([*values, load_now()])

    def note(self, line: str) -> None:
        """A line printed under the table (a ratio, a target met or not)."""
        self.content["notes"].append(line)

    def write(self, path: Path | None) -> None:
        """Write the file (nothing when ``path`` is None)."""
        if path is None:
            return
        self.content["load_at_end"] = load_now()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def json_option(parser: Any) -> None:
    """The ``--json FILE`` option every benchmark takes."""
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the figures as JSON (see benchmarks/speed_docs.py), e.g. benchmarks/results/NAME.json",
    )
