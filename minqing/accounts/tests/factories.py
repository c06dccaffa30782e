import factory

from minqing.accounts.models import Assignment, Department, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    password = factory.django.Password("Correct-Horse-42")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = "health"
    name = "卫健局"


def assign(user, role, area, department=None):
    Assignment.objects.create(user=user, role=role, area=area, department=department)
    user.__dict__.pop("_assignments", None)
    user.__dict__.pop("_scope_cache", None)
    return user
