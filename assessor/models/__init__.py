"""Tables. Columns, relationships and small derived properties; use cases live in services/."""

from .assessment import (
    ATTEMPT_STATES,
    JOB_STATES,
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
    DELIVERY_STATES,
    ApiToken,
    InvitationUpload,
    WebhookDelivery,
    WebhookEndpoint,
)
from .review import OVERRIDABLE, AuditEntry, Rating, ScoreOverride, ScoringModel

__all__ = [
    "ATTEMPT_STATES",
    "DELIVERY_STATES",
    "JOB_STATES",
    "OVERRIDABLE",
    "ROLES",
    "SUBSCORES",
    "Answer",
    "ApiToken",
    "Attempt",
    "AttemptEvent",
    "AuditEntry",
    "Bank",
    "Invitation",
    "InvitationUpload",
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
