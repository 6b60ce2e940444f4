"""The OpenAPI 3.1 document of /api/v1, written out as data (served at /api/v1/openapi.json).

Keep it in step with ``views/api.py`` and ``services/api_results.py``: the tests validate the
document and run schemathesis over it against the app, so a drift shows up as a failure.
"""

from __future__ import annotations

from typing import Any

from assessor.candidate import invitations
from assessor.models import OVERRIDABLE
from assessor.question_banks.checker import MAX_ID
from assessor.recruiter.services import api_results
from assessor.recruiter.services.attempt_filters import LEVELS
from assessor.recruiter.services.exports.rows import SUBSCORES

MAX_VALID_DAYS = 365


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


SCORE = _nullable(
    "integer",
    minimum=0,
    maximum=100,
    description="0-100, a whole number (halves rounded up), as every page, export and webhook "
    "shows it.",
)
TIME = _nullable("string", format="date-time")

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "code": {"type": "string", "description": "Stable, for programs."},
                    "message": {"type": "string", "description": "Plain words, for people."},
                    "details": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "properties": {
                                    "problems": {"type": "array", "items": _ref("Problem")}
                                },
                            },
                        ]
                    },
                }
            )
        }
    ),
    "Problem": _object(
        {
            "field": {"type": "string", "description": "The parameter or field at fault."},
            "message": {"type": "string"},
        },
        required=["message"],
    ),
    "Candidate": _object({"name": {"type": "string"}, "email": {"type": "string"}}),
    "BankRef": _object(
        {
            "id": {"type": "string", "description": "The bank's slug."},
            "version": {"type": "integer"},
            "title": {"type": "string"},
            "language": {"type": "string"},
        },
        required=["id", "version", "title"],
    ),
    "Result": _object(
        {
            "attempt_id": {"type": "integer"},
            "invitation_id": {"type": "integer"},
            "candidate": _ref("Candidate"),
            "bank": _ref("BankRef"),
            "state": {"type": "string", "enum": list(api_results.RESULT_STATES)},
            "invited_at": {"type": "string", "format": "date-time"},
            "started_at": TIME,
            "submitted_at": TIME,
            "submitted_by": _nullable("string", description="candidate, deadline or sweeper"),
            "time_used_minutes": _nullable("number", minimum=0),
            "overall": SCORE,
            "subscores": _object({name: SCORE for name in SUBSCORES}),
            "typing": _object(
                {
                    "wpm": _nullable("number"),
                    "accuracy_percent": _nullable("number", minimum=0, maximum=100),
                }
            ),
            "level": _nullable(
                "string",
                description="CEFR-style: "
                + ", ".join(LEVELS)
                + ". It follows the overall score (overrides included), on the model's cut-offs.",
            ),
            "level_machine": _nullable(
                "string", description="The machine's level, where the level above differs."
            ),
            "level_is_estimate": _nullable("boolean"),
            "model_version": _nullable("string"),
            "pass_mark": {
                "type": ["string", "null"],
                "enum": ["pass", "review", "fail", None],
                "description": "Against the bank's pass marks; null until scored.",
            },
            "pass_mark_reasons": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The pass-mark rules that did not pass, in English; empty "
                "when passed or unscored.",
            },
            "integrity": _object(
                {
                    "pastes": {"type": "integer", "minimum": 0},
                    "pasted_characters": {"type": "integer", "minimum": 0},
                    "focus_losses": {"type": "integer", "minimum": 0},
                    "flagged": {"type": "boolean"},
                }
            ),
            "overrides": {
                "type": "array",
                "description": "Scores a recruiter overrode: the values above are the "
                "recruiter's; here are the machine's and the reason.",
                "items": _ref("Override"),
            },
            "result_url": {
                "type": "string",
                "format": "uri",
                "description": "The candidate's page, for a logged-in recruiter.",
            },
        }
    ),
    "Override": _object(
        {
            "field": {"type": "string", "enum": list(OVERRIDABLE)},
            "machine": SCORE,
            "reason": {"type": "string"},
        }
    ),
    "TaskSummary": _object(
        {
            "id": {"type": "string"},
            "kind": {"type": "string"},
            "title": {"type": "string"},
            "task_completion": SCORE,
            "words": _nullable("integer"),
            "grammar": SCORE,
            "readability": SCORE,
            "vocabulary": SCORE,
            "typing_wpm": _nullable("number"),
            "typing_accuracy": _nullable("number", minimum=0, maximum=1),
            "flags": {"type": "array", "items": {"type": "string"}},
            "issues": {
                "type": "array",
                "description": "LanguageTool's matches on the answer, where the review page and "
                "the PDF report mark them (character offsets in the answer as written; the text "
                "itself is not in the API).",
                "items": _ref("Issue"),
            },
        }
    ),
    "Issue": _object(
        {
            "number": {"type": "integer", "minimum": 1},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
            "group": {
                "type": "string",
                "enum": ["grammar", "spelling", "punctuation_casing", "style"],
            },
            "rule_id": {"type": "string"},
        }
    ),
    "ResultDetail": {
        "allOf": [
            _ref("Result"),
            _object({"tasks": {"type": "array", "items": _ref("TaskSummary")}}),
        ]
    },
    "ResultPage": _object(
        {
            "data": {"type": "array", "items": _ref("Result")},
            "next_cursor": _nullable("string", description="Pass as `cursor`; null at the end."),
            "limit": {"type": "integer"},
        }
    ),
    "Bank": _object(
        {
            "id": {"type": "string"},
            "version": {"type": "integer"},
            "title": {"type": "string"},
            "language": {"type": "string"},
            "time_limit_minutes": {"type": "integer"},
        }
    ),
    "BankList": _object({"data": {"type": "array", "items": _ref("Bank")}}),
    "InvitationRequest": {
        **_object(
            {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "email": {"type": "string", "format": "email", "maxLength": 320},
                "bank": {"type": "string", "description": "A bank id from GET /banks."},
                "extra_minutes": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": invitations.MAX_EXTRA_MINUTES,
                    "default": 0,
                },
                "expires_in_days": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_VALID_DAYS,
                    "description": "Default: the server's INVITATION_VALID_DAYS (14).",
                },
            },
            required=["name", "email", "bank"],
        ),
        "additionalProperties": False,
        "examples": [
            {
                "name": "Asha Rao",
                "email": "asha@example.com",
                "bank": "support-en",
                "extra_minutes": 15,
                "expires_in_days": 7,
            }
        ],
    },
    "Invitation": _object(
        {
            "id": {"type": "integer"},
            "candidate": _ref("Candidate"),
            "bank": _ref("BankRef"),
            "extra_minutes": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "link": {
                "type": "string",
                "format": "uri",
                "description": "The candidate's link. Shown only in this response: store it.",
            },
        }
    ),
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


RESPONSES: dict[str, Any] = {
    "BadRequest": _error("Malformed JSON."),
    "Unauthorized": _error(
        "No token, or a token that is not valid or was revoked.",
        {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    ),
    "NotFound": _error("No such object in your organisation."),
    "MethodNotAllowed": _error("This path does not accept the method."),
    "PayloadTooLarge": _error("The body exceeds 64 kB."),
    "UnsupportedMediaType": _error("The body is not sent as application/json."),
    "Invalid": _error("Parameters or fields not valid; details.problems names each."),
    "TooManyRequests": _error("Rate limit reached; see the Retry-After header."),
    "ServerError": _error("Something went wrong on the server."),
}


def _responses(ok: tuple[str, str, str], *errors: str) -> dict[str, Any]:
    status, description, schema = ok
    out: dict[str, Any] = {
        status: {
            "description": description,
            "content": {"application/json": {"schema": _ref(schema)}},
        }
    }
    names = {
        "400": "BadRequest",
        "401": "Unauthorized",
        "404": "NotFound",
        "413": "PayloadTooLarge",
        "415": "UnsupportedMediaType",
        "422": "Invalid",
        "429": "TooManyRequests",
        "500": "ServerError",
    }
    for code in (*errors, "429", "500"):
        out[code] = {"$ref": f"#/components/responses/{names[code]}"}
    return out


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


RESULT_PARAMETERS = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": api_results.MAX_LIMIT},
        "Page size (50).",
    ),
    _query("cursor", {"type": "string"}, "next_cursor of the previous page."),
    _query("bank", {"type": "string", "maxLength": MAX_ID}, "A bank id (slug): all its versions."),
    _query("state", {"type": "string", "enum": list(api_results.RESULT_STATES)}, "Attempt state."),
    _query("level", {"type": "string", "enum": list(LEVELS)}, "Scored level."),
    _query(
        "submitted_since",
        {"type": "string", "format": "date-time"},
        "Only attempts submitted at or after this instant (ISO 8601; UTC without offset).",
    ),
]

PATHS: dict[str, Any] = {
    "/results": {
        "get": {
            "operationId": "listResults",
            "summary": "Results of your organisation, oldest attempt first, a page at a time.",
            "parameters": RESULT_PARAMETERS,
            "responses": _responses(("200", "A page of results.", "ResultPage"), "401", "422"),
        }
    },
    "/results/{attempt_id}": {
        "get": {
            "operationId": "getResult",
            "summary": "One result with a per-task summary (scores only, never answer text).",
            "parameters": [
                {
                    "name": "attempt_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            ],
            "responses": _responses(("200", "The result.", "ResultDetail"), "401", "404"),
        }
    },
    "/banks": {
        "get": {
            "operationId": "listBanks",
            "summary": "The question banks you can invite candidates to.",
            "responses": _responses(("200", "The banks.", "BankList"), "401"),
        }
    },
    "/invitations": {
        "post": {
            "operationId": "createInvitation",
            "summary": "Invite a candidate; the response holds their link, shown this once.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("InvitationRequest")}},
            },
            "responses": _responses(
                ("201", "The invitation, with its link.", "Invitation"),
                "400",
                "401",
                "413",
                "415",
                "422",
            ),
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This document (no token needed).",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "429": {"$ref": "#/components/responses/TooManyRequests"},
                "500": {"$ref": "#/components/responses/ServerError"},
            },
        }
    },
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Assessor API",
            "version": "1.0.0",
            "description": "Results and invitations for applicant tracking systems. "
            "See docs/api.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "asr_ followed by 43 URL-safe characters",
                }
            },
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }
