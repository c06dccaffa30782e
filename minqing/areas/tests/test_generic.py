"""Areas are read-only: the browser, the area page and the API through the shared base classes."""

from __future__ import annotations

import pytest

from minqing.areas.models import Area
from minqing.core.tests.cases import APIDetailTestCase, APIListTestCase, DetailViewTestCase

pytestmark = pytest.mark.django_db


class AreaCase:
    model = Area
    url_kwarg = "code"
    lookup_attr = "code"

    def make(self, tree, where):
        return getattr(tree, where)  # village V (in scope of ``inside``) or its sibling W

    def marker(self, obj):
        return obj.name


class TestAreaViews(AreaCase, DetailViewTestCase):
    # No ListViewTestCase: the area browser starts at the user's roots and loads children on demand.
    detail_url = "areas:detail"


class TestAreaAPI(AreaCase, APIListTestCase, APIDetailTestCase):
    basename = "area"
    api_marker_field = "name"
