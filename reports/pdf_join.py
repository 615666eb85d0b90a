"""PDF parts joined into one file as they come, so that the joined file is never held whole.

pypdf, pikepdf and qpdf all join files in memory. pypdf's objects take about fifteen times the file's size:
20 MiB for the 800-agency decision, and the more agencies the more. Here each part is parsed with pypdf, and
its pages and everything they use are written to the output at once, renumbered after the parts before it.
All that is kept is one offset per object written, each page's number and the outline's entries (a title and
where it points). The page tree, the outline and the catalogue go last, then the cross-reference table.

The first part gives the file its header version, its information dictionary (title, producer) and its
catalogue entries (language, viewer preferences). Named destinations are not carried over: WeasyPrint writes
one per element id (every block of the annex has one, reports/pdf_parts.py) and nothing links to them.
"""

import io
from dataclasses import dataclass
from typing import Any, BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

# Catalogue entries rebuilt from all the parts rather than taken from the first.
_REBUILT = ("/Type", "/Pages", "/Outlines", "/Names", "/PageLabels", "/StructTreeRoot", "/Dests")


@dataclass
class _Entry:
    """An outline entry: its title, its destination (renumbered) and its entries below."""

    title: str
    destination: ArrayObject
    children: list["_Entry"]
    open: bool


class PdfJoin:
    """``add`` each part in order, then ``finish``; ``out`` needs only ``write``."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._position = 0
        self._offsets: list[int | None] = [None]  # by object number; 0 is the free list's head
        self._pages: list[int] = []
        self._outline: list[_Entry] = []
        self._catalog: DictionaryObject | None = None
        self._info: PdfObject | None = None
        self._pages_root = self._reserve()

    # -- numbering and writing --------------------------------------------------------------------------------

    def _reserve(self) -> int:
        self._offsets.append(None)
        return len(self._offsets) - 1

    def _ref(self, number: int) -> IndirectObject:
        # A reference of the joined file points at this joiner, never at a part's reader: _renumber leaves it.
        return IndirectObject(number, 0, self)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def _write_object(self, number: int, obj: PdfObject) -> None:
        buffer = io.BytesIO()
        buffer.write(b"%d 0 obj\n" % number)
        obj.write_to_stream(buffer)
        buffer.write(b"\nendobj\n")
        self._offsets[number] = self._position
        self._write(buffer.getvalue())

    def _renumber(self, value: Any, reader: PdfReader, numbers: dict[int, int], pending: list[int]) -> Any:
        """``value`` with the part's references replaced by the joined file's (in place for a dictionary or an
        array); an object referred to for the first time is given its number and queued to be written."""
        if isinstance(value, IndirectObject):
            if value.pdf is self:
                return value
            number = numbers.get(value.idnum)
            if number is None:
                number = numbers[value.idnum] = self._reserve()
                pending.append(value.idnum)
            return self._ref(number)
        if isinstance(value, DictionaryObject):  # a stream too: its dictionary is renumbered, its data kept
            for key, item in list(value.items()):
                value[key] = self._renumber(item, reader, numbers, pending)
        elif isinstance(value, ArrayObject):
            for index, item in enumerate(value):
                value[index] = self._renumber(item, reader, numbers, pending)
        return value

    # -- the parts ----------------------------------------------------------------------------------------------

    def add(self, part: bytes) -> None:
        """Write the part's pages and what they use; keep its outline to write at the end."""
        reader = PdfReader(io.BytesIO(part))
        numbers: dict[int, int] = {}  # the part's object numbers → the joined file's
        pending: list[int] = []
        if self._catalog is None:
            self._write(reader.pdf_header.encode("ascii") + b"\n%\xe2\xe3\xcf\xd3\n")
            root = reader.trailer["/Root"]
            assert isinstance(root, DictionaryObject)
            catalog = DictionaryObject((key, value) for key, value in root.items() if key not in _REBUILT)
            self._catalog = self._renumber(catalog, reader, numbers, pending)
            if "/Info" in reader.trailer:
                self._info = self._renumber(reader.trailer.raw_get("/Info"), reader, numbers, pending)
        pages = list(reader.pages)  # pypdf copies what a page inherits from the page tree into the page
        for page in pages:
            assert page.indirect_reference is not None
            numbers[page.indirect_reference.idnum] = number = self._reserve()
            self._pages.append(number)
        for page in pages:
            assert page.indirect_reference is not None
            page[NameObject("/Parent")] = self._ref(self._pages_root)
            self._write_object(numbers[page.indirect_reference.idnum], self._renumber(page, reader, numbers, pending))
        while pending:
            idnum = pending.pop()
            obj = reader.get_object(idnum)
            assert obj is not None, idnum
            self._write_object(numbers[idnum], self._renumber(obj, reader, numbers, pending))
        outline = _get(reader.trailer["/Root"], "/Outlines")
        if isinstance(outline, DictionaryObject) and "/First" in outline:
            self._outline += self._entries(outline.raw_get("/First"), numbers)

    def _entries(self, first: Any, numbers: dict[int, int]) -> list[_Entry]:
        """The outline entries from ``first`` on, each pointing at one of the part's pages (a page given its
        number by ``add``; an entry pointing anywhere else is left out rather than pointing at nothing)."""
        entries = []
        item = first
        while item is not None:
            node = item.get_object()
            destination = _get(node, "/Dest")
            if destination is None:
                action = _get(node, "/A")
                destination = _get(action, "/D") if isinstance(action, DictionaryObject) else None
            if (
                isinstance(destination, ArrayObject)
                and destination
                and isinstance(destination[0], IndirectObject)
                and destination[0].idnum in numbers
            ):
                target = ArrayObject([self._ref(numbers[destination[0].idnum]), *destination[1:]])
                children = self._entries(node.raw_get("/First"), numbers) if "/First" in node else []
                entries.append(_Entry(str(node["/Title"]), target, children, int(node.get("/Count", 0)) >= 0))
            item = node.raw_get("/Next") if "/Next" in node else None
        return entries

    # -- the end ------------------------------------------------------------------------------------------------

    def finish(self) -> None:
        assert self._catalog is not None, "no part was added"
        catalog = self._catalog
        catalog[NameObject("/Type")] = NameObject("/Catalog")
        catalog[NameObject("/Pages")] = self._ref(self._pages_root)
        if self._outline:
            catalog[NameObject("/Outlines")] = self._ref(self._write_outline())
        self._write_object(
            self._pages_root,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Kids"): ArrayObject(self._ref(n) for n in self._pages),
                    NameObject("/Count"): NumberObject(len(self._pages)),
                }
            ),
        )
        root = self._reserve()
        self._write_object(root, catalog)
        assert None not in self._offsets[1:], "an object was numbered but not written"
        start = self._position
        table = [b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets)]
        table += [b"%010d 00000 n \n" % offset for offset in self._offsets[1:] if offset is not None]
        self._write(b"".join(table))
        trailer = DictionaryObject(
            {NameObject("/Size"): NumberObject(len(self._offsets)), NameObject("/Root"): self._ref(root)}
        )
        if self._info is not None:
            trailer[NameObject("/Info")] = self._info
        buffer = io.BytesIO()
        trailer.write_to_stream(buffer)
        self._write(b"trailer\n" + buffer.getvalue() + b"\nstartxref\n%d\n%%%%EOF\n" % start)

    def _write_outline(self) -> int:
        """The outline's objects, entry by entry; returns the number of its root."""
        root = self._reserve()
        first, last, shown = self._write_entries(self._outline, root)
        self._write_object(
            root,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Outlines"),
                    NameObject("/First"): self._ref(first),
                    NameObject("/Last"): self._ref(last),
                    NameObject("/Count"): NumberObject(shown),
                }
            ),
        )
        return root

    def _write_entries(self, entries: list[_Entry], parent: int) -> tuple[int, int, int]:
        """Write ``entries`` below ``parent``: the numbers of the first and the last, and how many entries are
        shown under the parent while it is open (the PDF's /Count)."""
        numbers = [self._reserve() for _entry in entries]
        shown = len(entries)
        for index, (entry, number) in enumerate(zip(entries, numbers, strict=True)):
            item = DictionaryObject(
                {
                    NameObject("/Title"): TextStringObject(entry.title),
                    NameObject("/Parent"): self._ref(parent),
                    NameObject("/Dest"): entry.destination,
                }
            )
            if index > 0:
                item[NameObject("/Prev")] = self._ref(numbers[index - 1])
            if index < len(entries) - 1:
                item[NameObject("/Next")] = self._ref(numbers[index + 1])
            if entry.children:
                first, last, below = self._write_entries(entry.children, number)
                item[NameObject("/First")] = self._ref(first)
                item[NameObject("/Last")] = self._ref(last)
                item[NameObject("/Count")] = NumberObject(below if entry.open else -below)
                if entry.open:
                    shown += below
            self._write_object(number, item)
        return numbers[0], numbers[-1], shown


def _get(dictionary: Any, key: str) -> Any:
    """The value under ``key``, followed if it is a reference; None when absent."""
    value = dictionary.get(key) if isinstance(dictionary, DictionaryObject) else None
    return value.get_object() if value is not None else None
