"""API pagination that never counts huge tables: ``?page=N``, ``next``/``previous`` links, no total."""

from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from minqing.core.pagination import page_number


class NoCountPagination(BasePagination):
    page_size = 50
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = min(int(request.query_params.get("page_size", self.page_size)), self.max_page_size)
        except ValueError:
            size = self.page_size
        self.size = max(size, 1)
        self.number = page_number(request.query_params.get("page"))
        offset = (self.number - 1) * self.size
        rows = list(queryset[offset : offset + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        next_url = replace_query_param(url, "page", self.number + 1) if self.has_next else None
        if self.number > 2:
            prev_url = replace_query_param(url, "page", self.number - 1)
        elif self.number == 2:
            prev_url = remove_query_param(url, "page")
        else:
            prev_url = None
        return Response(
            OrderedDict(
                [("page", self.number), ("next", next_url), ("previous", prev_url), ("results", data)]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "page": {"type": "integer", "example": 1},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
