"""Reading a family's export the way a parent would: the zip's files, the CSVs' rows."""

import csv
import io
import zipfile

EXPORT_FILES = ["README.txt", "family.json", "watch-history.csv", "activity.csv"]


def unzipped(body: bytes) -> dict[str, bytes]:
    """Every file of the zip by name (the archive's own checks pass: CRCs and sizes)."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[list[str]]:
    """A CSV file's rows, its header first (UTF-8 with a byte order mark, as spreadsheets want)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
