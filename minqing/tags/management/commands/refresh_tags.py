import time

from django.core.management.base import BaseCommand

from minqing.tags.services import refresh_all, sync_catalog


class Command(BaseCommand):
    help = "Sync the built-in tag catalog and refresh every derived tag (run nightly: ages change with the date)."

    def add_arguments(self, parser):
        parser.add_argument("--tag", action="append", dest="tags", help="only these tag codes")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, tags, quiet, **options):
        created = sync_catalog()
        started = time.monotonic()

        def progress(tag, added, removed):
            if not quiet:
                self.stdout.write(f"  {tag.name:<12} +{added:,} −{removed:,}")

        totals = refresh_all(codes_=tags, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"标签目录新增 {created} 个；刷新 {totals['tags']} 个规则标签，新增 {totals['added']:,} 条、"
                f"移除 {totals['removed']:,} 条，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
