"""Resident requests (诉求, 一事一表): the catalogue (categories, time limits, routing) and the tickets."""

from .catalog import Category, RoutingRule, TimeLimit, TimeUnit, Urgency
from .tickets import (
    DUE_SOON_HOURS,
    LEVEL_LENGTH,
    OPEN_STATUSES,
    Channel,
    HandlerRole,
    Kind,
    Level,
    Satisfaction,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketHandler,
    TicketQuerySet,
    handler_q,
)

__all__ = [
    "DUE_SOON_HOURS",
    "LEVEL_LENGTH",
    "OPEN_STATUSES",
    "Category",
    "Channel",
    "HandlerRole",
    "Kind",
    "Level",
    "RoutingRule",
    "Satisfaction",
    "Status",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "TicketHandler",
    "TicketQuerySet",
    "TimeLimit",
    "TimeUnit",
    "Urgency",
    "handler_q",
]
