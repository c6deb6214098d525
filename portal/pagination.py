from django.core.paginator import Paginator

PAGE_SIZE = 20


def page_of(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current filters, to carry over to the other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
