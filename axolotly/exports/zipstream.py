"""A zip archive written as it is sent: each file's bytes leave as soon as they are compressed.

`zipfile` writes to any object with `write`; on one that cannot seek back (this `_Spout`) it
puts each member's sizes and CRC in a data descriptor after its bytes instead of in its header,
so nothing is held back but the central directory (a few dozen bytes per file) until `finish`.
CSV rows go in by batches (`csv_chunks`), so a file of 100,000 rows never exists whole.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import IO

from fastapi.responses import StreamingResponse

SEND_BYTES = 64 * 1024  # a chunk of the response
CSV_BATCH_BYTES = 64 * 1024  # rows are encoded and compressed this much at a time
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip header can say


def attachment_headers(filename: str) -> dict[str, str]:
    """The download's headers: a file to save, never kept by a cache (it is a family's data)."""
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


class _Spout(io.RawIOBase):
    """Collects what the zip writer writes until the stream takes it away."""

    def __init__(self) -> None:
        self._waiting = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # any bytes-like object, as RawIOBase takes
        self._waiting += data
        return len(data)

    def take(self) -> bytes:
        taken = bytes(self._waiting)
        self._waiting.clear()
        return taken


class ZipStream:
    """Add files one after the other (each yields its compressed bytes), then `finish`."""

    def __init__(self, written_at: datetime) -> None:
        self._spout = _Spout()
        self._zip = zipfile.ZipFile(self._spout, mode="w", compression=zipfile.ZIP_DEFLATED)
        self._date_time = max(ZIP_EPOCH, written_at.timetuple()[:6])

    def add(self, name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        member = zipfile.ZipInfo(name, date_time=self._date_time)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = 0o644 << 16  # a plain file anyone may read once unpacked
        with self._zip.open(member, mode="w") as writer:
            for chunk in chunks:
                writer.write(chunk)
                if out := self._spout.take():
                    yield out
        if out := self._spout.take():
            yield out

    def finish(self) -> Iterator[bytes]:
        self._zip.close()
        yield self._spout.take()


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """UTF-8 CSV (with a byte order mark, so spreadsheet programs read accents right), header
    first, in batches of about CSV_BATCH_BYTES."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_inert(cell) for cell in row])
        if buffer.tell() >= CSV_BATCH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# A cell a spreadsheet would read as a formula (=HYPERLINK(...), +, -, @, or a leading tab or
# return): app names come from devices, names from people. Its text is kept, behind an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: object) -> object:
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def spooled(body: Iterator[bytes]) -> Iterator[bytes]:
    """`body` written whole to a temporary file now, then sent from it: an error while reading
    (the family gone meanwhile) is the route's answer, not a zip cut short after a 200; and the
    snapshot's transaction and connection end before the first byte goes out, so a slow or
    stalled download holds neither (nor keeps PostgreSQL from vacuuming). Memory stays flat; the
    file goes with the response."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _sent, the response, or on an error here)
    try:
        for chunk in body:
            spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return _sent(spool)


def _sent(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(SEND_BYTES):
            yield chunk


def zip_response(body: Iterator[bytes], filename: str) -> StreamingResponse:
    """The zip as a download (every door of the export: the API, the account page, the console),
    spooled first."""
    return StreamingResponse(spooled(body), media_type="application/zip", headers=attachment_headers(filename))
