"""Reading the plain-text rule tables under `nlu/resources/`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from nlu.errors import ResourceError

RESOURCES_DIR = Path(__file__).resolve().parent / "resources"


def read_table(path: Path, columns: int) -> List[Tuple[str, ...]]:
    """Rows of a tab-separated UTF-8 table; blank lines and ``#`` comments are skipped.

    Raises `ResourceError` naming the file and line when a row has the wrong number of
    columns or an empty cell.
    """
    rows = []
    text = Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = tuple(cell.strip() for cell in line.split("\t"))
        if len(cells) != columns or not all(cells):
            raise ResourceError(path, number, f"expected {columns} non-empty tab-separated columns")
        rows.append(cells)
    return rows


def resource(name: str) -> Path:
    """Path of a file shipped in `nlu/resources/`."""
    return RESOURCES_DIR / name
