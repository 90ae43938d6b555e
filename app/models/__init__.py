"""Every model, imported so that Base.metadata knows all tables (Alembic reads it)."""

from app.models.application import Application, application_references
from app.models.base import Base
from app.models.calendar_feed import CalendarFeed
from app.models.event import Event
from app.models.integration import ExternalInterview, InboundMessage, Integration
from app.models.interview import Interview, Interviewer, interview_interviewers
from app.models.mail import MailAttempt, MailMessage
from app.models.recommendation import RecommendationState
from app.models.reference import Reference
from app.models.user import ApiToken, IdempotencyRecord, LoginFailure, User
from app.models.web_session import WebSession
from app.models.webhook import (
    EmittedRecommendation,
    WebhookDelivery,
    WebhookEvent,
    WebhookMessage,
    WebhookSubscription,
)

__all__ = [
    "ApiToken",
    "Application",
    "Base",
    "CalendarFeed",
    "EmittedRecommendation",
    "Event",
    "ExternalInterview",
    "IdempotencyRecord",
    "InboundMessage",
    "Integration",
    "Interview",
    "Interviewer",
    "LoginFailure",
    "MailAttempt",
    "MailMessage",
    "RecommendationState",
    "Reference",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookMessage",
    "WebhookSubscription",
    "application_references",
    "interview_interviewers",
]
