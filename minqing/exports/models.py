"""Excel exports (导出): one row per export, small ones done at once, large ones as background tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from minqing.core.scoping import ScopedQuerySet


def export_path(instance: ExportJob, filename: str) -> str:
    """One unguessable name per job in private storage (the download name is built from the job, never from
    the path); stable, so a retried export overwrites the file of its lost attempt instead of orphaning it."""
    created = timezone.localtime(instance.created_at) if instance.created_at else timezone.localtime()
    token = salted_hmac("minqing.exports.file", str(instance.pk)).hexdigest()[:24]
    return f"exports/{created:%Y%m}/{instance.pk}-{token}.xlsx"


class ExportJobQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "audit"):
        return super().visible_to(user, action)

    def owned_by(self, user):
        return self.filter(owner=user) if getattr(user, "pk", None) else self.none()


class ExportJob(models.Model):
    """One Excel export of a search: who asked, for which conditions, how far it got, and the file."""

    class Kind(models.TextChoices):
        PERSONS = "persons", _("人员名单")
        HOUSEHOLDS = "households", _("户名单")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    params = models.TextField(_("筛选条件"), blank=True)
    # The owner's export scope root when the job was made, so the job list is scoped like the data.
    area_path = models.CharField(_("区域路径"), max_length=15, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done_rows = models.PositiveIntegerField(_("已完成行数"), default=0)
    masked = models.BooleanField(_("敏感信息已脱敏"), default=True)
    # Large exports run in the background and are fetched from the job page; small ones download at once.
    background = models.BooleanField(_("后台生成"), default=False)
    file = models.FileField(_("文件"), upload_to=export_path, blank=True)
    # The background task (``jobs.TaskProgress`` / the task result) that writes a large export.
    task_id = models.CharField(_("后台任务编号"), max_length=64, blank=True, db_index=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Moved forward on every chunk (progress).
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="exportjob_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("exports:detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done_rows * 100 / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def download_name(self) -> str:
        return f"{self.get_kind_display()}_{timezone.localtime(self.created_at):%Y%m%d_%H%M}.xlsx"


class ExportContent(models.Model):
    """Which records one finished export held, so a resident's right to know (PIPL) is answered exactly.

    Kept apart from the job: jobs and their files are purged after ``EXPORTS_KEEP_DAYS``, this record is
    kept with its audit row. Ids are stored sorted, delta-encoded and compressed (``ledger.pack``): a
    county-wide export of a million people takes a few hundred kilobytes, not a million rows.
    """

    event = models.OneToOneField(
        "core.AuditEvent", verbose_name=_("审计记录"), on_delete=models.CASCADE, related_name="export_content"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=ExportJob.Kind.choices)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    masked = models.BooleanField(_("敏感信息已脱敏"), default=True)
    # The column headers written, in order (they may change between releases).
    fields = models.JSONField(_("字段"), default=list, blank=True)
    person_ids = models.BinaryField(_("人员"), blank=True, default=b"")
    household_ids = models.BinaryField(_("户"), blank=True, default=b"")

    class Meta:
        verbose_name = _("导出内容记录")
        verbose_name_plural = _("导出内容记录")

    def __str__(self) -> str:
        return f"{self.kind} {self.rows}"
