"""Attachment pages: upload (htmx and plain form), scoped download and thumbnail, delete.

Files never leave private storage except through ``attachment_download`` and
``attachment_thumbnail``, which look the row up through the user's view scope (404 otherwise),
refuse a minor's file to users without the ``minors`` right (403, ``registry.minors``)
and send headers that stop browsers from sniffing or caching the content.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from minqing.core.limits import LimitExceeded
from minqing.core.scoping import can

from .. import selectors, services
from ..minors import may_see_attachment
from ..models import Attachment, Household, Person

PARTIAL = "registry/_attachments.html"
PAGE = "registry/attachment_form.html"


class AttachmentUploadForm(forms.Form):
    """Parses the upload; the service decides what the file really is."""

    file = forms.FileField(
        label=gettext_lazy("文件"),
        error_messages={
            "required": gettext_lazy("请选择要上传的文件。"),
            "empty": gettext_lazy("文件是空的，请重新选择。"),
            "invalid": gettext_lazy("没有收到文件，请重新选择。"),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        choices=Attachment.Kind.choices,
        error_messages={
            "required": gettext_lazy("请选择附件类型。"),
            "invalid_choice": gettext_lazy("请选择附件类型。"),
        },
    )
    person = forms.ModelChoiceField(
        label=gettext_lazy("人员"),
        queryset=Person.objects.none(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("该人员不属于这一户。")},
    )
    title = forms.CharField(label=gettext_lazy("说明"), max_length=100, required=False)

    def __init__(self, *args, household: Household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = household.members.all()

    def error_list(self) -> list[str]:
        return [message for messages_ in self.errors.values() for message in messages_]


def _panel(request: HttpRequest, household: Household, **extra) -> dict:
    return {**selectors.attachments_panel(actor=request.user, household=household), **extra}


@require_http_methods(["GET", "POST"])
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the full-page form (no-JS fallback). POST: upload; htmx gets the panel back."""
    household = get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=pk)
    if not can(request.user, household, "change"):
        raise PermissionDenied
    errors: list[str] = []
    values = {key: request.POST.get(key, "") for key in ("kind", "person", "title")}
    if request.method == "POST":
        form = AttachmentUploadForm(request.POST, request.FILES, household=household)
        if form.is_valid():
            data = form.cleaned_data
            try:
                attachment = services.attachment_add(
                    actor=request.user,
                    household=household,
                    person=data["person"],
                    uploaded_file=data["file"],
                    kind=data["kind"],
                    title=data["title"],
                )
            except ValidationError as error:
                errors = error.messages
            else:
                notice = _("已上传：%(name)s") % {"name": attachment.original_name}
                if request.htmx:
                    return render(request, PARTIAL, _panel(request, household, notice=notice))
                messages.success(request, notice)
                return redirect(household.get_absolute_url())
        else:
            errors = form.error_list()
    context = _panel(request, household, errors=errors, values=values)
    if request.htmx:
        # htmx swaps only 2xx responses, so form errors come back as 200 with the messages inside.
        return render(request, PARTIAL, context)
    return render(request, PAGE, context, status=400 if errors else 200)


def _check_minor(request: HttpRequest, attachment: Attachment) -> None:
    """A minor's file (ID copy, photo) only for users holding ``minors`` where it lies (PIPL art. 28)."""
    if not may_see_attachment(request.user, attachment):
        raise PermissionDenied(_("未满十四周岁未成年人的附件，仅限有未成年人信息查看权限的人员查看。"))


def _file_response(
    field: FieldFile, *, content_type: str, filename: str, as_attachment: bool
) -> FileResponse:
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser ever render the bytes as a document, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@require_safe
@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The original file: images inline, PDFs (and anything else) as a download.

    Copies of identity documents show full ID numbers, so they need the reveal right and each look is audited.
    """
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user, "view").select_related("person"), pk=pk
    )
    _check_minor(request, attachment)
    if attachment.kind in Attachment.IDENTITY_KINDS:
        try:
            services.identity_copy_viewed(actor=request.user, attachment=attachment)
        except LimitExceeded as refused:
            return render(request, "429.html", {"message": refused.message}, status=429)
    return _file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        as_attachment=not attachment.is_image,
    )


@require_safe
@login_required
def attachment_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    """The JPEG thumbnail of an image attachment; 404 when there is none.

    A thumbnail of an identity document still shows the ID number: same reveal right and audit as the file.
    """
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user, "view").exclude(thumbnail="").select_related("person"),
        pk=pk,
    )
    _check_minor(request, attachment)
    if attachment.kind in Attachment.IDENTITY_KINDS:
        try:
            services.identity_copy_viewed(actor=request.user, attachment=attachment)
        except LimitExceeded as refused:
            return render(request, "429.html", {"message": refused.message}, status=429)
    return _file_response(
        attachment.thumbnail, content_type="image/jpeg", filename="thumbnail.jpg", as_attachment=False
    )


@require_POST
@login_required
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one attachment (change scope); htmx gets the panel back, a plain form the household page."""
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user, "view").select_related("household"), pk=pk
    )
    household = attachment.household
    name = attachment.original_name
    services.attachment_delete(actor=request.user, attachment=attachment)
    notice = _("已删除：%(name)s") % {"name": name}
    if request.htmx:
        return render(request, PARTIAL, _panel(request, household, notice=notice))
    messages.success(request, notice)
    return redirect(household.get_absolute_url())
