from __future__ import annotations

from uuid import UUID, uuid4

from carerelay_contract.vocabulary import ConsentScope, NotificationAudience, NotificationChannel, PreferredChannel
from carerelay_notifications.domain.consent import (
    ConsentState,
    Contact,
    channel_for,
    family_may_be_messaged,
    may_be_messaged,
    patient_may_be_messaged,
)

PATIENT = Contact(ref=str(uuid4()), preferred_channel=PreferredChannel.SMS, has_email=False, has_mobile=True)


def family(told_plan: bool, channel: PreferredChannel = PreferredChannel.EMAIL) -> Contact:
    return Contact(ref=str(uuid4()), preferred_channel=channel, has_email=True, has_mobile=False, may_be_told_plan=told_plan)


def test_a_patient_with_a_preferred_channel_is_messaged_until_they_opt_out() -> None:
    assert patient_may_be_messaged(PATIENT, {})
    assert patient_may_be_messaged(PATIENT, {ConsentScope.CONTACT_BY_MESSAGE: ConsentState(True)})
    assert not patient_may_be_messaged(PATIENT, {ConsentScope.CONTACT_BY_MESSAGE: ConsentState(False)})


def test_a_patient_who_chose_none_is_never_messaged() -> None:
    silent = Contact(ref="x", preferred_channel=PreferredChannel.NONE, has_email=True, has_mobile=True)
    assert not patient_may_be_messaged(silent, {ConsentScope.CONTACT_BY_MESSAGE: ConsentState(True)})


def test_family_needs_the_patients_permission() -> None:
    assert not family_may_be_messaged(family(told_plan=False), {})
    assert family_may_be_messaged(family(told_plan=True), {})


def test_a_recorded_family_consent_grants_and_a_withdrawal_stops_even_what_the_referral_allowed() -> None:
    assert family_may_be_messaged(family(told_plan=False), {ConsentScope.FAMILY_INVOLVEMENT: ConsentState(True)})
    assert not family_may_be_messaged(family(told_plan=True), {ConsentScope.FAMILY_INVOLVEMENT: ConsentState(False)})


def test_a_consent_naming_one_family_contact_covers_only_that_contact() -> None:
    daughter, son = family(told_plan=False), family(told_plan=False)
    consents = {ConsentScope.FAMILY_INVOLVEMENT: ConsentState(True, family_contact_id=UUID(daughter.ref))}
    assert family_may_be_messaged(daughter, consents)
    assert not family_may_be_messaged(son, consents)


def test_professional_sharing_does_not_decide_messages_to_people() -> None:
    withdrawn = {ConsentScope.PROFESSIONAL_SHARING: ConsentState(False)}
    assert may_be_messaged(NotificationAudience.PATIENT, PATIENT, withdrawn)
    assert may_be_messaged(NotificationAudience.FAMILY, family(told_plan=True), withdrawn)


def test_the_channel_is_the_one_chosen_and_only_if_it_can_be_used() -> None:
    assert channel_for(PATIENT, time_critical=True) is NotificationChannel.SMS
    assert channel_for(family(True), time_critical=True) is NotificationChannel.EMAIL
    no_mobile = Contact(ref="x", preferred_channel=PreferredChannel.SMS, has_email=True, has_mobile=False)
    assert channel_for(no_mobile, time_critical=False) is None
    by_post = Contact(ref="x", preferred_channel=PreferredChannel.LETTER, has_email=False, has_mobile=False)
    assert channel_for(by_post, time_critical=False) is NotificationChannel.LETTER
    assert channel_for(by_post, time_critical=True) is None, "a letter is no use for news that cannot wait"
