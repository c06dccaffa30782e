from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class SearchConfig(AppConfig):
    name = "minqing.search"
    label = "search"

    def ready(self) -> None:
        verbs.register(
            {
                "search.saved": _("保存查询"),
                "search.updated": _("修改保存的查询"),
                "search.deleted": _("删除保存的查询"),
            }
        )
