"""The background task that e-mails limit alerts to supervisors (Django mail, outside the request)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from minqing.jobs.framework import task
from minqing.jobs.policy import declare

from . import services


# Retried: a lost alert is worse than a repeated one (the usual failure is the mail server).
@declare(kind="alert", label=_("超限提醒邮件"), retry_safe=True, max_attempts=3)
@task
def limit_alert_task(event_id: int) -> int:
    """E-mail the supervisors about limit-exceeded audit event ``event_id``; returns the recipients."""
    return services.limit_alert_send(event_id)
