from django.db.models import Count, Q, QuerySet

from .models import IndexSet, Node


def index_sets_with_counts() -> QuerySet[IndexSet]:
    return IndexSet.objects.annotate(
        leaf_count=Count("nodes", filter=Q(nodes__is_leaf=True)),
    ).order_by("-year_from", "agency_kind", "-version")


def tree_nodes(index_set: IndexSet) -> list[Node]:
    """All nodes in display order with their tiers: two queries whatever the size of the set."""
    return list(index_set.nodes.order_by("position").prefetch_related("tiers"))
