"""一户一档: households, persons, houses, places, yearly economy, attachments, custom fields."""

from .attachments import Attachment, attachment_path
from .custom_fields import CustomField, clean_custom_values
from .economy import EconomyYear
from .households import Household, HouseholdQuerySet, Person, PersonQuerySet
from .property import House, Place

__all__ = [
    "Attachment",
    "CustomField",
    "EconomyYear",
    "House",
    "Household",
    "HouseholdQuerySet",
    "Person",
    "PersonQuerySet",
    "Place",
    "attachment_path",
    "clean_custom_values",
]
