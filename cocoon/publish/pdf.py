"""PDF pages with fpdf2: A4 or A3, a running header, "page x of y" where the document wants it,
tables whose header repeats, and text boxes that shrink their text until it fits.

Every text written with :meth:`Document.text_box` is measured with fpdf's own line breaking
(``multi_cell(dry_run=True, output="LINES")``); a text that does not fit its box even at the
smallest size allowed is drawn anyway and listed in :attr:`Document.overflows`, so that the
writer can say so and the tests can assert that nothing overflows.

The DejaVu Sans fonts come from matplotlib's own package data, so Swedish and any other
Latin text print without system fonts.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont

from cocoon.catalogue import text

PT = 25.4 / 72
"""One typographic point in millimetres."""
LINE_SPACING = 1.2
"""A line of text is this many times its font size high."""
SIZE_STEP = 0.25
"""Fonts shrink in steps of this many points until the text fits."""
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control characters, zero-width space, byte-order mark and bidirectional overrides: nothing to
print, and an override would show an address backwards. Taken out of every text on a page."""


def printable_on_paper(value: str) -> str:
    """``value`` without what cannot be printed (:data:`UNPRINTABLE`); a tab becomes a space."""
    return UNPRINTABLE.sub("", value.replace("\t", " "))


class _MissingGlyphs(logging.Handler):
    """Collects fpdf's "missing glyphs" messages, which would otherwise go to the terminal with the
    characters in them as they are."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.characters: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "missing the following glyphs" in str(record.msg) and len(record.args or ()) >= 2:
            found = re.findall(r"\((\\[^)]+|[^)]+)\)", str(record.args[1]))  # type: ignore[index]
            self.characters.extend(c for c in found if c not in self.characters)


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
"""cocoon's font, by style."""
_PARSED: dict[str, TTFFont] = {}
"""Each style's font as fpdf reads it (its widths and character map), read once for every document."""


def _add_font(document: FPDF, style: str) -> None:
    """Add DejaVu Sans in ``style`` to ``document``, reading the font file's tables only once.

    fpdf reads a font's widths and character map anew for every document (the most of a short
    document's time); each document gets a copy of the font read the first time, with what
    fpdf changes while writing a document (the characters used, the subset) of its own, so that
    the document is the same as with a font read for it alone."""
    parsed = _PARSED.get(style)
    if parsed is None:
        document.add_font("DejaVu", style, str(_font_dir() / FONT_FILES[style]))
        added = document.fonts["dejavu" + style]
        if isinstance(added, TTFFont) and added.color_font is None:  # a colour font would belong to its document
            _PARSED[style] = _copy_font(added, document, own_index=False)
        return
    document.fonts["dejavu" + style] = _copy_font(parsed, document)


def _copy_font(font: TTFFont, document: FPDF, *, own_index: bool = True) -> TTFFont:
    """A copy of ``font`` for ``document``: its widths and character map shared, the font tables
    (which writing the document subsets in place) opened anew, and nothing used yet."""
    from fpdf.fonts import SubsetMap

    copied = copy.copy(font)
    if own_index:
        copied.i = len(document.fonts) + 1
    copied.ttfont = type(font.ttfont)(
        font.ttffile, recalcTimestamp=False, fontNumber=font.collection_font_number, lazy=True
    )
    copied.desc = copy.copy(font.desc)  # writing the document names it and numbers it
    copied._hbfont = None
    copied.biggest_size_pt = 0
    copied.missing_glyphs = []
    copied.subset = SubsetMap(copied)
    return copied


def line_height(size: float) -> float:
    """The height in mm of one line of text at ``size`` points."""
    return size * PT * LINE_SPACING


@dataclass(frozen=True)
class Overflow:
    """A text that did not fit its box: it was drawn at the smallest size allowed and still
    breaks inside a word or needs more lines than the box holds."""

    page: int
    text: str
    width: float
    height: float
    reason: str
    """``word`` (a word is wider than the box) or ``lines`` (more lines than the box holds)."""


class Document(FPDF):
    """An A4 (or A3) document with cocoon's fonts, header and, unless ``page_numbers`` is false,
    "page x of y" in the footer of every page."""

    def __init__(self, *, orientation: str = "P", lang: str = "en", paper: str = "A4", page_numbers: bool = True):
        super().__init__(orientation=orientation, unit="mm", format=paper)
        _add_font(self, "")
        _add_font(self, "B")
        self.set_font("DejaVu", size=9)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(10, 12, 10)
        self.lang = lang
        self.page_header = ""
        self.page_numbers = page_numbers
        self.overflows: list[Overflow] = []
        self.missing_glyphs: list[str] = []
        """Characters the font has no glyph for, escaped (``\\U0001f600``): printed as boxes."""
        self._lines: dict[tuple[object, ...], list[str]] = {}
        """Texts broken into lines (:meth:`wrapped`), by text, box width, size and style."""
        self._widest: dict[tuple[object, ...], float] = {}
        """The widest word of texts (:meth:`widest_word`), by text, size and style."""
        self.set_creator("cocoon")

    def header(self) -> None:
        if self.page_header:
            self.set_font("DejaVu", "B", 9)
            self.cell(0, 6, self.page_header, new_x="LMARGIN", new_y="NEXT")
            self.ln(1)
            self.set_font("DejaVu", "", 9)

    def footer(self) -> None:
        if not self.page_numbers:
            return
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, text("pdf.page_of", self.lang, page=self.page_no(), pages="{nb}"), align="R")

    def heading(self, value: str, size: int = 14) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.5, value, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_font("DejaVu", "", 10)

    def paragraph(self, value: str, size: int = 10) -> None:
        self.set_font("DejaVu", "", size)
        self.multi_cell(0, size * 0.5, value, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    # --- text that fits its box ---------------------------------------------------------------

    def text_width(self, value: str, size: float, style: str = "") -> float:
        """The width in mm of ``value`` on one line at ``size`` points (the widest of its lines)."""
        self.set_font("DejaVu", style, size)
        return max((self.get_string_width(line) for line in value.split("\n")), default=0.0)

    def widest_word(self, value: str, size: float, style: str = "") -> float:
        """The width in mm of the widest word of ``value``: a box narrower than this breaks a word."""
        self.set_font("DejaVu", style, size)
        key = (value, size, style, self.font_stretching, self.char_spacing)
        if key not in self._widest:
            self._widest[key] = max((self.get_string_width(word) for word in value.split()), default=0.0)
        return self._widest[key]

    def wrapped(self, value: str, width: float, size: float, style: str = "") -> list[str]:
        """``value`` broken into lines the way fpdf breaks it in a box ``width`` mm wide.

        Kept for the document: finding the size that fits measures a text, and writing it breaks
        it again at that size; pages repeat texts (a sign's words on every copy)."""
        self.set_font("DejaVu", style, size)
        key = (value, width, size, style, self.c_margin, self.font_stretching, self.char_spacing)
        if width <= 0:  # a box to the right margin: its width depends on where it starts
            return self._break_lines(value, width, size)
        if key not in self._lines:
            self._lines[key] = self._break_lines(value, width, size)
        return list(self._lines[key])

    def _break_lines(self, value: str, width: float, size: float) -> list[str]:
        try:
            lines = self.multi_cell(width, line_height(size), value, dry_run=True, output="LINES")
        except FPDFException:  # narrower than a single character
            return value.split("\n")
        return [str(line) for line in lines] if isinstance(lines, list) else [value]

    def fits(self, value: str, width: float, height: float, size: float, style: str = "") -> bool:
        """Whether ``value`` fits a box of ``width`` × ``height`` mm at ``size`` points, without
        breaking inside a word."""
        if self.widest_word(value, size, style) > width - 2 * self.c_margin + 1e-6:
            return False
        return len(self.wrapped(value, width, size, style)) * line_height(size) <= height + 1e-6

    def fitting_size(
        self, value: str, width: float, height: float, *, size: float, min_size: float, style: str = ""
    ) -> float | None:
        """The largest size from ``size`` down to ``min_size`` at which ``value`` fits, or None."""
        current = size
        while current >= min_size - 1e-9:
            if self.fits(value, width, height, current, style):
                return current
            current -= SIZE_STEP
        return None

    def text_box(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        value: str,
        *,
        size: float,
        min_size: float | None = None,
        style: str = "",
        align: str = "L",
        valign: str = "M",
    ) -> float:
        """Write ``value`` inside the box, at ``size`` points or smaller (down to ``min_size``) so
        that it fits without breaking a word; vertically at the top, middle or bottom (``valign``
        T, M or B). A text that fits at no size allowed is drawn at the smallest and recorded in
        :attr:`overflows`. Returns the size used."""
        smallest = size if min_size is None else min_size
        chosen = self.fitting_size(value, width, height, size=size, min_size=smallest, style=style)
        if chosen is None:
            chosen = smallest
            words = self.widest_word(value, chosen, style) > width - 2 * self.c_margin + 1e-6
            self.overflows.append(
                Overflow(
                    page=self.page_no(),
                    text=value,
                    width=round(width, 2),
                    height=round(height, 2),
                    reason="word" if words else "lines",
                )
            )
        lines = self.wrapped(value, width, chosen, style) if value else []
        step = line_height(chosen)
        used = len(lines) * step
        top = {"T": y, "B": y + height - used}.get(valign, y + (height - used) / 2)
        self.set_font("DejaVu", style, chosen)
        for k, line in enumerate(lines):
            self.set_xy(x, top + k * step)
            self.cell(width, step, line, align=align)
        return chosen

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(printable_on_paper(text))

    def to_bytes(self) -> bytes:
        """The finished document; characters the font lacks are kept in :attr:`missing_glyphs`."""
        logger = logging.getLogger("fpdf")
        handler = _MissingGlyphs()
        propagate = logger.propagate
        logger.addHandler(handler)
        logger.propagate = False
        try:
            return bytes(self.output())
        finally:
            logger.removeHandler(handler)
            logger.propagate = propagate
            self.missing_glyphs = handler.characters
