"""Several interviewers, one interview: each thank-you in its own words, each to the right person.

Interviewers compare notes, so two identical emails read as a form letter; and the recruiter
who arranged the day wasn't part of the technical talk.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given

from app.policy import ApplicationIn, PersonIn, Recommendation, recommend

from .builders import HOUR, T0, event, interview, interviewed, of_rule, person, run, with_events
from .strategies import POLICY_SETTINGS, World, worlds

ENDS = T0 + HOUR
TOPICS = "moving the order pipeline to event sourcing"
TOM = person("p1", "Tom Becker", title="Engineering Manager", email="tom@acme.example")
SAM = person("p2", "Sam Okoro", title="Staff Engineer", email="sam@acme.example")
LEE = person("p3", "Lee Park", title="Engineer", email="lee@acme.example")
PRIYA = person("p4", "Priya Shah", title="Recruiter", email="priya@acme.example")


def _panel(*people: PersonIn, **fields: object) -> ApplicationIn:
    return interviewed(
        interviewers=people,
        interviews=(interview(interviewers=[p.id for p in people], topics=TOPICS),),
        **fields,
    )


def _bodies(app: ApplicationIn, rule: str = "send_thank_you_email") -> dict[str, str]:
    found = {}
    for rec in of_rule(run(app, as_of=ENDS), rule):
        assert rec.draft is not None
        assert rec.interviewer_id is not None
        found[rec.interviewer_id] = rec.draft.body
    return found


def _without_greeting(body: str) -> str:
    return body.split("\n\n", 1)[1]


PANELS = [
    pytest.param(_panel(TOM, SAM), id="two_interviewers_no_main_contact"),
    pytest.param(_panel(TOM, SAM, LEE), id="three_interviewers"),
    pytest.param(
        _panel(TOM, SAM, LEE, PRIYA, recruiter_name="Priya Shah"), id="four_with_the_recruiter"
    ),
    pytest.param(
        _panel(person("p1", "Jane Doe"), person("p2", "Jane Smith")), id="same_first_name"
    ),
    pytest.param(
        _panel(person("p1", "Tom Becker", main=True), person("p2", "Sam Okoro", main=True)),
        id="two_marked_main_contact",
    ),
]


@pytest.mark.parametrize("app", PANELS)
@pytest.mark.parametrize("rule", ["send_thank_you_email", "send_handwritten_note"])
def test_no_two_thank_yous_of_one_interview_share_their_words(
    app: ApplicationIn, rule: str
) -> None:
    bodies = _bodies(app, rule)
    assert len(bodies) == len(app.interviewers)
    # Distinct even with the greeting taken away: a changed name isn't a different message.
    texts = [_without_greeting(body) for body in bodies.values()]
    assert len(set(texts)) == len(texts), texts


def test_the_main_contact_is_thanked_for_arranging_and_the_others_for_the_topics() -> None:
    bodies = _bodies(_panel(TOM, SAM, PRIYA, recruiter_name="Priya Shah"))
    assert "arranging the interviews" in bodies["p4"]
    assert TOPICS not in bodies["p4"]
    for other in ("p1", "p2"):
        assert TOPICS in bodies[other]
        assert "arranging" not in bodies[other]


def test_the_person_marked_main_contact_arranged_it_when_the_recruiter_was_not_there() -> None:
    bodies = _bodies(_panel(person("p1", "Tom Becker", main=True), SAM))
    assert "arranging the interviews" in bodies["p1"]
    assert TOPICS in bodies["p2"]


def test_the_recruiter_is_recognised_by_email_as_well_as_by_name() -> None:
    bodies = _bodies(_panel(TOM, PRIYA, recruiter_email="Priya@Acme.example"))
    assert "arranging the interviews" in bodies["p4"]
    assert TOPICS in bodies["p1"]


@pytest.mark.parametrize(
    ("lone", "gets_topics"),
    [
        pytest.param(TOM, True, id="a_lone_interviewer_gets_the_topics"),
        pytest.param(person("p1", "Tom Becker", main=True), False, id="a_lone_main_contact"),
    ],
)
def test_a_lone_interviewer(lone: PersonIn, gets_topics: bool) -> None:
    body = _bodies(_panel(lone))["p1"]
    assert (TOPICS in body) is gets_topics
    assert ("arranging the interviews" in body) is not gets_topics


def test_the_handwritten_note_does_not_presume_an_offer() -> None:
    for body in _bodies(_panel(TOM, SAM), "send_handwritten_note").values():
        assert "delighted to join" not in body
        assert "I'd welcome the chance to work with you at Acme." in body


def test_the_linkedin_note_to_the_main_contact_leaves_out_the_technical_talk() -> None:
    """Like the email: the recruiter arranged the day, even with a manager marked main."""
    app = with_events(
        _panel(person("p1", "Tom Becker", main=True), PRIYA, recruiter_name="Priya Shah"),
        event("thank_you_email", ENDS, interviewer="p1"),
        event("thank_you_email", ENDS, interviewer="p4"),
    )
    notes = {}
    for rec in of_rule(run(app, as_of=ENDS + HOUR), "connect_on_linkedin"):
        assert rec.draft is not None
        notes[rec.interviewer_id] = rec.draft.body
    assert TOPICS not in notes["p4"]
    assert TOPICS in notes["p1"]


@POLICY_SETTINGS
@given(worlds())
def test_thank_yous_of_one_interview_never_repeat_each_other(world: World) -> None:
    recs = recommend(world.user, world.applications, world.references, world.as_of)
    by_interview: dict[tuple[str, str | None], list[Recommendation]] = defaultdict(list)
    for rec in recs:
        if rec.rule in {"send_thank_you_email", "send_handwritten_note"}:
            by_interview[(rec.rule, rec.interview_id)].append(rec)
    for group in by_interview.values():
        texts = [_without_greeting(rec.draft.body) for rec in group if rec.draft is not None]
        assert len(set(texts)) == len(texts), texts
