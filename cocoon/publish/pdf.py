"""PDF pages with fpdf2: A4, a running header, "page x of y", tables whose header repeats.

The DejaVu Sans fonts come from matplotlib's own package data, so Swedish and any other
Latin text print without system fonts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from fpdf import FPDF

from cocoon.catalogue import text


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class Document(FPDF):
    """An A4 document with cocoon's header and footer."""

    def __init__(self, *, orientation: str = "P", lang: str = "en"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        fonts = _font_dir()
        self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_font("DejaVu", size=9)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(10, 12, 10)
        self.lang = lang
        self.page_header = ""
        self.set_creator("cocoon")

    def header(self) -> None:
        if self.page_header:
            self.set_font("DejaVu", "B", 9)
            self.cell(0, 6, self.page_header, new_x="LMARGIN", new_y="NEXT")
            self.ln(1)
            self.set_font("DejaVu", "", 9)

    def footer(self) -> None:
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

    def repeating_table(self, headings: Sequence[str], rows: Iterable[Sequence[object]],
                        widths: Sequence[float]) -> None:
        """A table whose header row repeats on every page it runs over, scaled to the page width."""
        self.set_font("DejaVu", "", 7.5)
        scale = min(1.0, self.epw / sum(widths))
        widths = tuple(w * scale for w in widths)
        with self.table(col_widths=widths, width=min(sum(widths), self.epw), repeat_headings=1, text_align="LEFT",
                           line_height=4.2, first_row_as_headings=True) as table:
            table.row(headings)
            for values in rows:
                table.row([str(v) for v in values])
        self.set_font("DejaVu", "", 9)

    def to_bytes(self) -> bytes:
        """The finished document."""
        return bytes(self.output())
