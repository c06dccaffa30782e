from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minqing.areas.importer import import_areas, read_rows


class Command(BaseCommand):
    help = "Import administrative areas from a code,name,level,parent_code CSV or the national villages.csv."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--county", help="only this county's (6-digit code) areas")
        parser.add_argument("--dry-run", action="store_true", help="check the file, change nothing")

    def handle(self, *args, file: Path, county: str | None, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(f"找不到文件：{file}")
        try:
            rows = read_rows(file, county=county)
        except (ValueError, UnicodeDecodeError, KeyError) as error:
            raise CommandError(str(error)) from error
        report = import_areas(rows, dry_run=dry_run)
        for line, code, reason in report.rejected[:50]:
            self.stderr.write(f"第{line}行 {code}: {reason}")
        if len(report.rejected) > 50:
            self.stderr.write(f"……另有 {len(report.rejected) - 50} 行被拒绝")
        summary = f"新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，拒绝 {len(report.rejected)}"
        if report.rejected:
            raise CommandError(f"{summary}。文件有错误，未导入任何区划，请改正后重新导入。")
        self.stdout.write(self.style.SUCCESS(summary + ("（试运行，未写入）" if dry_run else "")))
