from django.apps import AppConfig, apps
from django.core.signals import setting_changed
from django.db.models.signals import class_prepared
from django.utils.autoreload import file_changed

from . import choices

# Connected when the app configs are read, before any model module is imported: every project model
# gets the cached get_<field>_display as its class is prepared (ready() below catches any earlier one).
class_prepared.connect(choices.install, dispatch_uid="minqing.core.choices.install")


class CoreConfig(AppConfig):
    name = "minqing.core"
    label = "core"

    def ready(self) -> None:
        for model in apps.get_models(include_auto_created=True, include_swapped=True):
            choices.install(model)
        setting_changed.connect(choices.clear_on_setting_change, dispatch_uid="minqing.core.choices.settings")
        file_changed.connect(choices.clear_on_file_change, dispatch_uid="minqing.core.choices.files")
