"""The one place where output files are written: folders and files checked first, then
text, bytes, JSON and CSV written with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocoon.catalogue import text
from cocoon.errors import OutputError


def prepare_output_dir(path: str | Path, *, overwrite: bool) -> Path:
    """Create ``path``; refuse a non-empty folder unless ``overwrite``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError("output.not_a_folder", path=str(path))
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise OutputError("output.not_empty", path=str(path))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.cannot_create", path=str(path), reason=exc.strerror or str(exc)) from None
    return path


def prepare_output_file(path: str | Path, *, overwrite: bool) -> Path:
    """Refuse to replace an existing file unless ``overwrite``; create the folder it goes in."""
    path = Path(path)
    if path.is_dir():
        raise OutputError("output.is_a_folder", path=str(path))
    if path.exists() and not overwrite:
        raise OutputError("output.file_exists", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.cannot_create", path=str(path.parent), reason=exc.strerror or str(exc)) from None
    return path


def write_json(data: Any, path: Path) -> Path:
    return _write_text(Path(path), json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    converted = json_value(value)
    return str(converted) if converted is value else converted


def write_bytes(path: Path, content: bytes) -> Path:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    return Path(path)


def write_text(path: Path, content: str) -> Path:
    return _write_text(Path(path), content)


def _write_text(path: Path, content: str) -> Path:
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    return path


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


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8, comma-separated, decimal point; text quoted only where needed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pa.Table.from_pandas(_csv_ready(frame), preserve_index=False)
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    except OSError as exc:
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    return path


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns arrow can write: mixed or odd objects become text, missing stays empty."""
    out = {}
    for name, column in frame.items():
        if column.dtype == object:
            values = column.to_numpy(dtype=object)
            mask = pd.isna(column).to_numpy()
            if not all(isinstance(v, str) for v in values[~mask][:1000]):
                values = np.array([None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(values, mask,
                                                                                                        strict=True)],
                                  dtype=object)
            out[str(name)] = pd.Series(values, dtype=object).where(~mask, None)
        else:
            out[str(name)] = column.reset_index(drop=True)
    return pd.DataFrame(out)


def write_rejects(rejects: pd.DataFrame, path: Path, *, lang: str) -> Path:
    """Skipped rows as given, with the row number, column and the reason in words."""
    table = rejects.copy()
    table.insert(3, "reason", [text(k, lang, **p) for k, p in zip(table["reason_key"], table["reason_params"],
                                                                  strict=True)])
    table = table.drop(columns=["reason_params"])
    return write_csv(table, path)
