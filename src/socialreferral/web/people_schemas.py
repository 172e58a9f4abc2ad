"""Bodies of the People API beside the service's read models (which are response models
themselves: :class:`~socialreferral.service.people.PersonSummary`, ``PersonDetail``,
``ReviewEntry``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DecisionApplied(BaseModel):
    """An operator's decision, applied: where each of the two records now belongs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: str
    people: dict[str, str] = Field(description="record id -> person id after the decision")


DECISION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The pair (two record ids from the review band) and the verdict.",
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["left_id", "right_id", "decision"],
            "properties": {
                "left_id": {"type": "string", "maxLength": 128},
                "right_id": {"type": "string", "maxLength": 128},
                "decision": {"type": "string", "enum": ["confirm", "split"]},
                "note": {"type": "string", "maxLength": 1000},
            },
        }}},
    },
}
"""The request body as OpenAPI documents it (the route parses it bounded itself)."""

__all__ = ["DECISION_BODY", "DecisionApplied"]
