from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class TagsConfig(AppConfig):
    name = "minqing.tags"
    label = "tags"

    def ready(self) -> None:
        """Listen to the registry: re-derive tags when households change, add the tag panels to its pages."""
        from minqing.registry.signals import households_changed

        from . import panels  # noqa: F401  (connects the panel receivers)
        from .services import refresh_households

        verbs.register({"tags.created": _("新建标签")})

        def rederive(sender: type, *, household_ids: list[int], **kwargs: object) -> None:
            refresh_households(household_ids)

        households_changed.connect(rederive, dispatch_uid="tags.rederive", weak=False)
