"""Criteria sets stored as JSON (the demo fixtures): same rows, same validation as the Excel import."""

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from .models import IndexSet
from .services import index_set_create
from .tree import NodeRow, parse_tiers


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def rows_from_dicts(nodes: list[dict[str, Any]]) -> list[NodeRow]:
    return [
        NodeRow(
            row=None,
            code=str(n["code"]),
            title=n["title"],
            max_points=_decimal(n["max_points"]),
            method=n.get("method", ""),
            step=_decimal(n.get("step")),
            deduction_per_event=_decimal(n.get("deduction_per_event")),
            tiers=parse_tiers(n["tiers"]) if n.get("tiers") else [],
            guidance=n.get("guidance", ""),
            evidence_required=n.get("evidence_required", ""),
            lead_agency=n.get("lead_agency", ""),
            allow_not_applicable=bool(n.get("allow_not_applicable")),
            is_survey=bool(n.get("is_survey")),
        )
        for n in nodes
    ]


def load_index_set_file(path: Path) -> IndexSet:
    data = json.loads(path.read_text(encoding="utf-8"))
    decision_date = data.get("decision_date")
    return index_set_create(
        name=data["name"],
        agency_kind=data["agency_kind"],
        year_from=data["year_from"],
        year_to=data.get("year_to"),
        decision_number=data.get("decision_number", ""),
        decision_date=datetime.date.fromisoformat(decision_date) if decision_date else None,
        issuer=data.get("issuer", ""),
        is_sample=bool(data.get("is_sample")),
        rows=rows_from_dicts(data["nodes"]),
    )
