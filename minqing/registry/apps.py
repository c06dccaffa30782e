from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class RegistryConfig(AppConfig):
    name = "minqing.registry"
    label = "registry"

    def ready(self) -> None:
        verbs.register(
            {
                "registry.household.created": _("新建户档案"),
                "registry.household.updated": _("修改户档案"),
                "registry.person.added": _("添加家庭成员"),
                "registry.person.updated": _("修改人员信息"),
                "registry.person.moved_in": _("迁入"),
                "registry.person.moved_out": _("迁出"),
                "registry.economy.saved": _("保存年度收支"),
                "registry.house.created": _("新建房屋"),
                "registry.house.updated": _("修改房屋"),
                "registry.place.created": _("新建场所"),
                "registry.place.updated": _("修改场所"),
                "registry.attachment.added": _("上传附件"),
                "registry.attachment.deleted": _("删除附件"),
                "registry.tag.set": _("设置标签"),
                "registry.tag.cleared": _("取消标签"),
                "attachments.metadata_stripped": _("清除附件元数据"),
                "lookup": _("来电查询"),
            }
        )
