"""Every model, imported so that Base.metadata knows all tables (Alembic reads it)."""

from app.models.application import Application, application_references
from app.models.base import Base
from app.models.event import Event
from app.models.interview import Interview, Interviewer, interview_interviewers
from app.models.recommendation import RecommendationState
from app.models.reference import Reference
from app.models.user import ApiToken, IdempotencyRecord, LoginFailure, User

__all__ = [
    "ApiToken",
    "Application",
    "Base",
    "Event",
    "IdempotencyRecord",
    "Interview",
    "Interviewer",
    "LoginFailure",
    "RecommendationState",
    "Reference",
    "User",
    "application_references",
    "interview_interviewers",
]
