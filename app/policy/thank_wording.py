"""What each interviewer of one interview is thanked for, so no two get the same words.

Interviewers compare notes; two word-for-word identical emails read as a form letter. The
main contact (the recruiter, or whoever is marked so) is thanked for arranging the day, and
gets none of the technical talk they may not have been part of; everyone else is thanked for
the conversation, each in their own words, picking up the topics when they are known.
"""

from __future__ import annotations

# The email's middle sentence, for the k-th interviewer who isn't the main contact: with the
# topics ("%s"), and without. Past the last, the list starts over; by then the greetings
# still tell the messages apart.
_EMAIL_ON_TOPICS = (
    "I especially enjoyed our conversation about %s, and it made me even more excited about "
    "the chance to join the team.",
    "Your questions about %s stayed with me afterwards; it's exactly the kind of work I'd love "
    "to take on with the team.",
    "Hearing your perspective on %s gave me a much clearer picture of the team's work, and I "
    "enjoyed it a great deal.",
    "I appreciated how openly you talked through %s; it made the work sound even more interesting.",
)
_EMAIL_PLAIN = (
    "Our conversation made me even more excited about the chance to join the team.",
    "I enjoyed hearing how the team works, and it made the role sound even more interesting.",
    "Hearing your perspective gave me a much clearer picture of the team's work, and I enjoyed "
    "it a great deal.",
    "I appreciated how openly you answered my questions about the team.",
)
_EMAIL_ARRANGER = (
    "I'm also grateful to you for arranging the interviews and for guiding me through the "
    "process so smoothly."
)

_NOTE_ON_TOPICS = (
    "I especially enjoyed talking about %s.",
    "Our conversation about %s has stayed with me.",
    "Your perspective on %s was a highlight of my day.",
    "I learned a lot from our discussion of %s.",
)
_NOTE_PLAIN = (
    "I enjoyed our conversation.",
    "It was a pleasure to hear about the team.",
    "Your perspective on the team was a highlight of my day.",
    "I learned a lot from our discussion.",
)
_NOTE_ARRANGER = "I'm also grateful that you arranged my interviews and looked after me throughout."


def email_sentence(rank: int | None, topics: str | None) -> str:
    """`rank` is None for the main contact, else the interviewer's place among the others."""
    if rank is None:
        return _EMAIL_ARRANGER
    if topics is None:
        return _EMAIL_PLAIN[rank % len(_EMAIL_PLAIN)]
    return _EMAIL_ON_TOPICS[rank % len(_EMAIL_ON_TOPICS)] % topics


def note_sentence(rank: int | None, topics: str | None) -> str:
    if rank is None:
        return _NOTE_ARRANGER
    if topics is None:
        return _NOTE_PLAIN[rank % len(_NOTE_PLAIN)]
    return _NOTE_ON_TOPICS[rank % len(_NOTE_ON_TOPICS)] % topics
