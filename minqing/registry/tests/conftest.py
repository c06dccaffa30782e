"""Fixtures shared by the registry's test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from minqing.registry.models import Attachment, House, Place
from minqing.registry.tests.attachment_helpers import PDF, image_bytes, upload
from minqing.registry.tests.attachment_helpers import add as add_attachment


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api, users):
    def _as(name: str) -> APIClient:
        api.force_authenticate(getattr(users, name))
        return api

    return _as


@pytest.fixture
def extra(tree, records):
    """A house and a place in V and in W; the place phones are sensitive too."""
    return {
        "house_v": House.objects.create(
            area=tree.v1, area_path=tree.v1.code, address="鱼塘村1号", household=records.hv
        ),
        "house_w": House.objects.create(area=tree.w1, area_path=tree.w1.code, address="邻家村1号"),
        "place_v": Place.objects.create(
            area=tree.v,
            area_path=tree.v.code,
            name="鱼塘小卖部",
            place_type="shop",
            address="鱼塘村口",
            phone="13900003333",
        ),
        "place_w": Place.objects.create(
            area=tree.w, area_path=tree.w.code, name="邻家诊所", place_type="clinic", address="邻家村口"
        ),
    }


@pytest.fixture
def storage_root(settings, tmp_path: Path) -> Path:
    """Private storage in a temporary directory (STORAGES is a dict: replace it whole)."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def png_attachment(storage_root, users, records) -> Attachment:
    return add_attachment(users.inside, records.hv, upload("门牌.png", image_bytes()), title="门牌照片")


@pytest.fixture
def pdf_attachment(storage_root, users, records) -> Attachment:
    return add_attachment(users.inside, records.hv, upload("低保证明.pdf", PDF), kind="certificate")
