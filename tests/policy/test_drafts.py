"""Drafts read like a person wrote them, whatever is missing or oversized in the data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.policy import ApplicationIn, Draft, Recommendation, UserIn
from app.policy import drafts as draft_module

from .builders import (
    DAY,
    HOUR,
    T0,
    WEEK,
    application,
    event,
    interview,
    interviewed,
    of_rule,
    only,
    person,
    reference,
    run,
    user,
    with_events,
)
from .strategies import POLICY_SETTINGS, World, worlds

ENDS = T0 + HOUR
LONG = " ".join(["Bartholomew-Alexander"] * 10)[:200]  # 200 characters, spaces included
assert len(LONG) == 200

RULES_WITH_DRAFTS = {
    "ask_next_steps",
    "get_contact_info",
    "send_thank_you_email",
    "send_handwritten_note",
    "connect_on_linkedin",
    "share_mutual_interest",
    "brief_reference",
    "send_status_inquiry",
    "reply_graciously",
    "withdraw_gracefully",
}


def assert_reads_naturally(draft: Draft) -> None:
    for text in (draft.subject or "", draft.body):
        for leftover in ("{{", "}}", "{%", "%}", "None", "\x00"):
            assert leftover not in text, (leftover, text)
        assert "  " not in text, text
        assert "\n\n\n" not in text, text
        assert text == text.strip(), text
        assert not re.search(r"[ \t]\n", text), text
        assert not re.search(r" [,.;:]|[,;]\.|\.\.(?!\.)|,,", text), text
    assert draft.body
    if draft.subject is not None:
        assert draft.subject
        assert "\n" not in draft.subject


def scenario_drafts(
    *,
    interviewer_name: str = "Jane Doe",
    title: str | None = "Engineering Manager",
    topics: str | None = "the payments API",
    recruiter: str | None = "Sam Rivera",
    company: str = "Acme",
    role: str = "Backend Engineer",
    user_name: str = "Chris Candidate",
) -> Iterator[Recommendation]:
    """Walk one application through its life so every rule with a draft fires once."""
    who = user(name=user_name)
    jane = person(name=interviewer_name, title=title, main=True)
    nameless = person("p2", "Bob Stone", title=None, email=None)
    base = application(
        company=company,
        role_title=role,
        recruiter_name=recruiter,
        references_requested_at=ENDS + DAY,
        reference_ids=("r1",),
        interviewers=(jane, nameless),
        interviews=(
            interview(interviewers=("p1", "p2"), topics=topics, mutual_interests="AI pair review"),
        ),
    )
    refs = [reference()]
    yield from run(base, as_of=T0 - HOUR, who=who, references=refs)  # ask_next_steps
    yield from run(base, as_of=ENDS + HOUR, who=who, references=refs)  # thanks, contact, refs
    thanked = with_events(base, event("thank_you_email", ENDS + HOUR, interviewer="p1"))
    yield from run(thanked, as_of=ENDS + 2 * HOUR, who=who, references=refs)  # connect
    yield from run(thanked, as_of=ENDS + WEEK, who=who, references=refs)  # 1st inquiry
    asked = with_events(thanked, event("status_inquiry", ENDS + WEEK))
    yield from run(asked, as_of=ENDS + 2 * WEEK, who=who, references=refs)  # 2nd inquiry
    vague = with_events(asked, event("reply_received", ENDS + 2 * WEEK, response="noncommittal"))
    yield from run(vague, as_of=ENDS + 2 * WEEK, who=who, references=refs)  # reply_graciously
    won = application(
        "won", status="accepted", events=(event("status_changed", ENDS, to_status="accepted"),)
    )
    yield from run(won, base, as_of=ENDS + DAY, who=who)  # withdraw_gracefully


VARIANTS = [
    pytest.param({}, id="everything_known"),
    pytest.param({"title": None}, id="interviewer_without_title"),
    pytest.param({"topics": None}, id="no_topics"),
    pytest.param({"recruiter": None}, id="no_recruiter"),
    pytest.param({"user_name": ""}, id="user_without_a_name"),
    pytest.param(
        {"interviewer_name": LONG, "company": LONG, "role": LONG, "user_name": LONG},
        id="two_hundred_character_names",
    ),
    pytest.param(
        {"interviewer_name": "  Jane\n Doe ", "topics": " the   payments API. ", "company": "A  B"},
        id="messy_whitespace_in_user_text",
    ),
    pytest.param({"interviewer_name": "Dr."}, id="name_that_is_only_an_honorific"),
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_draft_reads_naturally(variant: dict[str, str | None]) -> None:
    seen = set()
    for rec in scenario_drafts(**variant):  # type: ignore[arg-type]
        if rec.rule in RULES_WITH_DRAFTS:
            assert rec.draft is not None, rec.rule
            assert_reads_naturally(rec.draft)
            seen.add(rec.rule)
        else:
            assert rec.draft is None, rec.rule
    assert seen == RULES_WITH_DRAFTS


def _draft(rule: str, to: str = "p1", **variant: str | None) -> Draft:
    """The first draft of `rule` in the scenario, addressed to Jane (p1, the main contact) or
    to `to` when it is personal."""
    for rec in scenario_drafts(**variant):  # type: ignore[arg-type]
        if rec.rule == rule and rec.draft is not None and rec.interviewer_id in (None, to):
            return rec.draft
    raise AssertionError(f"no {rule} draft")


def test_thank_you_email_names_person_role_company_and_topics_in_a_few_sentences() -> None:
    draft = _draft("send_thank_you_email", to="p2")
    assert draft.subject == "Thank you for the interview \N{EN DASH} Backend Engineer"
    assert draft.body.startswith("Hi Bob,\n\n")
    assert "the Backend Engineer role at Acme" in draft.body
    assert "our conversation about the payments API" in draft.body
    assert draft.body.endswith("Best regards,\nChris Candidate")
    paragraph = draft.body.split("\n\n")[1]
    assert 2 <= paragraph.count(". ") + 1 <= 3


def test_thank_you_email_without_topics_still_reads_well() -> None:
    draft = _draft("send_thank_you_email", to="p2", topics=None)
    assert "conversation about" not in draft.body
    assert "Our conversation made me even more excited" in draft.body


def test_handwritten_note_is_shorter_and_has_no_subject() -> None:
    note = _draft("send_handwritten_note")
    assert note.subject is None
    assert note.body.startswith("Dear Jane,")
    assert len(note.body) < len(_draft("send_thank_you_email").body)


def test_greeting_uses_honorific_and_surname() -> None:
    draft = _draft("send_thank_you_email", interviewer_name="Dr. Priya Raman")
    assert draft.body.startswith("Hi Dr. Raman,")


@pytest.mark.parametrize(
    ("recruiter", "greeting"),
    [
        pytest.param("Sam Rivera", "Hi Sam,", id="inquiry_greets_the_recruiter_by_name"),
        pytest.param(None, "Hi Jane,", id="inquiry_without_recruiter_greets_the_main_contact"),
    ],
)
def test_status_inquiry_greeting(recruiter: str | None, greeting: str) -> None:
    assert _draft("send_status_inquiry", recruiter=recruiter).body.startswith(greeting + "\n")


def test_linkedin_note_reminds_them_of_the_interview() -> None:
    body = _draft("connect_on_linkedin").body
    assert body.startswith("Hi Jane, thank you for speaking with me on 3 March")
    assert len(body) <= 300


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param({"interviewer_name": LONG}, id="long_interviewer_name"),
        pytest.param({"company": LONG, "role": LONG}, id="long_company_and_role"),
        pytest.param(
            {
                "interviewer_name": LONG,
                "company": LONG,
                "role": LONG,
                "user_name": LONG,
                "topics": LONG,
            },
            id="everything_two_hundred_characters",
        ),
        pytest.param({"interviewer_name": "X" * 200, "company": "Y" * 200}, id="no_spaces_at_all"),
    ],
)
def test_linkedin_note_always_fits_300_characters(variant: dict[str, str]) -> None:
    body = _draft("connect_on_linkedin", **variant).body
    assert len(body) <= 260
    assert body.startswith(("Hi ", "Hello,"))
    assert_reads_naturally(Draft(None, body))


@POLICY_SETTINGS
@given(
    st.text(min_size=1, max_size=400),
    st.text(max_size=400),
    st.text(min_size=1, max_size=400),
    st.text(max_size=400),
)
def test_linkedin_note_fits_for_any_text(name: str, company: str, role: str, me: str) -> None:
    app = with_events(
        interviewed(
            company=company,
            role_title=role,
            interviewers=(person(name=name),),
            interviews=(interview(topics=company),),
        ),
        event("thank_you_email", ENDS + HOUR, interviewer="p1"),
    )
    rec = only(run(app, as_of=ENDS + 2 * HOUR, who=UserIn(me, "UTC")), "connect_on_linkedin")
    assert rec.draft is not None
    assert len(rec.draft.body) <= 300


@pytest.mark.parametrize(
    ("name", "me"),
    [
        pytest.param("Tom Becker", "Alex Morgan", id="short_names"),
        pytest.param(
            "Wolfgang-Amadeus Hubertus von Richthofen-Lichtenstein",
            "Maximiliana Alexandra Featherstonehaugh-Cholmondeley",
            id="long_names",
        ),
        pytest.param(
            "Christopherson-Bartholomew Featherstonehaugh",
            "Anastasia-Konstantina Papadopoulou-Vasilakopoulou",
            id="long_first_names",
        ),
    ],
)
def test_linkedin_note_keeps_a_margin_under_the_limit_for_plausible_names(
    name: str, me: str
) -> None:
    """At 298 of 300 the user can't add a word, and LinkedIn counts some characters twice."""
    app = with_events(
        interviewed(
            company="Bayerische Motoren Werke Aktiengesellschaft",
            role_title="Senior Staff Site Reliability Engineer, Payments Infrastructure",
            interviewers=(person(name=name),),
            interviews=(
                interview(topics="moving the payments ledger from a monolith to event sourcing"),
            ),
        ),
        event("thank_you_email", ENDS + HOUR, interviewer="p1"),
    )
    rec = only(run(app, as_of=ENDS + 2 * HOUR, who=UserIn(me, "UTC")), "connect_on_linkedin")
    assert rec.draft is not None
    assert len(rec.draft.body) <= 260
    assert rec.draft.body.startswith(f"Hi {name.split()[0]}, thank you for speaking with me")
    assert_reads_naturally(rec.draft)


def test_second_inquiry_acknowledges_the_first() -> None:
    inquiries = {
        rec.id: rec.draft.body
        for rec in scenario_drafts()
        if rec.rule == "send_status_inquiry" and rec.draft is not None
    }
    # In order of appearance: the first, the second, and a new first after their vague reply.
    first, second, after_reply = inquiries.values()
    assert "my note from" not in first
    assert "we last spoke on 3 March" in first
    assert "I'm following up on my note from 10 March" in second
    assert "Acme" in second
    assert "we last spoke on 17 March" in after_reply


def test_reply_graciously_is_patient_and_thanks_them() -> None:
    body = _draft("reply_graciously").body
    assert "Thank you for the update" in body
    assert "take time" in body


def test_withdrawal_is_gracious_and_addressed_to_the_recruiter() -> None:
    draft = _draft("withdraw_gracefully")
    assert draft.subject == "Withdrawing from the Backend Engineer role"
    assert draft.body.startswith("Dear Sam,")
    assert "accepted another offer" in draft.body
    assert "Thank you" in draft.body


def test_user_text_is_data_never_template_code() -> None:
    app = interviewed(
        company="{{ 7 * 7 }} {% if true %}x{% endif %} 100% %s",
        interviews=(interview(topics="{{ user_name }}"),),
    )
    draft = only(run(app, as_of=ENDS), "send_thank_you_email").draft
    assert draft is not None
    assert "{{ 7 * 7 }} {% if true %}x{% endif %} 100% %s" in draft.body
    assert "about {{ user_name }}," in draft.body


@POLICY_SETTINGS
@given(worlds())
def test_drafts_match_a_fresh_jinja_render(world: World) -> None:
    """The per-shape pattern cache must never change a draft."""

    def everything(w: World) -> list[Recommendation]:
        from app.policy import recommend

        return recommend(w.user, w.applications, w.references, w.as_of)

    cached = everything(world)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(draft_module, "_skeletons", {})
        patch.setattr(draft_module, "_skeleton", lambda name, context: None)
        direct = everything(world)
    assert cached == direct
    for rec in cached:
        if rec.draft is not None:
            assert_reads_naturally(rec.draft)


def test_missing_template_variable_is_an_error_not_a_blank() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        draft_module.render_direct("thank_you_email", {})


def test_of_rule_helper_sanity() -> None:
    # Guards the scenario above against silently testing nothing.
    assert of_rule(list(scenario_drafts()), "send_thank_you_email")
    assert isinstance(application(), ApplicationIn)
