"""The SVG of reports/charts.py as PNG, for the Word file: python-docx embeds bitmaps, not SVG.

CairoSVG draws the very markup the page and the PDF show. Its text goes through cairo, which asks fontconfig
for the first family the SVG names (charts.PRINT_FONT: Tinos) and silently takes another face when fontconfig
knows none by that name. The PDF loads the bundled Tinos files itself (@font-face); here the bundled directory
is added to the process's fontconfig configuration before drawing, so the Word chart is set in the same face
whether or not the machine has Tinos installed (Debian's fonts-croscore has it too, and fontconfig prefers
the installed copy when there is one: the same family and metrics).

Errors are not caught: a chart that cannot be drawn fails the export, never a Word file missing its chart.
"""

import ctypes
import ctypes.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import cast

from .charts import FONTS_DIR

PRINT_DPI = 240  # the chart prints about 16–19 cm wide: 240 px per inch there, sharp on paper and a small file
CSS_DPI = 96  # the SVG's width and height are CSS px
SCALE = PRINT_DPI / CSS_DPI


@dataclass(frozen=True)
class Png:
    data: bytes
    width: int  # px
    height: int


class _Fontconfig:
    """The bundled font directory in fontconfig's current configuration, added once per configuration: fontconfig
    replaces its configuration when the system's fonts change under a running process (cairo asks it to
    check), which drops fonts an application added."""

    def __init__(self) -> None:
        self._library: ctypes.CDLL | None = None
        self._configured: int | None = None

    def _lib(self) -> ctypes.CDLL:
        if self._library is None:
            # The same shared library cairo loaded (one per process); OSError if fontconfig is missing.
            library = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
            library.FcConfigGetCurrent.restype = ctypes.c_void_p
            library.FcConfigGetCurrent.argtypes = []
            library.FcConfigAppFontAddDir.restype = ctypes.c_int
            library.FcConfigAppFontAddDir.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
            self._library = library
        return self._library

    def ensure_bundled_fonts(self) -> None:
        library = self._lib()
        current = library.FcConfigGetCurrent()
        if current == self._configured:
            return
        if not library.FcConfigAppFontAddDir(current, str(FONTS_DIR).encode()):
            raise RuntimeError(f"fontconfig could not add {FONTS_DIR}")
        self._configured = current


_fontconfig = _Fontconfig()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc's; other C libraries go without
    return cast("Callable[[int], int] | None", trim)


def _give_back_freed_memory() -> None:
    """Hand the chart's freed cairo surface (~10 MiB at PRINT_DPI) back to the system. glibc keeps freed memory
    for reuse, and surface after surface freed among smaller allocations left gaps the next one did not fit:
    the Word file of 800 agencies (37 charts) grew the process by 11 MiB more than with this."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([0-9.]+)"[^>]*?\sheight="([0-9.]+)"')


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height (CSS px) of a chart of reports/charts.py, read from its root element."""
    found = SVG_SIZE.match(svg)
    if found is None:
        raise ValueError("not a chart of reports/charts.py: no width and height on its <svg>")
    return float(found[1]), float(found[2])


def svg_to_png(svg: str) -> Png:
    """The chart at PRINT_DPI: a chart W px wide (CSS px) gives a PNG of W × SCALE px."""
    import cairosvg  # loads cairo through cffi: paid only by a process that writes a Word file

    _fontconfig.ensure_bundled_fonts()
    # unsafe=False (the default): no external files or entities, though the charts reference none.
    data = cairosvg.svg2png(bytestring=svg.encode(), scale=SCALE)
    if data is None:  # only without write_to is the PNG returned; guard the contract, never write an empty picture
        raise RuntimeError("cairosvg returned no PNG")
    _give_back_freed_memory()
    # The IHDR chunk, always first after the 8-byte signature: width and height, big-endian.
    return Png(data, int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
