"""API pagination that never counts and never walks an offset: ``next``/``previous`` links carry a cursor.

The same keyset paging as the HTML lists (``core.pagination.paginate``): ``?after=<token>`` and
``?before=<token>`` from the links, ``?before=`` alone for the last page, ``?page=N`` (N ≤ 100) for old
clients. No total is returned.
"""

from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from minqing.core.pagination import CURSOR_PARAMS, paginate


def _with(url: str, name: str, value: str) -> str:
    for param in CURSOR_PARAMS:
        url = remove_query_param(url, param)
    return replace_query_param(url, name, value)


class NoCountPagination(BasePagination):
    page_size = 50
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = min(int(request.query_params.get("page_size", self.page_size)), self.max_page_size)
        except ValueError:
            size = self.page_size
        self.page = paginate(request._request, queryset, size=max(size, 1))
        return self.page.rows

    def get_paginated_response(self, data):
        url, page = self.request.build_absolute_uri(), self.page
        next_url = _with(url, "after", page.next_cursor) if page.has_next and page.next_cursor else None
        if page.has_previous and page.previous_cursor:
            prev_url = _with(url, "before", page.previous_cursor)
        elif page.has_previous and page.number is not None:  # an offset page of an unseekable list
            prev_url = _with(url, "page", str(page.number - 1))
        else:
            prev_url = None
        if page.has_next and next_url is None and page.number is not None:
            next_url = _with(url, "page", str(page.number + 1))
        return Response(
            OrderedDict(
                [("page", page.number), ("next", next_url), ("previous", prev_url), ("results", data)]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "page": {"type": "integer", "nullable": True, "example": 1},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
