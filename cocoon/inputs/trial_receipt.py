"""Reading a trial's receipt (``cocoon trial start`` writes it): the SHA-256 of the allocation."""

from __future__ import annotations

from pathlib import Path

from cocoon.errors import InputError

HEX = set("0123456789abcdef")


def read_receipt_hash(path: str | Path) -> str:
    """The ``sha256=`` line of a receipt; errors name the file and the line."""
    path = Path(path)
    if path.is_dir():
        raise InputError("trial.receipt_is_folder", file=str(path))
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("trial.receipt_missing", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("trial.receipt_not_text", file=str(path)) from None
    except OSError as exc:
        raise InputError("trial.receipt_unreadable", file=str(path), reason=str(exc)) from None
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip().lower().startswith("sha256="):
            value = line.split("=", 1)[1].strip().lower()
            if len(value) != 64 or not set(value) <= HEX:
                raise InputError("trial.bad_receipt_hash", file=str(path), row=number, value=value)
            return value
    raise InputError("trial.receipt_without_hash", file=str(path))
