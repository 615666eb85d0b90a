"""Hostile workbooks for the import tests and the memory measurement (builders only; no Django needed).

Each starts from a small valid criteria workbook and replaces or adds one part of its zip:

    .venv/bin/python -m benchmarks.workbooks OUT_DIR      writes the measured files (bomb, long cell...)
"""

import io
import random
import struct
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook

SHARED_STRINGS = "xl/sharedStrings.xml"
SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"
_MIB = 1024 * 1024


def base_workbook(title: str = "Chỉ đạo điều hành") -> bytes:
    """A valid one-node set: sheet «Bộ chỉ số» (header + one row) and sheet «Thông tin»."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Bộ chỉ số"
    sheet.append(["Mã", "Nội dung", "Điểm tối đa"])
    sheet.append(["1", title, 1])
    info = book.create_sheet("Thông tin")
    for row in (["Tên bộ chỉ số", "Bộ thử"], ["Loại cơ quan", "department"], ["Áp dụng từ năm", 2026]):
        info.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_parts(data: bytes, parts: dict[str, bytes | Iterable[bytes]], *, zip64: bool = False) -> bytes:
    """``data`` with these parts replaced or added (chunks of a part are streamed into the deflater)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in parts.items():
            with target.open(name, "w", force_zip64=zip64) as stream:
                for chunk in [content] if isinstance(content, bytes) else content:
                    stream.write(chunk)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def _repeated(total: int, piece: bytes = b"A" * _MIB) -> Iterable[bytes]:
    left = total
    while left > 0:
        yield piece[: min(left, len(piece))]
        left -= len(piece)


_MARKER = "@@TITLE@@"


def long_title(chars: int, *, varied: bool = False) -> bytes:
    """A valid workbook whose node title (an inline string of the sheet) is ``chars`` characters long.

    One letter repeated compresses about 1 000 times; ``varied`` text hardly compresses (no ratio alarm).
    """
    data = base_workbook(_MARKER)
    head, tail = part(data, SHEET).split(_MARKER.encode())
    letters = b"abcdefghijklmnopqrstuvwxyz "
    piece = bytes(random.Random(7).choices(letters, k=_MIB)) if varied else b"A" * _MIB  # noqa: S311 - test data
    content = [head, *_repeated(chars, piece), tail]
    return replace_parts(data, {SHEET: content}, zip64=chars > 2**31 - 2 * _MIB)


def shared_strings_bomb(chars: int) -> bytes:
    """The same, with the title in the shared strings part (as Excel writes it): a few MB on disk."""
    data = base_workbook(_MARKER)
    inline = f'<c r="B2" t="inlineStr"><is><t>{_MARKER}</t></is></c>'.encode()
    sheet = part(data, SHEET).replace(inline, b'<c r="B2" t="s"><v>0</v></c>')
    types = part(data, CONTENT_TYPES).replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument'
        b'.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    return replace_parts(
        data,
        {SHEET: sheet, CONTENT_TYPES: types, SHARED_STRINGS: [head, *_repeated(chars), b"</t></si></sst>"]},
        zip64=chars > 2**31 - 2 * _MIB,
    )


def lying_sizes(data: bytes, name: str, declared: int) -> bytes:
    """``data`` with the uncompressed size of ``name`` declared as ``declared`` in both zip headers."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(encoded)] == encoded:
                struct.pack_into("<I", raw, start + offset, declared)
            start += 4
    return bytes(raw)


def main() -> None:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "valid.xlsx": base_workbook(),
        "bomb-2gib.xlsx": shared_strings_bomb(2 * 1024 * _MIB),
        "cell-768mib.xlsx": long_title(768 * _MIB),
        "cell-768mib-lying.xlsx": lying_sizes(long_title(768 * _MIB), SHEET, 10_000),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
