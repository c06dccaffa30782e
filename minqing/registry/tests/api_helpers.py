"""Helpers for the registry API tests: URLs, result ids and request payloads."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from minqing.core.idnumber import make_id_number

CJK = re.compile(r"[\u4e00-\u9fff]")
NEW_ID = make_id_number("520622", date(1980, 1, 2), 11)


def url(basename: str, pk: int | None = None, action: str | None = None) -> str:
    if action:
        return reverse(f"api:{basename}-{action}", kwargs={"pk": pk})
    return reverse(f"api:{basename}-detail", kwargs={"pk": pk}) if pk else reverse(f"api:{basename}-list")


def result_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def head_payload(**overrides) -> dict:
    head = {
        "name": "龙新户",
        "sex": "1",
        "birth_date": "1980-01-02",
        "id_number": NEW_ID,
        "phone": "13700007777",
    }
    return {**head, **overrides}


def household_payload(tree, **overrides) -> dict:
    data = {"area": tree.v1.code, "grid": tree.vg1.code, "address": "鱼塘村一组8号", "head": head_payload()}
    return {**data, **overrides}
