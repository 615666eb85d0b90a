"""Aggregation, ranking and exports arrive with the reports issue; the app exists so the layout is final."""
