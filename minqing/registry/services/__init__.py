"""Every write to the registry: scoped, validated like user input, audited field by field, optimistic-locked.

Services take the acting user and plain data, never a request. They raise ``ValidationError`` with
Chinese messages keyed by field, ``PermissionDenied`` or ``Http404`` (out of scope looks like absent).
One module per aggregate; import the functions from here.
"""

from .attachments import attachment_add, attachment_delete, identity_copy_viewed
from .economy import ECONOMY_FIELDS, economy_save
from .households import HOUSEHOLD_FIELDS, household_create, household_split, household_update
from .ids import id_number_check_unique
from .persons import PERSON_FIELDS, person_add, person_move, person_update
from .records import HOUSE_FIELDS, PLACE_FIELDS, house_create, house_update, place_create, place_update

__all__ = [
    "ECONOMY_FIELDS",
    "HOUSEHOLD_FIELDS",
    "HOUSE_FIELDS",
    "PERSON_FIELDS",
    "PLACE_FIELDS",
    "attachment_add",
    "attachment_delete",
    "economy_save",
    "house_create",
    "house_update",
    "household_create",
    "household_split",
    "household_update",
    "id_number_check_unique",
    "identity_copy_viewed",
    "person_add",
    "person_move",
    "person_update",
    "place_create",
    "place_update",
]
