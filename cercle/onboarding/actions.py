"""Every change onboarding makes: the welcome sent to a new member, the settings
animators edit, the introductions topic, and the personal welcome of a newcomer.

Each `do_*` function checks permission through `cercle.permissions`, validates,
writes in one transaction, records its activity event and notifies; on refusal it
raises `ActionRefused` and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Community, Membership, Status
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind
from cercle.onboarding.models import OnboardingSettings, Welcome, WelcomeSent
from cercle.personas.models import Persona

# A member is a newcomer for this long: their checklist shows on their home page, and
# animators may still welcome them personally.
NEWCOMER_DAYS = 30
# "Newcomers this week": those who became members in the last days.
NEW_THIS_WEEK_DAYS = 7
MAX_WELCOME_MESSAGE = 5000


def welcome_url(community: Community) -> str:
    return reverse("onboarding:welcome", kwargs={"slug": community.slug})


def _language(person: User, community: Community) -> str:
    return person.language or community.language


# --- The welcome every new member receives ----------------------------------------------


def welcome_newcomer(membership: Membership) -> bool:
    """Send the community's welcome to someone who has just become an active member.

    Called by the joining actions (open join, approved request, accepted invitation)
    inside their transaction. A person gets it once per community, ever: someone who
    leaves and comes back is not welcomed a second time (their checklist shows again,
    and animators see them among the newcomers, marked as returning). Returns whether
    the welcome was sent now."""
    community = membership.community
    person = membership.person
    try:
        with transaction.atomic():
            WelcomeSent.objects.create(community=community, person=person)
    except IntegrityError:
        return False
    onboarding = (
        OnboardingSettings.objects.filter(community=community).select_related("persona").first()
    )
    persona = sender(onboarding)
    with override(_language(person, community)):
        if persona is not None:
            subject = _("a word from %(name)s") % {"name": persona.name}
        else:
            subject = _("your first steps")
    notify_about(
        Kind.WELCOME,
        [person.pk],
        actor=None,
        community=community,
        subject=subject,
        url=welcome_url(community),
    )
    return True


def sender(onboarding: OnboardingSettings | None) -> Persona | None:
    """The persona the welcome comes from, while it is still active (else the community)."""
    persona = onboarding.persona if onboarding else None
    return persona if persona is not None and persona.is_active else None


# --- Settings ---------------------------------------------------------------------------


def _require_animator(actor: User, community: Community) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, community)
    if not access.may_animate():
        raise ActionRefused(
            _("Only the community's animators may do this."), not_found=not access.sees_landing()
        )
    return access


def check_introductions_topic(community: Community, topic: Topic | None) -> None:
    """The introductions topic must be a visible conversation of this community that
    every member reads: not in a private space, not hidden, not merged away."""
    if topic is None:
        return
    if topic.community_id != community.pk:
        raise ActionRefused(_("Choose a topic of this community."))
    if topic.space.is_private:
        raise ActionRefused(
            _("Choose a topic in a space every member reads: newcomers introduce themselves there.")
        )
    if topic.is_hidden or topic.merged_into_id is not None:
        raise ActionRefused(_("This topic is hidden or merged: choose another one."))


def do_update_settings(
    actor: User,
    community: Community,
    *,
    welcome_message: str,
    introductions_topic: Topic | None,
    persona: Persona | None = None,
) -> OnboardingSettings:
    _require_animator(actor, community)
    if persona is not None and (persona.community_id != community.pk or not persona.is_active):
        raise ActionRefused(_("Choose one of the community's active personas."))
    welcome_message = welcome_message.strip()
    if len(welcome_message) > MAX_WELCOME_MESSAGE:
        raise ActionRefused(
            _("Keep the welcome message under %(count)d characters.")
            % {"count": MAX_WELCOME_MESSAGE}
        )
    check_introductions_topic(community, introductions_topic)
    with transaction.atomic():
        found = OnboardingSettings.objects.select_for_update().filter(community=community).first()
        onboarding = found or OnboardingSettings(community=community)
        onboarding.welcome_message = welcome_message
        onboarding.introductions_topic = introductions_topic
        onboarding.persona = persona
        onboarding.updated_by = actor
        onboarding.save()
        record_event(verbs.ONBOARDING_UPDATED, actor=actor, community=community, target=onboarding)
    return onboarding


def do_create_introductions_topic(actor: User, community: Community) -> Topic:
    """Start a pinned "Introduce yourself" discussion in the community's default space,
    in the community's language, and make it the introductions topic."""
    _require_animator(actor, community)
    space = community.spaces.filter(is_default=True).first()
    if space is None:
        raise ActionRefused(_("This community has no default space to hold the topic."))
    space.community = community
    with override(community.language):
        title = _("Introduce yourself")
        body = _(
            "Welcome! Tell us who you are, what brings you here, and what you would like "
            "to learn or to share. Then say hello to the other newcomers below."
        )
    with transaction.atomic():
        topic = conversation_actions.do_start_topic(
            actor, space, kind=TopicKind.DISCUSSION, title=title, body=body
        )
        conversation_actions.do_set_pinned(actor, topic, True)
        found = OnboardingSettings.objects.select_for_update().filter(community=community).first()
        onboarding = found or OnboardingSettings(community=community)
        onboarding.introductions_topic = topic
        onboarding.updated_by = actor
        onboarding.save()
        record_event(verbs.ONBOARDING_UPDATED, actor=actor, community=community, target=onboarding)
    return topic


# --- Animators welcome newcomers in person ------------------------------------------------


def do_welcome(actor: User, community: Community, newcomer: User) -> Welcome:
    """One click: tell a newcomer that an animator is glad they came (a notification
    from the animator), and remember who welcomed whom (the "welcomer" badge counts it)."""
    _require_animator(actor, community)
    if newcomer.pk == actor.pk:
        raise ActionRefused(_("You cannot welcome yourself."))
    membership = Membership.objects.filter(
        person=newcomer, community=community, status=Status.ACTIVE
    ).first()
    if membership is None or not newcomer.is_active:
        raise ActionRefused(_("%(name)s is not a member of this community.") % {"name": newcomer})
    since = timezone.now() - timedelta(days=NEWCOMER_DAYS)
    if membership.joined_at is None or membership.joined_at < since:
        raise ActionRefused(
            _("%(name)s joined more than %(days)d days ago: no longer a newcomer.")
            % {"name": newcomer, "days": NEWCOMER_DAYS}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                welcome = Welcome.objects.create(
                    community=community, welcomer=actor, newcomer=newcomer
                )
        except IntegrityError:
            raise ActionRefused(
                _("You have already welcomed %(name)s.") % {"name": newcomer}
            ) from None
        with override(_language(newcomer, community)):
            subject = _("%(name)s is glad you joined") % {"name": actor.display_name}
        notify_about(
            Kind.WELCOME,
            [newcomer.pk],
            actor=actor,
            community=community,
            subject=subject,
            url=welcome_url(community),
        )
        record_event(verbs.NEWCOMER_WELCOMED, actor=actor, community=community, target=welcome)
    return welcome
