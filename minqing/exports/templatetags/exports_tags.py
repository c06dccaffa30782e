from django import template

from minqing.exports.selectors import describe_conditions

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    """``{% if request.user|can:"export" %}``: the user may perform ``action`` somewhere."""
    return bool(getattr(user, "is_authenticated", False) and user.can(action))


@register.filter
def conditions(job) -> list[tuple[str, str]]:
    """``{% for label, value in job|conditions %}``: the job's search conditions, labelled."""
    return describe_conditions(job.kind, job.params)
