"""Text bound for an XML file (a chart's SVG, a Word file's parts): XML 1.0 cannot hold most control characters.

A vertical tab or a form feed pasted into an agency's name reaches the documents through every table and chart
that names the agency; python-docx refuses such text and an SVG holding it does not parse (cairosvg, WeasyPrint).
They carry nothing a reader sees, so they are dropped. (The Excel exports use openpyxl's own list, the same.)
"""

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return NOT_XML.sub("", text)
