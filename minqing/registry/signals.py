"""What the registry announces to the apps above it; they listen, the registry never imports them.

``households_changed`` is sent by every registry service inside its transaction, with the primary
keys of the households whose data changed. Receivers run synchronously in the same transaction (the
tags app re-derives the households' tags), so a failure there rolls the write back.

``household_panels`` is sent by the household page; each receiver returns HTML (or ``""``) for a panel
of its own under the household's name (the tags app shows the household's tags).
"""

from django.dispatch import Signal

households_changed = Signal()  # sender=Household, household_ids: list[int]
household_panels = Signal()  # sender=Household, request, household → HTML
person_panels = Signal()  # sender=Person, request, person → HTML
