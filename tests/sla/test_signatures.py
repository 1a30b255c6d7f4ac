"""Signature rules: who signs, fingerprints, frozen terms, activation and superseding."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.roles import Role
from sla import selectors, services, terms
from sla.models import TERM_FIELDS, Signature, SLAVersion, SLAVersionChange, VersionStatus
from smarketing.errors import Conflict, NotAllowed
from tests.factories import TeamFactory, UserFactory
from tests.sla.conftest import sign_all


def test_fingerprint_is_the_sha256_of_the_canonical_terms(draft):
    canonical = terms.terms_canonical_json(draft)
    assert terms.terms_fingerprint(draft) == hashlib.sha256(canonical.encode()).hexdigest()
    assert canonical.startswith('{"acceptance_rate_target":60,')  # sorted keys, no spaces


def test_first_signature_freezes_the_terms(draft, marketing_manager):
    fingerprint = terms.terms_fingerprint(draft)
    signature = services.version_sign(
        version=draft, actor=marketing_manager, fingerprint=fingerprint
    )

    draft.refresh_from_db()
    assert draft.status == VersionStatus.AWAITING_SIGNATURES
    assert draft.fingerprint == fingerprint == signature.fingerprint
    assert signature.role == "marketing_lead"
    assert signature.signed_at is not None


def test_amending_a_signed_version_makes_a_new_draft(draft, marketing_manager, sales_manager):
    sign_all(draft, marketing_manager)

    amended = services.version_amend(version=draft, actor=sales_manager, decision_hours=4)

    draft.refresh_from_db()
    assert amended.pk != draft.pk
    assert (amended.number, amended.status, amended.decision_hours) == (2, "draft", 4)
    assert draft.decision_hours == 8  # the signed terms did not move
    assert amended.based_on == draft
    assert not amended.signatures.exists()  # signatures never carry over


def test_amending_an_unsigned_draft_edits_it_in_place(draft, marketing_manager):
    amended = services.version_amend(version=draft, actor=marketing_manager, mql_target=20)
    assert amended.pk == draft.pk
    assert SLAVersion.objects.count() == 1


def test_a_manager_may_not_change_the_other_sides_commitments(draft, marketing_manager):
    with pytest.raises(PermissionDenied, match="decision_hours"):
        services.version_amend(version=draft, actor=marketing_manager, decision_hours=2)


def test_sellers_may_not_amend(draft, seller):
    with pytest.raises(PermissionDenied):
        services.version_amend(version=draft, actor=seller, mql_target=1)


def test_invalid_terms_are_refused_with_field_messages(draft, marketing_manager):
    with pytest.raises(ValidationError) as error:
        services.version_amend(
            version=draft, actor=marketing_manager, time_zone="Mars/Base", working_days=[]
        )
    assert set(error.value.message_dict) >= {"time_zone", "working_days"}


def test_signing_terms_that_changed_since_they_were_shown_is_refused(draft, marketing_manager):
    shown = terms.terms_fingerprint(draft)
    services.version_amend(version=draft, actor=marketing_manager, mql_target=99)

    with pytest.raises(Conflict, match="changed"):
        services.version_sign(version=draft, actor=marketing_manager, fingerprint=shown)
    assert not Signature.objects.exists()


def test_who_may_sign(draft, marketer, seller, admin_user):
    fingerprint = terms.terms_fingerprint(draft)
    for outsider in (marketer, seller, admin_user):
        with pytest.raises(PermissionDenied):
            services.version_sign(version=draft, actor=outsider, fingerprint=fingerprint)


def test_a_manager_of_another_team_may_not_sign_as_lead(draft):
    stranger = UserFactory(
        role=Role.SALES_MANAGER, team=TeamFactory(name="Sales East", kind="sales")
    )
    with pytest.raises(PermissionDenied):
        services.version_sign(
            version=draft, actor=stranger, fingerprint=terms.terms_fingerprint(draft)
        )


def test_nobody_signs_twice(draft, marketing_manager):
    sign_all(draft, marketing_manager)
    with pytest.raises(NotAllowed):
        sign_all(draft, marketing_manager)


def test_the_last_required_signature_activates(draft, marketing_manager, sales_manager, executive):
    sign_all(draft, marketing_manager, sales_manager)
    assert draft.status == VersionStatus.AWAITING_SIGNATURES

    sign_all(draft, executive)

    assert draft.status == VersionStatus.ACTIVE
    assert draft.activated_at is not None
    assert list(draft.changes.values_list("to_status", flat=True)) == [
        "draft",
        "awaiting_signatures",
        "active",
    ]


def test_an_extra_signatory_is_required_too(draft, marketing_manager, sales_manager, executive):
    cfo = UserFactory(role=Role.EXECUTIVE)
    draft.extra_signatories.add(cfo)
    sign_all(draft, marketing_manager, sales_manager, executive)
    assert draft.status == VersionStatus.AWAITING_SIGNATURES
    # The CFO is an executive too, but the sponsor role is taken: they sign as themselves.
    assert selectors.missing_signatories(draft) == [f"user:{cfo.pk}"]


def test_activation_supersedes_the_previous_active_version(
    active_version, marketing_manager, sales_manager, executive
):
    amended = services.version_amend(version=active_version, actor=sales_manager, min_attempts=6)
    sign_all(amended, marketing_manager, sales_manager, executive)

    active_version.refresh_from_db()
    assert amended.status == VersionStatus.ACTIVE
    assert active_version.status == VersionStatus.SUPERSEDED
    assert active_version.ended_at == amended.activated_at
    assert SLAVersionChange.objects.filter(version=active_version, to_status="superseded").exists()


def test_the_database_allows_one_active_version_per_scope(active_version):
    with pytest.raises(IntegrityError), transaction.atomic():
        SLAVersion.objects.create(
            **{
                **{f: getattr(active_version, f) for f in ("sla", "mql_target")},
                **{name: getattr(active_version, name) for name in TERM_FIELDS},
            },
            number=99,
            status=VersionStatus.ACTIVE,
        )


def test_a_signed_active_version_cannot_be_signed_again(active_version, marketing_manager):
    with pytest.raises(NotAllowed):
        sign_all(active_version, marketing_manager)


def test_version_transition_is_compare_and_set(draft, marketing_manager):
    stale = SLAVersion.objects.get(pk=draft.pk)
    services.version_abandon(version=draft, actor=marketing_manager)
    with pytest.raises(Conflict):
        services.version_transition(
            version=stale, to_status="awaiting_signatures", actor=marketing_manager
        )
