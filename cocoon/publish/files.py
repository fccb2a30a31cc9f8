"""The one place where output files are written.

A run either completes or leaves nothing behind:

- **Folders** (``--out``) are written as a hidden temporary folder beside the target and moved
  into place at the end (:class:`OutputFolder`); a failed run removes it, and a killed run's
  folder is removed by the next command (:mod:`cocoon.publish.staging`). Each folder gets a
  manifest (``.cocoon-output``) with the SHA-256 of every file cocoon wrote there. A file
  that cocoon wrote itself is hashed from its bytes as they went out, and that digest is used
  while the file is still the one written (same device, inode, size, modification and change
  times); any other file in the folder is read back and hashed. The manifest also keeps each
  file's identity as it was then: a later check takes a file whose identity is unchanged, and
  whose change time is earlier than the manifest's own, as unchanged without reading it (any
  write to a file, or a file put in its place, changes its change time, and only the system
  sets it); every other file is hashed again.
  ``--overwrite`` replaces the whole folder, so no file of an earlier run survives beside the new
  one, but only when the folder holds exactly the files of its manifest, unchanged: a folder
  with anything else in it (an officer's notes, a scan, an edited list, a planted marker) is
  moved aside whole (``NAME.replaced-TIMESTAMP``), never deleted. ``/`` and the home folder are
  always refused, and so is a folder that holds an input.
- **Files** are written to a temporary name and renamed over the target, and never replace an
  input file; an existing file is replaced only with ``--overwrite``.
- **CSV** cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) get a leading apostrophe, following OWASP's advice on CSV
  injection; numbers stay numbers, and cocoon's own readers take the apostrophe off again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from stat import S_ISLNK
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

try:
    import pwd
except ImportError:  # Windows has no password database
    pwd = None  # type: ignore[assignment]

from cocoon import __version__
from cocoon.catalogue import text
from cocoon.errors import OutputError
from cocoon.publish.spreadsheets import excel_sv, rounded
from cocoon.publish.staging import MARKER, done_staging, note_staging, running

MANIFEST_FORMAT = 2
"""The manifest's layout: 1 = version and the SHA-256 of each file; 2 = and each file's
:func:`_identity` when the manifest was written ("seen")."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet read a cell as a formula."""


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
    return True


def _homes() -> set[Path]:
    """The user's home folder, from $HOME and from the password database (they can differ)."""
    homes = {Path.home()}
    if pwd is not None:
        with contextlib.suppress(KeyError):  # a uid with no entry (some containers)
            homes.add(Path(pwd.getpwuid(os.getuid()).pw_dir))
    return {h.resolve() for h in homes}


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


_WRITTEN: dict[Path, tuple[tuple[int, ...], str]] = {}
"""The SHA-256 of each file written into an output folder, from the bytes as they were written,
with the file's :func:`_identity` just after; :func:`write_manifest` takes them from here."""


def _identity(path: Path) -> tuple[int, ...]:
    """What changes when a file is replaced or written to: device, inode, size, modification and
    change times."""
    stat = path.stat()
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _manifest_digest(path: Path, identity: tuple[int, ...]) -> str:
    """The SHA-256 of ``path`` (whose :func:`_identity` is ``identity``): the one taken while
    cocoon wrote it when the file is still that one, otherwise read from the file."""
    known = _WRITTEN.pop(path.resolve(), None)
    if known is not None and known[0] == identity:
        return known[1]
    return _digest(path)


def _files(folder: Path) -> list[Path]:
    """Every entry under ``folder`` that is not a folder (files, links, anything else), and every
    empty folder, relative to ``folder``; the manifest itself left out."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative == Path(MARKER):
            continue
        if path.is_symlink() or not path.is_dir() or not any(path.iterdir()):
            found.append(relative)
    return found


def write_manifest(folder: Path) -> None:
    """The manifest of ``folder``: cocoon's version and the SHA-256 of every file in it."""
    seen = {p.as_posix(): _identity(folder / p) for p in _files(folder) if (folder / p).is_file()}
    files = {name: _manifest_digest(folder / name, identity) for name, identity in seen.items()}
    content = {
        "written_by": "cocoon",
        "version": __version__,
        "format": MANIFEST_FORMAT,
        "files": files,
        "seen": {name: list(identity) for name, identity in seen.items()},
    }
    (folder / MARKER).write_text(json.dumps(content, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def only_ours(folder: Path) -> bool:
    """Whether ``folder`` holds exactly the files of its manifest, each unchanged: nothing added,
    nothing edited. A folder without a manifest, or with one cocoon cannot read, is not ours."""
    try:
        manifest = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        listed = manifest["files"]
        if manifest.get("written_by") != "cocoon" or not isinstance(listed, dict):
            return False
        present = _files(folder)
        if sorted(p.as_posix() for p in present) != sorted(listed):
            return False
        seen = manifest.get("seen")
        written = (folder / MARKER).stat().st_mtime_ns
        return all(
            (folder / p).is_file()
            and not (folder / p).is_symlink()
            and (
                _unchanged_since(folder / p, seen.get(p.as_posix()) if isinstance(seen, dict) else None, written)
                or _digest(folder / p) == listed[p.as_posix()]
            )
            for p in present
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _unchanged_since(path: Path, seen: Any, written: int) -> bool:
    """Whether ``path`` is still the file the manifest saw (``seen``, its :func:`_identity`
    then), known without reading it: same identity, and a change time earlier than the
    manifest's ``written`` time, so that a change made after the manifest, even within the
    same tick of the file system's clock, cannot leave the same times."""
    if not isinstance(seen, list) or len(seen) != 5:
        return False
    return bool(seen[4] < written and tuple(seen) == _identity(path))


def _state(folder: Path) -> list[tuple[str, int, int, bool]] | None:
    """Every entry of ``folder`` with its size, modification time and whether it is a link; None
    when the folder cannot be read. Equal states mean nothing was added, removed or written."""
    try:
        entries = [(p, (folder / p).lstat()) for p in [Path(MARKER), *_files(folder)]]
    except OSError:
        return None
    return [(p.as_posix(), stat.st_size, stat.st_mtime_ns, S_ISLNK(stat.st_mode)) for p, stat in entries]


def _checked(folder: Path) -> tuple[list[tuple[str, int, int, bool]] | None, bool]:
    """The state of ``folder`` (see :func:`_state`) and whether it is :func:`only_ours` in it."""
    return _state(folder), only_ours(folder)


def _aside(target: Path) -> Path:
    """A name beside ``target`` that is not taken: ``NAME.replaced-TIMESTAMP[-N]``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = target.parent / f"{target.name}.replaced-{stamp}"
    number = 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = target.parent / f"{target.name}.replaced-{stamp}-{number}"
    return candidate


def check_output_folder(path: Path, *, overwrite: bool, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse an output folder that cannot or must not be written (see the module text)."""
    resolved = path.resolve()
    if resolved == Path(resolved.anchor):
        raise OutputError("output.root", path=str(path))
    if resolved in _homes():
        raise OutputError("output.home", path=str(path))
    if path.exists() and not path.is_dir():
        raise OutputError("output.not_a_folder", path=str(path))
    for given in inputs:
        if given is not None and _inside(Path(given), path):
            raise OutputError("output.holds_input", path=str(path), file=str(given))
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise OutputError("output.not_empty", path=str(path))


class OutputFolder:
    """``with OutputFolder(out, overwrite=...) as folder:`` writes into ``folder`` (a temporary
    folder beside ``out``); leaving the block moves it to ``out``, or removes it after an error."""

    def __init__(self, target: str | Path, *, overwrite: bool, inputs: Iterable[Path | None] = ()) -> None:
        self.target = Path(target)
        check_output_folder(self.target, overwrite=overwrite, inputs=inputs)
        self.overwrite = overwrite
        self.folder = self.target.parent / f".{self.target.name}.cocoon-{os.getpid()}"
        self.moved_aside: Path | None = None
        """Where an earlier folder holding files cocoon did not write was moved (with --overwrite)."""
        self.old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
        self._earlier: Future[tuple[list[tuple[str, int, int, bool]] | None, bool]] | None = None
        """Whether the folder already at ``target`` is cocoon's own, worked out while the run writes
        (hashing a large earlier plan takes a while); checked again at the end if it changed."""

    def __enter__(self) -> Path:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._remove_leftovers()
            note_staging(self.folder, target=self.target, aside=self.old)
            self.folder.mkdir()
            (self.folder / MARKER).write_text(
                json.dumps({"written_by": "cocoon", "version": __version__, "files": {}}) + "\n", encoding="utf-8"
            )
            if self.target.is_dir() and not self.target.is_symlink():
                checking = ThreadPoolExecutor(1)
                self._earlier = checking.submit(_checked, self.target)
                checking.shutdown(wait=False)
        except OSError as exc:
            done_staging(self.folder)
            raise OutputError("output.cannot_create", path=str(self.target), reason=exc.strerror or str(exc)) from None
        return self.folder

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            done_staging(self.folder)
            return
        try:
            write_manifest(self.folder)
            self._place()
        except OSError as exc:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise OutputError("output.cannot_write", path=str(self.target), reason=exc.strerror or str(exc)) from None
        finally:
            done_staging(self.folder)

    def _remove_leftovers(self) -> None:
        """Temporary folders of earlier runs into the same target that were killed half-way
        (only cocoon's own: its temporary name and its marker)."""
        for leftover in self.target.parent.glob(f".{self.target.name}.cocoon-*"):
            pid = leftover.name.rsplit("-", 1)[-1]
            if (
                pid.isdigit()
                and (int(pid) == os.getpid() or not running(int(pid)))
                and leftover.is_dir()
                and not leftover.is_symlink()
                and (leftover / MARKER).is_file()
            ):
                shutil.rmtree(leftover, ignore_errors=True)

    def _place(self) -> None:
        old = None
        if self.target.exists() or self.target.is_symlink():
            if self.target.is_symlink() or any(self.target.iterdir()):
                ours = not self.target.is_symlink() and self._earlier_is_ours()
                old = self.old if ours else _aside(self.target)
                self.target.rename(old)
                if not ours:
                    self.moved_aside = old
            else:
                self.target.rmdir()
        try:
            self.folder.rename(self.target)
        except OSError:
            if old is not None:  # put the earlier folder back where it was
                with contextlib.suppress(OSError):
                    old.rename(self.target)
                self.moved_aside = None
            raise
        if old is not None and self.moved_aside is None:
            shutil.rmtree(old, ignore_errors=True)

    def _earlier_is_ours(self) -> bool:
        """:func:`only_ours` of the folder at ``target``, from the check begun at the start when
        the folder is as it was then."""
        if self._earlier is not None:
            state, ours = self._earlier.result()
            if state is not None and state == _state(self.target):
                return ours
        return only_ours(self.target)

    def final(self, path: Path) -> Path:
        """Where a file written into the temporary folder ends up."""
        return self.target / Path(path).relative_to(self.folder)


def prepare_output_file(path: str | Path, *, overwrite: bool, inputs: Iterable[Path | None] = ()) -> Path:
    """Refuse to replace an input file, or an existing file unless ``overwrite``; create the
    folder it goes in."""
    path = Path(path)
    if path.is_dir():
        raise OutputError("output.is_a_folder", path=str(path))
    for given in inputs:
        if given is not None and _same(Path(given), path):
            raise OutputError("output.is_an_input", path=str(path))
    if path.exists() and not overwrite:
        raise OutputError("output.file_exists", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.cannot_create", path=str(path.parent), reason=exc.strerror or str(exc)) from None
    return path


def _atomic(path: Path, write: Callable[[Path], str | None]) -> Path:
    """Write to a temporary name beside ``path``, then rename it over ``path``. ``write`` returns
    the SHA-256 of the bytes it wrote (or None), kept for the manifest of the output folder."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.cocoon-{os.getpid()}")
    noted = not any(".cocoon-" in part for part in path.parent.parts)  # inside an output folder: noted with it
    if noted:
        note_staging(temporary, target=path)
    try:
        digest = write(temporary)
        os.replace(temporary, path)
        if digest is not None and not noted:
            _WRITTEN[path.resolve()] = (_identity(path), digest)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        if noted:
            done_staging(temporary)
    return path


def write_json(data: Any, path: Path) -> Path:
    """Strict JSON (RFC 8259): an infinite or missing number is written as null, never as the
    ``Infinity`` or ``NaN`` that other programs refuse to read."""
    return write_text(
        path, json.dumps(_finite(data), indent=2, ensure_ascii=False, default=_json_default, allow_nan=False) + "\n"
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    converted = json_value(value)
    return str(converted) if converted is value else converted


def write_bytes(path: Path, content: bytes) -> Path:
    def write(temporary: Path) -> str:
        temporary.write_bytes(content)
        return hashlib.sha256(content).hexdigest()

    return _atomic(path, write)


def write_text(path: Path, content: str) -> Path:
    """``content`` in UTF-8, line ends as the system writes text files."""
    if os.linesep != "\n":
        content = content.replace("\n", os.linesep)
    return write_bytes(path, content.encode("utf-8"))


def json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if isinstance(value, pd.Timestamp) else value.isoformat()
    return value


def write_csv(frame: pd.DataFrame, path: Path, *, dialect: str = "plain") -> Path:
    """In the plain dialect UTF-8, comma-separated, decimal point, text quoted; in ``excel-sv``
    the way Swedish Excel reads it (see :mod:`cocoon.publish.spreadsheets`). Coordinates and
    decimals rounded; cells that a spreadsheet would run as a formula neutralised."""
    import pyarrow as pa

    if dialect == "excel-sv":
        return write_bytes(path, excel_sv(_csv_ready(rounded(frame))))
    ready = rounded(frame)
    names = [str(name) for name in ready.columns]
    columns = []
    for k in range(ready.shape[1]):
        column = ready.iloc[:, k]
        cells = _text_cells(column) if column.dtype == object or pd.api.types.is_string_dtype(column.dtype) else None
        if cells is None:  # numbers, categories, or text with other objects mixed in
            cells = _other_cells(column)
        columns.append(cells)
    table = pa.Table.from_arrays(columns, names=names)
    return _atomic(path, lambda temporary: _write_arrow_csv(table, temporary))


CSV_PIECE_ROWS = 100_000
"""Rows a thread turns into CSV text at a time (Arrow's CSV writer uses one core)."""


def _write_arrow_csv(table: Any, path: Path) -> str:
    """``table`` as CSV (a header, cells quoted where needed): a large table in pieces of
    :data:`CSV_PIECE_ROWS` rows written by the cores side by side and put in the file in order,
    so the text is the same as one writer's. Returns the SHA-256 of the file, hashed as it is
    written."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    threads = min(os.cpu_count() or 1, 4)
    digest = hashlib.sha256()

    def piece(start: int) -> Any:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(
            table.slice(start, CSV_PIECE_ROWS),
            sink,
            write_options=pacsv.WriteOptions(quoting_style="needed", include_header=start == 0),
        )
        return sink.getvalue()

    def put(text: Any) -> None:
        out.write(memoryview(text))
        digest.update(memoryview(text))

    starts = range(0, max(table.num_rows, 1), CSV_PIECE_ROWS)
    with ThreadPoolExecutor(min(threads, len(starts))) as pool, open(path, "wb") as out:
        ahead: deque[Any] = deque()  # a few pieces in hand at a time, so that memory stays bounded
        for start in starts:
            ahead.append(pool.submit(piece, start))
            if len(ahead) > threads:
                put(ahead.popleft().result())
        while ahead:
            put(ahead.popleft().result())
    return digest.hexdigest()


def _other_cells(column: pd.Series) -> Any:
    """A column that is not all text as Arrow: numbers and yes/no as they are (missing ones
    empty), categories as their values (Arrow's CSV writer writes plain values faster than
    categories), anything else as :func:`_csv_ready` makes it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf":
        return pa.array(column.to_numpy(), from_pandas=True)
    cells = pa.Table.from_pandas(_csv_ready(pd.DataFrame({"cells": column})), preserve_index=False).column(0)
    if isinstance(column.dtype, pd.CategoricalDtype):
        coded = cells.combine_chunks()
        values = coded.dictionary
        if pa.types.is_large_string(values.type):
            values = pc.cast(values, pa.string())
        cells = values.take(coded.indices)
    return cells


def _text_cells(column: pd.Series) -> Any:
    """A column of text (missing cells empty) straight to Arrow, formulas neutralised as by
    :func:`neutralise`; None when it holds anything but text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        if isinstance(column.dtype, pd.StringDtype | pd.ArrowDtype) and hasattr(column.array, "__arrow_array__"):
            cells = pa.array(column.array)  # already Arrow text: no Python strings, and no copy
            if not (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)):
                cells = pc.cast(cells, pa.string())
        else:
            cells = pa.array(column.to_numpy(dtype=object), type=pa.string(), mask=pd.isna(column).to_numpy())
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if isinstance(cells, pa.ChunkedArray):
        if cells.num_chunks == 1:
            return _neutralised_cells(cells.chunk(0))
        if cells.num_chunks > 1:  # in pieces (a long why column): each neutralised, none copied or combined
            return pa.chunked_array([_neutralised_cells(chunk) for chunk in cells.chunks], type=cells.type)
        cells = cells.combine_chunks()
    return _neutralised_cells(cells)


def _neutralised_cells(cells: Any) -> Any:
    """An Arrow text array with its formula cells neutralised; the array itself when it has none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    formula = _formulas(cells)
    if not formula.any():
        return cells
    quoted = pc.binary_join_element_wise(pa.scalar("'", cells.type), cells, pa.scalar("", cells.type))
    return pc.if_else(pa.array(formula), quoted, cells)


_FORMULA_BYTES = np.isin(np.arange(256), [ord(c) for c in FORMULA_START])
"""For each byte, whether a cell starting with it is read as a formula (all of
:data:`FORMULA_START` are ASCII, so a cell's first byte tells)."""


def _formulas(cells: Any) -> np.ndarray:
    """Which cells of an Arrow text array (nulls as no) start with a formula character, from each
    cell's first byte."""
    import pyarrow as pa

    n = len(cells)
    data = cells.buffers()[2]
    if n == 0 or data is None:
        return np.zeros(n, dtype=bool)
    width = 8 if pa.types.is_large_string(cells.type) else 4
    offsets = np.frombuffer(cells.buffers()[1], dtype=f"<i{width}", count=n + 1, offset=width * cells.offset)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if cells.null_count:
        filled &= cells.is_valid().to_numpy(zero_copy_only=False)
    formula = np.zeros(n, dtype=bool)
    formula[filled] = _FORMULA_BYTES[np.frombuffer(data, dtype=np.uint8)[starts[filled]]]
    return formula


def neutralise(values: pd.Series) -> pd.Series:
    """Text cells starting with = + - @ tab or carriage return get a leading apostrophe."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        cells = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        first = pc.utf8_slice_codeunits(cells, 0, 1)
        text_cells = pc.fill_null(pc.is_in(first, value_set=pa.array(FORMULA_START)), False).to_numpy(
            zero_copy_only=False
        )
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # not all text: cell by cell
        text_cells = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START)).to_numpy(dtype=bool)
    if not text_cells.any():
        return values
    out = values.copy()
    out[text_cells] = "'" + values[text_cells].astype(str)
    return out


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns arrow can write: mixed or odd objects become text, missing stays empty, formulas are
    neutralised."""
    out = {}
    for name, column in frame.items():
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            values = column.to_numpy(dtype=object)
            mask = pd.isna(column).to_numpy()
            if not all(isinstance(v, str) for v in values[~mask][:1000]):
                values = np.array(
                    [None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(values, mask, strict=True)],
                    dtype=object,
                )
            out[str(name)] = neutralise(pd.Series(values, dtype=object)).where(~mask, None)
        else:
            out[str(name)] = column.reset_index(drop=True)
    return pd.DataFrame(out)


def write_rejects(rejects: pd.DataFrame, path: Path, *, lang: str) -> Path:
    """Skipped rows as given, with the row number, column and the reason in words."""
    table = rejects.copy()
    table.insert(
        3, "reason", [text(k, lang, **p) for k, p in zip(table["reason_key"], table["reason_params"], strict=True)]
    )
    table = table.drop(columns=["reason_params"])
    return write_csv(table, path)
