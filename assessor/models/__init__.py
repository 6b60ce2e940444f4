"""Tables. Columns, relationships and small derived properties; use cases live in services/."""

from .assessment import (
    ROLES,
    SUBSCORES,
    Answer,
    Attempt,
    AttemptEvent,
    Bank,
    Invitation,
    Organisation,
    Score,
    ScoringJob,
    User,
)
from .integrations import (
    ApiToken,
    InvitationUpload,
    WebhookDelivery,
    WebhookEndpoint,
)
from .review import OVERRIDABLE, AuditEntry, Rating, ScoreOverride, ScoringModel
from .states import AttemptState, DeliveryState, JobState

__all__ = [
    "OVERRIDABLE",
    "ROLES",
    "SUBSCORES",
    "Answer",
    "ApiToken",
    "Attempt",
    "AttemptState",
    "AttemptEvent",
    "AuditEntry",
    "Bank",
    "DeliveryState",
    "Invitation",
    "InvitationUpload",
    "JobState",
    "Organisation",
    "Rating",
    "Score",
    "ScoreOverride",
    "ScoringJob",
    "ScoringModel",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
