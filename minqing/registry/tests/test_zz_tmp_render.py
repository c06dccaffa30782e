import pytest
from django.urls import reverse
from minqing.registry.tests.test_attachments import *  # noqa

def test_dump(png_attachment, pdf_attachment, client, users, records):
    client.force_login(users.inside)
    r = client.get(reverse("registry:attachment_upload", args=[records.hv.pk]), **HTMX)
    print(r.content.decode())
