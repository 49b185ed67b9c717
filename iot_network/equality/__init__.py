"""Equality monitoring: optional questions about who takes part (sex, ethnic group, disability,
age band), kept apart from anyone's name and reported only as suppressed counts.

A foundation-level package so events and courses can both ask the questions without importing
each other: each keeps its answers in its own table, a concrete subclass of
``EqualityAnswers`` linked one-to-one to the registration or enquiry (deleted with it)."""
