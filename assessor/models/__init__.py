"""Tables. Columns, relationships and small derived properties; the use cases live in the
paths (candidate/, queue/, recruiter/services/)."""

from assessor.models.assessment import (
    ROLES,
    SUBSCORES,
    Answer,
    Attempt,
    AttemptEvent,
    Bank,
    BankPassMarks,
    Invitation,
    Organisation,
    Score,
    ScoringJob,
    User,
)
from assessor.models.integrations import (
    ApiToken,
    InvitationUpload,
    WebhookDelivery,
    WebhookEndpoint,
)
from assessor.models.review import (
    OVERRIDABLE,
    AuditEntry,
    Rating,
    ScoreOverride,
    ScoringModel,
    override_values,
)
from assessor.models.states import AttemptState, DeliveryState, JobState

__all__ = [
    "OVERRIDABLE",
    "override_values",
    "ROLES",
    "SUBSCORES",
    "Answer",
    "ApiToken",
    "Attempt",
    "AttemptState",
    "AttemptEvent",
    "AuditEntry",
    "Bank",
    "BankPassMarks",
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
