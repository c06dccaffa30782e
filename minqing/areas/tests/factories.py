import factory

from minqing.areas.models import Area


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"520622{100 + n:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    level = "township"
