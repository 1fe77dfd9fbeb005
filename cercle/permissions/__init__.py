"""The one place that answers "may this person do this here?".

Pages, the API, search, feeds, notifications and emails all ask these functions;
none of them decides on its own. Each answer depends only on the person, their
membership and the community's type, so tests can check it as a matrix
(tests/test_permissions*.py).

The community typology (docs/permissions.md tells it in full):
- audience: an *internal* community is for internal people only (a verified
  address in an internal email domain): nobody else sees it, joins it or is
  invited, members included if they stop being internal;
- entry: *open* (join in one click), *on request* (coordinators or moderators
  decide) or *on invitation*;
- visibility: *public* (people who may see the landing page also read the open
  spaces) or *members only* (non-members see the landing page alone).
A private space is seen only by the members listed in it and the coordinators.
Instance staff see every landing page and may manage any community (to rescue
one whose coordinators left) but read no content their own membership does not
open to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    InternalEmailDomain,
    Membership,
    Role,
    Space,
    SpaceMember,
    Status,
)
from cercle.conversations.models import Post, Topic

if TYPE_CHECKING:
    from cercle.activities.models import Challenge, Poll
    from cercle.contests.models import Contest
    from cercle.contests.models import Entry as ContestEntry

if TYPE_CHECKING:
    from cercle.ideas.models import Idea
    from cercle.personas.models import Persona

Actor = User | AnonymousUser
Action = Literal["view", "join", "post", "moderate", "manage"]
ACTIONS: tuple[Action, ...] = ("view", "join", "post", "moderate", "manage")


# --- Accounts -----------------------------------------------------------------------------


def may_manage_account(actor: Actor, account: User) -> bool:
    """Only the owner changes an account's name, language, email, password or
    deletes it; administrators act through the admin site, not as the person."""
    return bool(actor.is_authenticated and actor.is_active and actor.pk == account.pk)


def may_use_admin_site(actor: Actor) -> bool:
    """The instance's operators (staff), for settings that no community owns."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)


def is_staff(actor: Actor) -> bool:
    return may_use_admin_site(actor)


def is_internal(actor: Actor) -> bool:
    """A person with a verified address in one of the instance's internal domains."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    cached: bool | None = getattr(actor, "_cercle_is_internal", None)
    if cached is None:
        domains = set(InternalEmailDomain.objects.values_list("domain", flat=True))
        addresses = EmailAddress.objects.filter(user_id=actor.pk, verified=True).values_list(
            "email", flat=True
        )
        cached = any(address.rsplit("@", 1)[-1].lower() in domains for address in addresses)
        setattr(actor, "_cercle_is_internal", cached)  # noqa: B010 - a per-request cache
    return cached


def email_is_internal(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return InternalEmailDomain.objects.filter(domain=domain).exists()


def may_see_person(actor: Actor, person: User) -> bool:
    """A person's profile is seen by themselves and staff; by anyone (anonymous
    visitors included) when they made it public; otherwise only by the people who
    share an active community with them, in a community whose audience the reader
    meets (someone no longer internal no longer shares an internal community).

    `cercle.people.queries.visible_people` is the same rule as a query filter, for
    lists (the member directory, "who knows what").
    """
    if not person.is_active:
        return False
    if actor.is_authenticated and actor.is_active and (actor.pk == person.pk or is_staff(actor)):
        return True
    # A profile is created lazily: no profile is a private one.
    if getattr(getattr(person, "profile", None), "is_public", False):
        return True
    if not actor.is_authenticated or not actor.is_active:
        return False
    audiences = set(
        Membership.objects.filter(
            person_id=actor.pk,
            status=Status.ACTIVE,
            community__memberships__person_id=person.pk,
            community__memberships__status=Status.ACTIVE,
        ).values_list("community__audience", flat=True)
    )
    if Audience.EXTERNAL in audiences:
        return True
    return bool(audiences) and is_internal(actor)


def may_create_community(actor: Actor) -> bool:
    if not actor.is_authenticated or not actor.is_active:
        return False
    return is_staff(actor) or settings.COMMUNITY_CREATION == "members"


# --- Communities ------------------------------------------------------------------------------


@dataclass
class CommunityAccess:
    """Everything the permission questions about one community need, loaded once."""

    actor: Actor
    community: Community
    membership: Membership | None
    internal: bool
    staff: bool
    _listed_space_ids: frozenset[int] | None = field(default=None, repr=False)
    _sponsor: bool | None = field(default=None, repr=False)

    # Who the person is, here.
    @property
    def status(self) -> str | None:
        return self.membership.status if self.membership else None

    @property
    def is_member(self) -> bool:
        """An active member, of any role, who still meets the community's audience."""
        return self.status == Status.ACTIVE and self._meets_audience

    @property
    def role(self) -> str | None:
        return self.membership.role if self.is_member and self.membership else None

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_moderator(self) -> bool:
        return self.role in {Role.MODERATOR, Role.COORDINATOR}

    @property
    def is_banned(self) -> bool:
        return self.status == Status.BANNED

    @property
    def has_pending_invitation(self) -> bool:
        return self.status == Status.INVITED

    @property
    def _meets_audience(self) -> bool:
        return self.community.audience == Audience.EXTERNAL or self.internal

    def listed_space_ids(self) -> frozenset[int]:
        if self._listed_space_ids is None:
            if self.is_member:
                self._listed_space_ids = frozenset(
                    SpaceMember.objects.filter(
                        person_id=self.actor.pk, space__community=self.community
                    ).values_list("space_id", flat=True)
                )
            else:
                self._listed_space_ids = frozenset()
        return self._listed_space_ids

    # The questions.
    def sees_landing(self) -> bool:
        return self.staff or self._meets_audience

    def reads_open_spaces(self) -> bool:
        if self.is_member:
            return True
        if self.is_banned:
            return False
        return self.community.is_public and self._meets_audience

    def reads(self, space: Space) -> bool:
        if space.is_private:
            return self.is_coordinator or (self.is_member and space.pk in self.listed_space_ids())
        return self.reads_open_spaces()

    def may_join(self) -> bool:
        """Start joining: join at once (open), ask (on request) or accept an invitation."""
        if not self.actor.is_authenticated or not self._meets_audience:
            return False
        if self.status in {Status.ACTIVE, Status.REQUESTED, Status.BANNED}:
            return False
        if self.status == Status.INVITED:
            return True
        return self.community.entry in {Entry.OPEN, Entry.REQUEST}

    def may_post(self, space: Space | None = None) -> bool:
        if not self.is_member:
            return False
        return space is None or self.reads(space)

    def may_moderate(self, space: Space | None = None) -> bool:
        if not self.is_moderator:
            return False
        return space is None or self.reads(space)

    def may_manage(self, space: Space | None = None) -> bool:
        """Settings, spaces and membership of the community."""
        if space is not None and space.is_private:
            return self.is_coordinator
        return self.is_coordinator or self.staff

    def may_decide_requests(self) -> bool:
        return self.is_moderator or self.staff

    def may_invite(self) -> bool:
        return self.is_coordinator or self.staff

    def may_leave(self) -> bool:
        return self.status == Status.ACTIVE

    # Conversations.
    def may_start_topic(self, space: Space, kind: str) -> bool:
        if kind == "announcement" and not self.is_coordinator:
            return False
        return self.may_post(space)

    def may_reply(self, topic: Topic) -> bool:
        if not self.may_post(topic.space):
            return False
        if topic.is_locked or topic.is_hidden or topic.merged_into_id:
            return self.may_moderate(topic.space)
        return True

    def may_edit(self, post: Post, space: Space) -> bool:
        """Authors edit their own posts while they may post; moderators edit any."""
        if post.deleted_at is not None:
            return False
        own = post.author_id is not None and post.author_id == self.actor.pk
        return (own and self.may_post(space)) or self.may_moderate(space)

    def may_delete(self, post: Post, space: Space) -> bool:
        return self.may_edit(post, space)

    def may_accept_answer(self, topic: Topic) -> bool:
        if topic.kind != "question":
            return False
        asker = topic.author_id is not None and topic.author_id == self.actor.pk
        return (asker and self.may_post(topic.space)) or self.may_moderate(topic.space)

    def may_react(self, post: Post, space: Space) -> bool:
        own = post.author_id is not None and post.author_id == self.actor.pk
        return not own and post.deleted_at is None and self.may_post(space)

    def may_flag(self, post: Post, space: Space) -> bool:
        own = post.author_id is not None and post.author_id == self.actor.pk
        return not own and post.deleted_at is None and self.may_post(space)

    def sees_hidden(self, space: Space) -> bool:
        """Hidden topics and posts stay visible, marked, to those who moderate them."""
        return self.may_moderate(space)

    def may_edit_library_item(self, space: Space, creator_id: int | None) -> bool:
        """Collections and resources: their creator while they may post in the space;
        the space's managers otherwise."""
        own = creator_id is not None and creator_id == self.actor.pk
        return (own and self.may_post(space)) or (self.reads(space) and self.may_manage(space))

    def may_curate_tags(self) -> bool:
        return self.is_coordinator or self.staff

    def may_read_moderation_log(self) -> bool:
        return self.is_coordinator or self.staff

    # Animation (issue 7). Each feature adds its questions under its own heading.
    def may_animate(self, space: Space | None = None) -> bool:
        """Plan and run activities (polls, quizzes, challenges, contests, events, planned
        posts), see them before they are published, award badges, welcome newcomers and
        decide on ideas: the community's animators, who are its coordinators."""
        return self.is_coordinator and (space is None or self.reads(space))

    def may_take_part(self, space: Space) -> bool:
        """Vote, answer, RSVP, enter a contest, propose an idea: an active member who
        reads the space."""
        return self.may_post(space)

    def joined_before(self, moment: datetime) -> bool:
        """An active member since before `moment` (contest votes)."""
        joined = self.membership.joined_at if self.membership else None
        return self.is_member and joined is not None and joined <= moment

    # Animation: polls, quizzes and challenges.
    def sees_poll_results(self, poll: Poll, *, voted: bool, now: datetime | None = None) -> bool:
        """The counts of a poll the person may see: everyone once it is closed, a voter
        when the animator chose "after voting", the animators at any time. (Names are
        shown for named polls only, never for anonymous ones, to anyone.)"""
        if self.may_animate(poll.space):
            return True
        if poll.published_at is None:
            return False
        return poll.is_closed(now) or (voted and poll.results_shown == "after_voting")

    def may_edit_challenge_answer(
        self, challenge: Challenge, author_id: int | None, now: datetime | None = None
    ) -> bool:
        """Authors change their answer until the deadline, while they may take part."""
        own = author_id is not None and author_id == self.actor.pk
        return own and challenge.is_open(now) and self.may_take_part(challenge.space)

    def may_remove_challenge_answer(
        self, challenge: Challenge, author_id: int | None, now: datetime | None = None
    ) -> bool:
        """Authors until the deadline; the space's moderators at any time."""
        return self.may_edit_challenge_answer(challenge, author_id, now) or self.may_moderate(
            challenge.space
        )

    # Animation: contests.
    def may_enter_contest(self, contest: Contest) -> bool:
        """Submit, edit or withdraw one's own entry in a published contest: a member who
        may take part in its space (the actions check the submission period)."""
        return contest.published_at is not None and self.may_take_part(contest.space)

    def may_vote_in_contest(self, contest: Contest) -> bool:
        """Vote in a community-vote contest: members who may take part and who joined
        before the contest started, so nobody is brought in just to vote."""
        started = contest.started_at
        return (
            not contest.is_jury
            and started is not None
            and self.may_take_part(contest.space)
            and self.joined_before(started)
        )

    def may_judge(self, contest: Contest) -> bool:
        """Score the entries of a jury contest: its jurors, while they take part here."""
        return (
            contest.is_jury
            and contest.published_at is not None
            and self.may_take_part(contest.space)
            and self.actor.pk in contest.juror_ids()
        )

    def sees_contest_entries(self, contest: Contest, now: datetime) -> bool:
        """Every entry: animators at any time, readers once voting opens (until then each
        entrant sees their own only)."""
        if self.may_animate(contest.space):
            return True
        return (
            contest.published_at is not None
            and self.reads(contest.space)
            and (now >= contest.voting_open_at or contest.results_announced_at is not None)
        )

    def may_see_contest_entry(self, entry: ContestEntry, now: datetime) -> bool:
        own = entry.author_id is not None and entry.author_id == self.actor.pk
        contest = entry.contest
        if own and contest.published_at is not None and self.reads(contest.space):
            return True
        return self.sees_contest_entries(contest, now)

    def sees_contest_authors(self, contest: Contest) -> bool:
        """Who wrote which entry: hidden until the results when the contest asks for it
        (votes and scores then go to entries, not to friends); animators always see."""
        if self.may_animate(contest.space):
            return True
        return not contest.hide_authors or contest.results_announced_at is not None

    def may_withdraw_contest_entry(self, entry: ContestEntry) -> bool:
        """Its author (the action checks that entries are still open), or an animator
        removing an entry that breaks the rules, until the results."""
        own = entry.author_id is not None and entry.author_id == self.actor.pk
        if own and self.may_enter_contest(entry.contest):
            return True
        return self.may_animate(entry.contest.space)

    # Animation: events.
    def may_see_guest_list(self, space: Space) -> bool:
        """Who is going to an event: seen by the members who read its space (visitors
        of a public community see how many, not who)."""
        return self.is_member and self.reads(space)

    # Animation: personas.
    def may_manage_personas(self) -> bool:
        """Create, edit and retire personas and choose who speaks as each."""
        return self.is_coordinator

    def may_speak_as(self, persona: Persona) -> bool:
        """Publish or reply as `persona`: an active persona of this community, for the
        coordinators and the members chosen as its speakers."""
        if persona.community_id != self.community.pk or not persona.is_active:
            return False
        if self.is_coordinator:
            return True
        return self.is_member and persona.speakers.filter(pk=self.actor.pk).exists()

    def may_read_persona_audit(self) -> bool:
        """Who really wrote each persona post: coordinators (and staff, to rescue)."""
        return self.is_coordinator or self.staff

    # Animation: ideas.
    def may_vote_for_idea(self, idea: Idea) -> bool:
        """Vote for an idea (or take the vote back): a member who may take part in its
        space, for someone else's idea, while it is still open (new or under discussion)."""
        own = idea.author_id is not None and idea.author_id == self.actor.pk
        return not own and idea.is_open and self.may_take_part(idea.space)

    def may_decide_idea(self, idea: Idea) -> bool:
        """Change an idea's status, with the reason: the animators of its space."""
        return self.may_animate(idea.space)

    # Animation: onboarding and badges.
    def sees_onboarding(self) -> bool:
        """The welcome page and checklist: the community's active members."""
        return self.is_member

    def sees_recognition(self) -> bool:
        """The community's badges, who holds them and its members of the month: those
        who read its open spaces (a members-only community keeps its members unknown)."""
        return self.reads_open_spaces()

    # Analytics and value (issue 9).
    @property
    def is_sponsor(self) -> bool:
        """Named a sponsor of the community by its coordinators (`value.Sponsor`):
        a sponsor reads the value summary, and nothing more for being one."""
        if self._sponsor is None:
            from cercle.value.models import Sponsor  # noqa: PLC0415 - value imports us

            self._sponsor = self.actor.is_authenticated and (
                Sponsor.objects.filter(community=self.community, person_id=self.actor.pk).exists()
            )
        return self._sponsor

    def may_see_cockpit(self) -> bool:
        """The animator's cockpit: every figure, the members it names (except those who
        asked not to be named), the next actions. Coordinators, and staff."""
        return self.is_coordinator or self.staff

    def may_act_on_next_actions(self) -> bool:
        """Mark a next action done or dismissed, ask experts: coordinators only (staff
        read the cockpit but do not animate a community they are not in)."""
        return self.is_coordinator

    def may_change_participation_rule(self) -> bool:
        return self.is_coordinator or self.staff

    def may_see_value_summary(self) -> bool:
        """The sponsors' summary: aggregate figures and value stories, no member named
        beyond the stories' own authors."""
        if self.may_see_cockpit():
            return True
        return self.sees_landing() and not self.is_banned and self.is_sponsor

    def may_manage_sponsors(self) -> bool:
        return self.is_coordinator or self.staff

    def may_record_value_story(self) -> bool:
        """Tell a value-creation story: the community's members."""
        return self.is_member

    def may_read_value_stories(self) -> bool:
        """The community's value stories: its members, and whoever sees the summary."""
        return self.is_member or self.may_see_value_summary()

    def may_edit_value_story(self, author_id: int | None) -> bool:
        own = author_id is not None and author_id == self.actor.pk and self.is_member
        return own or self.is_coordinator

    def may(self, action: Action, space: Space | None = None) -> bool:
        if action == "view":
            return self.sees_landing() if space is None else self.reads(space)
        if action == "join":
            if space is not None and space.is_private:
                return False
            return self.may_join()
        if action == "post":
            return self.may_post(space)
        if action == "moderate":
            return self.may_moderate(space)
        return self.may_manage(space)


def community_access(
    actor: Actor, community: Community, membership: Membership | Literal[False] | None = False
) -> CommunityAccess:
    """The access of `actor` to `community`; pass `membership` when already loaded."""
    if membership is False:
        membership = (
            Membership.objects.filter(person_id=actor.pk, community=community).first()
            if actor.is_authenticated
            else None
        )
    return CommunityAccess(
        actor=actor,
        community=community,
        membership=membership,
        internal=is_internal(actor) if community.audience == Audience.INTERNAL else False,
        staff=is_staff(actor),
    )


def community_accesses(people: Iterable[User], community: Community) -> dict[int, CommunityAccess]:
    """`community_access` for many people at once (notifying a whole community), in a
    fixed number of queries: memberships, internal addresses, listings in private spaces."""
    people = list(people)
    ids = [person.pk for person in people]
    memberships = {
        m.person_id: m for m in Membership.objects.filter(community=community, person_id__in=ids)
    }
    internal: set[int] = set()
    if community.audience == Audience.INTERNAL:
        domains = set(InternalEmailDomain.objects.values_list("domain", flat=True))
        for user_id, email in EmailAddress.objects.filter(
            user_id__in=ids, verified=True
        ).values_list("user_id", "email"):
            if email.rsplit("@", 1)[-1].lower() in domains:
                internal.add(user_id)
    listed: dict[int, set[int]] = {}
    for person_id, space_id in SpaceMember.objects.filter(
        person_id__in=ids, space__community=community
    ).values_list("person_id", "space_id"):
        listed.setdefault(person_id, set()).add(space_id)
    accesses: dict[int, CommunityAccess] = {}
    for person in people:
        if community.audience == Audience.INTERNAL and person.is_active:
            setattr(person, "_cercle_is_internal", person.pk in internal)  # noqa: B010
        access = CommunityAccess(
            actor=person,
            community=community,
            membership=memberships.get(person.pk),
            internal=person.is_active and person.pk in internal,
            staff=is_staff(person),
            _listed_space_ids=frozenset(listed.get(person.pk, ())),
        )
        accesses[person.pk] = access
    return accesses


def may(actor: Actor, action: Action, target: Community | Space) -> bool:
    """One question, for callers that hold a single object (the API, feeds)."""
    if isinstance(target, Space):
        return community_access(actor, target.community).may(action, target)
    return community_access(actor, target).may(action)


def visible_communities(actor: Actor) -> QuerySet[Community]:
    """Communities whose landing page `actor` may see."""
    communities = Community.objects.all()
    if is_staff(actor) or is_internal(actor):
        return communities
    return communities.filter(audience=Audience.EXTERNAL)


def readable_spaces(access: CommunityAccess) -> QuerySet[Space]:
    """The spaces of the community that `access` may read."""
    spaces = access.community.spaces.all()
    if not access.reads_open_spaces():
        return spaces.none()
    if access.is_coordinator:
        return spaces
    return spaces.filter(Q(is_private=False) | Q(pk__in=access.listed_space_ids()))


def readable_spaces_everywhere(actor: Actor) -> QuerySet[Space]:
    """Every space, in every community, that `actor` may read: the filter for
    search, feeds and anything else that lists content across communities."""
    meets_audience = Q(community__audience=Audience.EXTERNAL)
    if is_internal(actor):
        meets_audience = Q()
    open_to_all = Q(is_private=False, community__visibility="public") & meets_audience
    if not actor.is_authenticated:
        return Space.objects.filter(open_to_all)
    memberships = Membership.objects.filter(person_id=actor.pk)
    banned = memberships.filter(status=Status.BANNED).values("community_id")
    active = memberships.filter(status=Status.ACTIVE)
    member_of = active.values("community_id")
    coordinator_of = active.filter(role=Role.COORDINATOR).values("community_id")
    listed = SpaceMember.objects.filter(person_id=actor.pk).values("space_id")
    return Space.objects.filter(
        meets_audience
        & (
            (open_to_all & ~Q(community_id__in=banned))
            | Q(is_private=False, community_id__in=member_of)
            | Q(community_id__in=coordinator_of)
            | Q(pk__in=listed, community_id__in=member_of)
        )
    )
