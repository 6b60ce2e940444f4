"""Domain exceptions: each names the problem in plain words and carries an HTTP status."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation; it is translated when shown (see web/errors.py)."""
    return message


class AssessorError(Exception):
    """``message`` may hold ``%(name)s`` placeholders filled from ``params``; ``details`` carry
    extra data for the response (e.g. ``problems``)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, params: dict | None = None, **details):
        self.template = message
        self.params = params or {}
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.details = details


class NotFound(AssessorError):
    status = 404
    code = "not_found"


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class InvitationGone(AssessorError):
    """Expired, revoked or already used: the link existed but cannot be used any more."""

    status = 410
    code = "invitation_gone"


class AttemptClosed(AssessorError):
    """The time (and its grace) is over, or the attempt was submitted: nothing more is stored."""

    status = 409
    code = "attempt_closed"
    keeps_changes = True  # an overdue attempt is finalised before this is raised


class AnswerTooLarge(AssessorError):
    status = 413
    code = "answer_too_large"


class UnfinishedAnswers(AssessorError):
    """A submission that was not confirmed although tasks are unanswered or outside their word
    limits: ``problems`` lists them (candidate.completeness.Unfinished)."""

    status = 422
    code = "unfinished_answers"
    keeps_changes = True  # the answers sent with the submission are kept; it waits


class InvalidInput(AssessorError):
    status = 400
    code = "invalid_input"


class NotEnoughRatings(AssessorError):
    """Too few rated attempts to refit a scoring model and check it on held-out ones."""

    status = 409
    code = "not_enough_ratings"
