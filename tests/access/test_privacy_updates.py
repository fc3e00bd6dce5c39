"""Property: privacy updates, partial or full, in any order and by any actor, change the flags
exactly as the actions say, and no viewer ever sees what the resulting flags withhold."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pengaduan import Actor, NotVisibleError, PengaduanError
from pengaduan.access import DEFAULT_POLICY, HANDLING, Standing, json_feed, standing, summary, view
from pengaduan.exceptions import PrivacyFlagClearError
from pengaduan.presets import lapor_workflow
from pengaduan.workflow import Action, Field, FieldKind

from .conftest import ADMIN, NAME, OPERATOR, PHONE, REPORTER, at
from .test_properties import VIEWERS

CLEARERS = frozenset({"reporter", "admin_agency"})
# The preset plus an action that only sets flags, so that updates can come in any number
# and order, from the reporter, an admin or the handling unit.
WORKFLOW = lapor_workflow().with_action(
    Action(
        "mark",
        ("submitted", "verified", "dispatched"),
        None,
        {"reporter", "admin_agency", "unit_operator"},
        (Field("privacy", FieldKind.PRIVACY),),
        updates_facts=True,
        clears_privacy=CLEARERS,
    )
)
FLAGS = ("anonymous", "confidential")

updates = st.dictionaries(st.sampled_from(FLAGS), st.booleans(), min_size=1)
steps = st.lists(st.tuples(st.sampled_from([REPORTER, ADMIN, OPERATOR]), updates), max_size=8)


@given(st.dictionaries(st.sampled_from(FLAGS), st.booleans()), steps, st.booleans())
def test_privacy_updates_merge_and_never_leak(
    initial: dict[str, bool], changes: list[tuple[Actor, dict[str, bool]]], dispatch: bool
) -> None:
    submit: dict[str, Any] = {
        "title": "Pungutan liar",
        "body": "Petugas meminta uang.",
        "channel": "web",
        "privacy": initial,
        "reporter": {"name": NAME, "phone": PHONE},
    }
    c = WORKFLOW.apply(WORKFLOW.new("C-1"), "submit", REPORTER, at(0), submit)
    c = WORKFLOW.apply(c, "verify", ADMIN, at(1), {"classification": "pengaduan"})
    if dispatch:
        c = WORKFLOW.apply(c, "dispatch", ADMIN, at(2), {"unit": "dinas-pu"})
    expected = {flag: initial.get(flag, False) for flag in FLAGS}
    for hour, (actor, update) in enumerate(changes, start=3):
        clears = any(expected[f] and update.get(f) is False for f in FLAGS)
        refused_role = clears and actor.role not in CLEARERS
        allowed = actor.role != "unit_operator" or dispatch
        outcome: type[PengaduanError] | None = None
        try:
            c = WORKFLOW.apply(c, "mark", actor, at(hour), {"privacy": update})
        except PengaduanError as error:
            outcome = type(error)
        if not allowed:
            assert outcome is not None
            continue
        if refused_role:
            assert outcome is PrivacyFlagClearError
            continue
        assert outcome is None
        expected.update(update)  # a partial update changes only the flags it names
        assert c.facts is not None
        assert {f: getattr(c.facts.privacy, f) for f in FLAGS} == expected
    assert WORKFLOW.replay(c.events)["C-1"] == c, "history rebuilds the same flags"

    for viewer in VIEWERS:
        place = standing(c, viewer, workflow=WORKFLOW)
        texts = [json.dumps(json_feed([c], viewer, workflow=WORKFLOW), ensure_ascii=False)]
        texts.append(json.dumps(summary(c, viewer, workflow=WORKFLOW), ensure_ascii=False))
        try:
            texts.append(repr(view(c, viewer, workflow=WORKFLOW)))
        except NotVisibleError as error:
            texts.append(str(error))
        sees_rahasia = place is Standing.STAFF and viewer.role in DEFAULT_POLICY.confidential_roles
        if expected["confidential"] and sees_rahasia:
            assert json_feed([c], viewer, workflow=WORKFLOW) != []
        elif expected["confidential"] and place in (Standing.PUBLIC, Standing.STAFF):
            assert json_feed([c], viewer, workflow=WORKFLOW) == []
            assert "Pungutan" not in texts[0]
        # With the body restricted to those handling it, nobody else reads it, flags or not.
        restricted = DEFAULT_POLICY.restrict("body")
        feed = json.dumps(json_feed([c], viewer, workflow=WORKFLOW, privacy=restricted))
        assert ("Petugas meminta" in feed) is (place in HANDLING and feed != "[]")
        if place in (Standing.OWNER, Standing.TRUSTED):
            continue
        if expected["anonymous"] or place is Standing.PUBLIC:
            for text in texts:
                assert NAME not in text, (viewer, text)
                assert PHONE not in text, (viewer, text)
