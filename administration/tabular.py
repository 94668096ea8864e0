"""Reading an uploaded CSV or XLSX file into a header and numbered rows, or refusing it clearly.

XLSX goes through django-import-export's format (openpyxl, read-only, values not formulas).
CSV is read with the standard csv module rather than through tablib's loader, because tablib
drops blank lines, so its row index stops being the file's line number, and every message an
admin sees names the line to fix. Rows are yielded, never held as a list of lists: the national
TPS list has about 435,000 of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from import_export.formats import base_formats

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(Exception):
    """The whole file is unusable (encoding, delimiter, columns); nothing was read from it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str  # the header written on export, and the one named in messages
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Table:
    columns: dict[str, int]  # column key → index in a row
    rows: Iterator[tuple[int, list[str]]]  # (line number in the file, cells as stripped text)

    def has(self, key: str) -> bool:
        return key in self.columns


def normalise_header(text: str) -> str:
    cleaned = str(text or "").strip().lower().lstrip("\ufeff")
    for separator in ("-", "/", ".", "  "):
        cleaned = cleaned.replace(separator, " ")
    return "_".join(cleaned.split())


def is_xlsx(content: bytes, file_name: str) -> bool:
    return content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx")


def table_read(*, content: bytes, file_name: str, columns: list[Column]) -> Table:
    """Open the file and map its header onto `columns` (extra columns are ignored)."""
    if content.startswith(OLD_EXCEL_MAGIC) or file_name.lower().endswith(".xls"):
        raise FileRefused(
            _("Format .xls (Excel lama) tidak didukung; simpan ulang sebagai .xlsx atau CSV UTF-8.")
        )
    if is_xlsx(content, file_name):
        header, rows = _xlsx_rows(content)
    else:
        header, rows = _csv_rows(content)
    return Table(columns=_map_header(header, columns), rows=rows)


def count_rows(*, content: bytes, file_name: str) -> int:
    """A cheap estimate of the data rows, to decide whether the job goes to a worker."""
    if is_xlsx(content, file_name):
        try:
            workbook = _open_workbook(content)
            return max((workbook.active.max_row or 1) - 1, 0)
        except FileRefused:
            return 0
    return max(content.count(b"\n") - 1, 0) + (0 if content.endswith(b"\n") else 1)


def _csv_rows(content: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            _(
                'Berkas tersimpan sebagai UTF-16 ("Teks Unicode"), bukan UTF-8. Di Excel pilih '
                'Simpan Sebagai → "CSV UTF-8 (dipisahkan koma)".'
            )
        )
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which is not data.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRefused(
            _(
                "Berkas bukan UTF-8: byte ke-%(byte)d (baris %(line)d) tidak dapat dibaca. "
                'Di Excel pilih Simpan Sebagai → "CSV UTF-8 (dipisahkan koma)".'
            )
            % {"byte": exc.start + 1, "line": line}
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise FileRefused(_("Berkas kosong: baris 1 harus berisi nama kolom."))
    if len(header) == 1:
        for delimiter, name in ((";", _("titik koma (;)")), ("\t", _("tab")), ("|", "|")):
            if delimiter in header[0]:
                raise FileRefused(
                    _(
                        "Kolom dipisahkan dengan %(name)s, bukan koma. Simpan ulang sebagai CSV "
                        'dengan pemisah koma (di Excel: "CSV UTF-8 (dipisahkan koma)").'
                    )
                    % {"name": name}
                )

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        for row in reader:
            # line_num counts physical lines, so a quoted cell spanning lines keeps the count.
            if any(cell.strip() for cell in row):
                yield line, [cell.strip() for cell in row]
            line = reader.line_num + 1

    return header, rows()


def _open_workbook(content: bytes):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException…
        raise FileRefused(
            _("Berkas .xlsx tidak dapat dibuka (%(reason)s); simpan ulang dari Excel.")
            % {"reason": exc.__class__.__name__}
        ) from exc


def _xlsx_rows(content: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    _open_workbook(content)  # a clear refusal for a broken file before import-export sees it
    try:
        dataset = base_formats.XLSX().create_dataset(content)
    except Exception as exc:  # tablib refuses ragged rows (InvalidDimensions), among others
        raise FileRefused(
            _("Berkas .xlsx tidak dapat dibaca (%(reason)s); simpan ulang dari Excel.")
            % {"reason": exc.__class__.__name__}
        ) from exc
    header = [_cell_text(value) for value in dataset.headers or []]
    if not any(header):
        raise FileRefused(_("Berkas kosong: baris 1 harus berisi nama kolom."))

    def rows() -> Iterator[tuple[int, list[str]]]:
        # The dataset keeps blank rows (IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES is off), so
        # the index is the sheet's row number less the header.
        for index, values in enumerate(dataset, start=2):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                yield index, cells

    return header, rows()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _map_header(header: list[str], columns: list[Column]) -> dict[str, int]:
    by_name: dict[str, str] = {}
    for column in columns:
        for name in (column.key, *column.aliases):
            by_name[normalise_header(name)] = column.key
    mapped: dict[str, int] = {}
    for index, title in enumerate(header):
        key = by_name.get(normalise_header(title))
        if key is None:
            continue
        if key in mapped:
            raise FileRefused(
                _(
                    "Kolom %(column)s muncul dua kali di baris 1 (kolom ke-%(first)d dan ke-%(second)d)."
                )
                % {"column": key, "first": mapped[key] + 1, "second": index + 1}
            )
        mapped[key] = index
    missing = [column.key for column in columns if column.required and column.key not in mapped]
    if missing:
        raise FileRefused(
            _("Kolom wajib tidak ada: %(missing)s. Kolom di berkas: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(str(title) for title in header if str(title).strip()) or "-",
            }
        )
    return mapped
