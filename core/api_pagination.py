"""The API's page numbers and page sizes (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS); its own
module, as DRF imports it while core.api is still being imported."""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (PAGE_SIZE, 25, by default; at most 100: a larger size is
    served as 100, with `next` for the rest; a size that is not a positive number is the
    default)."""

    page_size_query_param = "page_size"
    max_page_size = 100
