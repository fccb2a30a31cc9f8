"""Unfinished output of runs that were killed, found and removed by the next command.

Every output is first written under a hidden temporary name beside its target (see
:mod:`cocoon.publish.files`). A run that is killed (``kill -9``, a power cut) cannot remove it,
and a plan's temporary folder holds internal files (which households are victims' homes). So
each run notes its temporary paths in a small register, one file per run, in the user's state
folder (``$COCOON_STAGING_DIR``, else ``$XDG_STATE_HOME/cocoon/staging``, else
``~/.local/state/cocoon/staging``). The next cocoon command, whatever it is and wherever it
runs, removes what a run that is no longer running left behind, and says so.

A temporary folder is removed only if its name is cocoon's temporary name and it holds cocoon's
marker file, so a register entry can never make cocoon delete anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

STAGING_ENV = "COCOON_STAGING_DIR"
"""Environment variable naming the register folder."""
MARKER = ".cocoon-output"


@dataclass(frozen=True)
class Removed:
    """Unfinished output of an interrupted run, removed."""

    path: Path | None
    """The temporary file or folder removed (None if only an earlier output was put back)."""
    pid: int
    restored: Path | None = None
    """An earlier output that the run had moved aside to replace it, put back in place."""


def register_folder() -> Path:
    given = os.environ.get(STAGING_ENV)
    if given:
        return Path(given)
    state = os.environ.get("XDG_STATE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    base = Path(state) if state else Path.home() / ".local" / "state"
    return base / "cocoon" / "staging"


def running(pid: int) -> bool:
    """Whether process ``pid`` still runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, SystemError, OverflowError):  # it exists but belongs to someone else, or cannot be asked
        return True
    return True


@dataclass
class _ThisRun:
    """This process's entry in the register, and the temporary paths noted in it."""

    entry: Path | None = None
    noted: list[dict[str, str]] = field(default_factory=list)

    def save(self) -> None:
        assert self.entry is not None
        temporary = self.entry.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "paths": self.noted}), encoding="utf-8"
        )
        os.replace(temporary, self.entry)


_RUN = _ThisRun()


def note_staging(temporary: Path, *, target: Path, aside: Path | None = None) -> None:
    """Note that this run writes ``temporary`` (to become ``target``); ``aside`` is where the
    earlier ``target`` is kept while it is replaced. Best effort: a register that cannot be
    written leaves the same-target clean-up of :mod:`cocoon.publish.files` in charge."""
    record = {"temporary": str(Path(temporary).absolute()), "target": str(Path(target).absolute())}
    if aside is not None:
        record["aside"] = str(Path(aside).absolute())
    _RUN.noted = [r for r in _RUN.noted if r["temporary"] != record["temporary"]] + [record]
    try:
        folder = register_folder()
        folder.mkdir(parents=True, exist_ok=True)
        if _RUN.entry is None or not _RUN.entry.exists():
            _RUN.entry = folder / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
        _RUN.save()
    except OSError:
        return


def done_staging(temporary: Path) -> None:
    """``temporary`` is gone (moved into place or removed): forget it."""
    absolute = str(Path(temporary).absolute())
    _RUN.noted = [r for r in _RUN.noted if r["temporary"] != absolute]
    if _RUN.entry is None:
        return
    with contextlib.suppress(OSError):
        if _RUN.noted:
            _RUN.save()
        else:
            _RUN.entry.unlink(missing_ok=True)
            _RUN.entry = None


def _is_temporary(path: Path, pid: int) -> bool:
    """cocoon's own temporary name (``.NAME.cocoon-PID``), holding its marker if a folder."""
    if not (path.name.startswith(".") and path.name.endswith(f".cocoon-{pid}")):
        return False
    return (path / MARKER).is_file() if path.is_dir() and not path.is_symlink() else path.is_file()


def remove_stale_output() -> list[Removed]:
    """Remove what runs that no longer run left half-written; return what was removed."""
    removed: list[Removed] = []
    try:
        entries = sorted(register_folder().glob("*.json"))
    except OSError:
        return removed
    host = socket.gethostname()
    for entry in entries:
        try:
            record = json.loads(entry.read_text(encoding="utf-8"))
            pid = int(record["pid"])
            paths = list(record["paths"])
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                entry.unlink()
            continue
        if record.get("host") != host or running(pid):
            continue
        for noted in paths:
            item = _remove(noted, pid)
            if item is not None:
                removed.append(item)
        with contextlib.suppress(OSError):
            entry.unlink()
    return removed


def _remove(noted: dict[str, str], pid: int) -> Removed | None:
    temporary = Path(noted.get("temporary", ""))
    restored = None
    aside = Path(noted["aside"]) if noted.get("aside") else None
    target = Path(noted.get("target", ""))
    if aside is not None and aside.name.endswith(f".old-{pid}") and aside.is_dir() and not target.exists():
        with contextlib.suppress(OSError):
            aside.rename(target)  # the run was killed while replacing: the earlier output goes back
            restored = target
    elif aside is not None and aside.name.endswith(f".old-{pid}") and (aside / MARKER).is_file():
        with contextlib.suppress(OSError):
            shutil.rmtree(aside)  # killed after the new output was in place: the old one was to go
    if not _is_temporary(temporary, pid):
        return Removed(None, pid, restored) if restored else None
    with contextlib.suppress(OSError):
        if temporary.is_dir():
            shutil.rmtree(temporary)
        else:
            temporary.unlink()
    return Removed(temporary, pid, restored)
