"""``manage.py privacy_report <ID number | person id>``: who revealed or exported one resident's data."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.core import audit
from minqing.exports.xlsx import write_xlsx
from minqing.privacy import report


class Command(BaseCommand):
    help = "个人信息查询/导出记录（个人信息保护法知情权）/ Who revealed or exported one resident's data"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("person", help="公民身份号码或人员编号 / ID number or person id")
        parser.add_argument("--format", choices=("text", "xlsx"), default="text")
        parser.add_argument("--output", type=Path, default=None, help="xlsx 文件路径 / xlsx file")
        parser.add_argument("--requested-by", default="", help="申请人或经办人 / who asked")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "xlsx" and options["output"] is None:
            raise CommandError(_("导出为 xlsx 时必须用 --output 指定文件。"))
        person = report.find_person(options["person"])
        if person is None:
            raise CommandError(_("没有找到该人员：请核对公民身份号码或人员编号。"))
        entries = report.privacy_report(person)
        with transaction.atomic():  # the report itself is a look at who saw the person: audited
            audit.record(
                actor=None,
                verb="privacy.report",
                target=person,
                household_id=person.household_id,
                changes={"条数": len(entries), "格式": options["format"], "申请人": options["requested_by"]},
            )
        if options["format"] == "xlsx":
            with options["output"].open("wb") as handle:
                write_xlsx(
                    handle,
                    title=_("个人信息查询导出记录"),
                    headers=[str(header) for header in report.HEADERS],
                    widths=report.WIDTHS,
                    rows=(entry.cells() for entry in entries),
                )
            self.stdout.write(
                _("已写入 %(path)s（%(n)d条）") % {"path": options["output"], "n": len(entries)}
            )
            return
        self.stdout.write(_("人员：%(name)s（人员编号 %(pk)d）") % {"name": person.name, "pk": person.pk})
        if not entries:
            self.stdout.write(_("没有查看或导出记录。"))
        for entry in entries:
            self.stdout.write(" | ".join(entry.cells()))
        self.stdout.write(_("共%(n)d条。") % {"n": len(entries)})
