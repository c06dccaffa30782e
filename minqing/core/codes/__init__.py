"""National code tables (GB/T 2261, GB/T 3304, GB/T 4761, GB/T 31000 …) as ``TextChoices``.

Values are the official codes, labels the official Chinese names. Source: the project's
``reference/codes.md``. Items marked ``[unsure]`` come from secondary sources and should be
checked against the printed standard before being relied upon; policy categories without a
national code (poverty alleviation, housing) use short local codes and say so.

Model fields store the code (``CharField(max_length=..., choices=Ethnicity.choices)``); use
:func:`label` to show a code that may not (or no longer) be in the table.
"""

from __future__ import annotations

from django.db import models

from .governance import *  # noqa: F403
from .local import *  # noqa: F403
from .person import *  # noqa: F403
from .welfare import *  # noqa: F403


def label(choices_cls: type[models.Choices], code: object) -> str:
    """Return the label of ``code`` in ``choices_cls``, or the code itself when it is unknown.

    Imported or historical data may carry codes that are not (or no longer) in a table; showing
    the raw code is better than hiding it. ``None`` and ``""`` give ``""``.
    """
    if code is None or code == "":
        return ""
    try:
        return str(choices_cls(str(code)).label)
    except ValueError:
        return str(code)
