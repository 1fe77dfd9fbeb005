"""What the export holds, relation by relation: every foreign key (or many-to-many)
that points to a person is named here, either exported into a section of data.json
or excluded with the reason why. A test fails when a new model points to the person
and is in neither list (tests/test_privacy.py), so that nobody adds personal data
the export forgets.

Rules (docs/privacy.md): the export holds the person's own rows. Another person is
never named there ("another member"), except the display name of someone they follow
and can still see; others' words never appear; the title of a conversation appears
only if the person may still read it (else a placeholder).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Exported:
    """The rows whose `field` is the person go into data.json's `section`.

    `fields`: only these (None: every concrete field but `drop`, the rendered `*_html`
    copies and the search vector)."""

    section: str
    fields: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Excluded:
    reason: str


Cover = Exported | Excluded

# "app_label.Model.field" -> what the export does with it.
COVERAGE: dict[str, Cover] = {
    # --- The account (data.json's "account" comes from the User row itself) ---
    "account.EmailAddress.user": Exported("email_addresses"),
    "socialaccount.SocialAccount.user": Exported("identity_provider_accounts"),
    "mfa.Authenticator.user": Exported(
        "sign_in_factors", fields=("id", "type", "created_at", "last_used_at")
    ),
    "usersessions.UserSession.user": Exported(
        "sessions", fields=("id", "created_at", "last_seen_at", "ip", "user_agent")
    ),
    "accounts.User_groups.user": Excluded("Django's admin groups: listed in the account section."),
    "accounts.User_user_permissions.user": Excluded(
        "Django's admin permissions: listed in the account section."
    ),
    "admin.LogEntry.user": Exported(
        "admin_site_actions", fields=("id", "action_time", "content_type", "action_flag")
    ),
    "cercle.SubmissionClaim.person": Excluded(
        "A form's one-time token, kept a day against double submission: no content."
    ),
    "importers.ImportedUser.user": Exported("imported_from"),
    "audit.SecurityEvent.subject": Exported("security_log", drop=("subject_label",)),
    "audit.SecurityEvent.actor": Excluded(
        "What the person did as staff about other people belongs to those people's "
        "records; the rows about the person are exported (subject)."
    ),
    "privacy.DataExport.person": Exported("data_exports", drop=("file",)),
    "privacy.DataExport.requested_by": Excluded(
        "Exports a staff member prepared for other people are those people's data."
    ),
    # --- Profile and people ---
    "people.Profile.person": Exported("profile"),
    "people.Expertise.person": Exported("expertise"),
    "people.Follow.follower": Exported("follows"),
    "people.Follow.person": Excluded(
        "Who follows the person is each follower's own choice and data."
    ),
    # --- Communities ---
    "communities.Membership.person": Exported("memberships"),
    "communities.Membership.decided_by": Excluded(
        "A coordinator's decisions on other people's requests hold those people's words."
    ),
    "communities.SpaceMember.person": Exported("private_spaces"),
    "communities.SpaceMember.added_by": Excluded(
        "Who a coordinator added to a space is those people's data."
    ),
    "communities.Space.members": Excluded(
        "The many-to-many side of SpaceMember, exported as private_spaces."
    ),
    "communities.Community.created_by": Exported("communities_created"),
    # --- Single sign-on and provisioning ---
    "sso.MappingRule.created_by": Excluded(
        "An instance setting a staff member wrote (who made a rule is in the security log)."
    ),
    "scim.ScimToken.created_by": Excluded(
        "An instance setting a staff member made; its secret is never exported."
    ),
    "webhooks.Endpoint.owner": Excluded(
        "A webhook endpoint registered for a community or the instance: a setting of theirs "
        "whose secret must never leave Cercle; what it sent is the community's news."
    ),
    "scim.ScimIdentity.person": Exported(
        "directory_identity", fields=("id", "user_name", "external_id", "created_at")
    ),
    "scim.ScimGroup.members": Exported("directory_groups", fields=("id", "display_name")),
    "scim.ScimGroup_members.user": Excluded(
        "The many-to-many rows behind ScimGroup.members, exported as directory_groups."
    ),
    # --- API and OAuth applications ---
    "api.PersonalToken.person": Exported(
        "api_tokens",
        fields=(
            "id",
            "name",
            "hint",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ),
    ),
    "oauth2_provider.AccessToken.user": Exported(
        # `updated` is the token's last use (cercle/oauth/bearer.py); never the token itself.
        "oauth_authorizations",
        fields=("id", "application", "scope", "expires", "created", "updated"),
    ),
    "oauth2_provider.Application.user": Excluded(
        "An application a staff member registered for the instance: an instance setting."
    ),
    "oauth2_provider.Grant.user": Excluded(
        "A one-time authorization code, valid for minutes: no content of the person's."
    ),
    "oauth2_provider.RefreshToken.user": Excluded(
        "The secret renewing an access token; the authorizations are exported."
    ),
    "oauth2_provider.IDToken.user": Excluded(
        "OpenID Connect is not enabled on Cercle's OAuth server: no such rows."
    ),
    "oauth2_provider.DeviceGrant.user": Excluded(
        "The device flow is not enabled on Cercle's OAuth server: no such rows."
    ),
    # --- Mail in and out (docs/mail.md) ---
    "mail.Bounce.person": Exported(
        "mail_bounces",
        fields=(
            "id",
            "address",
            "kind",
            "status",
            "diagnostic",
            "count",
            "first_at",
            "last_at",
            "stopped",
        ),
    ),
    "mailin.ReceivedMail.person": Exported(
        # The outcome, not the message: the raw message may quote others' words.
        "mail_received",
        fields=("id", "received_at", "recipient", "subject", "outcome", "topic", "post"),
    ),
    "mailin.SpaceMailbox.updated_by": Excluded(
        "A community's setting (a space takes new topics by email) a coordinator changed."
    ),
    # --- Chat bridges ---
    "bridges.Bridge.created_by": Exported(
        "chat_bridges", fields=("id", "community", "kind", "name", "created_at")
    ),
    "communities.Invitation.invited_by": Exported("invitations_sent", drop=("token",)),
    "communities.Invitation.accepted_by": Exported("invitations_accepted", drop=("token",)),
    # --- Conversations ---
    "conversations.Topic.author": Exported("topics"),
    "conversations.Topic.last_poster": Excluded(
        "A pointer to the latest reply, kept for lists; the posts themselves are exported."
    ),
    "conversations.Post.author": Exported("posts"),
    "conversations.Post.deleted_by": Excluded(
        "A moderator's deletion of someone else's post; the moderation log is exported."
    ),
    "conversations.PostRevision.editor": Exported("post_revisions"),
    "conversations.Attachment.uploader": Exported("uploads", drop=("text",)),
    "conversations.Reaction.person": Exported("reactions"),
    "conversations.Mention.person": Exported("mentions"),
    "conversations.ReadState.person": Exported("read_states"),
    "conversations.SpaceVisit.person": Exported("space_visits"),
    "conversations.Flag.reporter": Exported("flags_raised"),
    "conversations.Flag.resolved_by": Excluded(
        "Resolving other people's flags is moderation work; the moderation log is exported."
    ),
    "conversations.ModerationEntry.moderator": Exported("moderation_log"),
    "conversations.Draft.person": Exported("drafts"),
    "search.SearchDocument.author": Excluded(
        "A copy of posts, articles and ideas made for search; the originals are exported."
    ),
    # --- Notifications ---
    "notifications.Notification.recipient": Exported("notifications"),
    "notifications.Notification.actor": Excluded(
        "Notifications other people received about what the person did are theirs."
    ),
    "notifications.EmailPreference.person": Exported("email_preferences"),
    "notifications.DigestLog.person": Exported("digests_sent"),
    # --- Knowledge and wiki ---
    "knowledge.Collection.created_by": Exported("knowledge_collections"),
    "knowledge.Resource.added_by": Exported("knowledge_resources", drop=("text",)),
    "knowledge.ResourceComment.author": Exported("knowledge_comments"),
    "knowledge.ResourceReaction.person": Exported("knowledge_reactions"),
    "wiki.Article.created_by": Exported("wiki_articles_created"),
    "wiki.ArticleRevision.editor": Exported("wiki_revisions"),
    # --- Animation, activities, contests, events ---
    "animation.PlannedPost.created_by": Exported("planned_posts"),
    "activities.Poll.created_by": Exported("polls_created"),
    "activities.Ballot.voter": Exported("poll_votes"),
    "activities.Quiz.created_by": Exported("quizzes_created"),
    "activities.Attempt.person": Exported("quiz_attempts"),
    "activities.Challenge.created_by": Exported("challenges_created"),
    "activities.ChallengeAnswer.author": Exported("challenge_answers"),
    "contests.Contest.created_by": Exported("contests_created"),
    "contests.Contest.jurors": Exported("contests_judged", fields=("id", "community", "space")),
    "contests.Contest_jurors.user": Excluded(
        "The join table of Contest.jurors, exported as contests_judged."
    ),
    "contests.Entry.author": Exported("contest_entries"),
    "contests.Ballot.voter": Exported("contest_ballots"),
    "contests.Vote.voter": Exported("contest_votes"),
    "contests.Score.juror": Exported("contest_scores"),
    "events.Ritual.created_by": Exported("rituals_created"),
    "events.Event.created_by": Exported("events_created"),
    "events.RSVP.person": Exported("rsvps"),
    "events.RSVP.attendance_marked_by": Excluded(
        "Marking other people's attendance is their data; the person's own RSVPs are exported."
    ),
    "events.FeedKey.person": Exported("calendar_feed", drop=("key",)),
    # The secret itself never leaves: the export says when the addresses were made.
    "feeds.FeedKey.person": Exported("news_feed", drop=("key",)),
    # --- Personas, ideas, onboarding, badges, value ---
    "personas.Persona.created_by": Exported("personas_created"),
    "personas.Persona.speakers": Exported(
        "personas_spoken_as", fields=("id", "community", "name", "slug")
    ),
    "personas.Persona_speakers.user": Excluded(
        "The join table of Persona.speakers, exported as personas_spoken_as."
    ),
    "ideas.Idea.author": Exported("ideas"),
    "ideas.IdeaVote.person": Exported("idea_votes"),
    "ideas.IdeaDecision.decided_by": Exported("idea_decisions"),
    "onboarding.OnboardingSettings.updated_by": Exported("onboarding_settings_edited"),
    "onboarding.WelcomeSent.person": Exported("welcomes_sent_to_me"),
    "onboarding.Welcome.welcomer": Exported("welcomes_given"),
    "onboarding.Welcome.newcomer": Exported("welcomes_received"),
    "badges.CustomBadge.created_by": Exported("badges_created"),
    "badges.BadgeAward.person": Exported("badges"),
    "badges.BadgeAward.awarded_by": Exported("badges_awarded"),
    "badges.MemberOfTheMonth.person": Exported("member_of_the_month"),
    "badges.MemberOfTheMonth.chosen_by": Exported("members_of_the_month_chosen"),
    "value.Sponsor.person": Exported("sponsorships"),
    "value.Sponsor.added_by": Exported("sponsors_added"),
    "value.ValueStory.author": Exported("value_stories"),
    "nextactions.Decision.decided_by": Exported("next_action_decisions"),
    # --- The activity log and the figures drawn from it ---
    "activity.ActivityEvent.actor": Exported("activity"),
    "activity.Presence.person": Exported("presence"),
    "analytics.MemberDay.person": Exported("figures_by_day"),
    "analytics.MemberMonth.person": Exported("figures_by_month"),
    "analytics.MemberLevel.person": Exported("participation_levels"),
    "analytics.QuestionLife.asker": Exported("questions_asked"),
    "analytics.ParticipationRule.updated_by": Exported("participation_rules_edited"),
}


# Each section of data.json, in the order the readable page shows them, with its title.
SECTION_TITLES: dict[str, StrOrPromise] = {
    "email_addresses": _("Email addresses"),
    "identity_provider_accounts": _("Identity provider accounts"),
    "sign_in_factors": _("Sign-in factors"),
    "sessions": _("Sessions"),
    "oauth_authorizations": _("Applications you authorized"),
    "api_tokens": _("API tokens"),
    "mail_bounces": _("Addresses that bounced"),
    "mail_received": _("Messages you sent by email"),
    "admin_site_actions": _("Actions in the admin site"),
    "imported_from": _("Imported from"),
    "security_log": _("Security log"),
    "data_exports": _("Data exports"),
    "profile": _("Profile"),
    "expertise": _("Expertise"),
    "follows": _("What you follow"),
    "memberships": _("Memberships"),
    "private_spaces": _("Private spaces"),
    "communities_created": _("Communities created"),
    "directory_identity": _("Your identity in the organisation's directory"),
    "chat_bridges": _("Chat bridges you connected"),
    "directory_groups": _("Your groups in the organisation's directory"),
    "invitations_sent": _("Invitations sent"),
    "invitations_accepted": _("Invitations accepted"),
    "topics": _("Topics"),
    "posts": _("Posts"),
    "post_revisions": _("Post revisions"),
    "uploads": _("Files uploaded"),
    "reactions": _("Reactions"),
    "mentions": _("Mentions of you"),
    "read_states": _("Topics read"),
    "space_visits": _("Space visits"),
    "flags_raised": _("Flags raised"),
    "moderation_log": _("Moderation log"),
    "drafts": _("Drafts"),
    "notifications": _("Notifications"),
    "email_preferences": _("Email preferences"),
    "digests_sent": _("Digests sent"),
    "knowledge_collections": _("Knowledge collections"),
    "knowledge_resources": _("Knowledge resources"),
    "knowledge_comments": _("Comments on resources"),
    "knowledge_reactions": _("Reactions to resources"),
    "wiki_articles_created": _("Wiki pages created"),
    "wiki_revisions": _("Wiki revisions"),
    "planned_posts": _("Planned posts"),
    "polls_created": _("Polls created"),
    "poll_votes": _("Poll votes"),
    "quizzes_created": _("Quizzes created"),
    "quiz_attempts": _("Quiz attempts"),
    "challenges_created": _("Challenges created"),
    "challenge_answers": _("Challenge answers"),
    "contests_created": _("Contests created"),
    "contests_judged": _("Contests judged"),
    "contest_entries": _("Contest entries"),
    "contest_ballots": _("Contest ballots"),
    "contest_votes": _("Contest votes"),
    "contest_scores": _("Contest scores"),
    "rituals_created": _("Rituals created"),
    "events_created": _("Events created"),
    "rsvps": _("Event replies"),
    "calendar_feed": _("Calendar feed"),
    "news_feed": _("Secret feed addresses"),
    "personas_created": _("Personas created"),
    "personas_spoken_as": _("Personas you speak as"),
    "ideas": _("Ideas"),
    "idea_votes": _("Idea votes"),
    "idea_decisions": _("Decisions on ideas"),
    "onboarding_settings_edited": _("Welcome settings edited"),
    "welcomes_sent_to_me": _("Welcome messages received"),
    "welcomes_given": _("Welcomes given"),
    "welcomes_received": _("Welcomes received"),
    "badges_created": _("Badges created"),
    "badges": _("Badges"),
    "badges_awarded": _("Badges awarded"),
    "member_of_the_month": _("Member of the month"),
    "members_of_the_month_chosen": _("Members of the month chosen"),
    "sponsorships": _("Sponsorships"),
    "sponsors_added": _("Sponsors named"),
    "value_stories": _("Value stories"),
    "next_action_decisions": _("Next-action decisions"),
    "activity": _("Activity"),
    "presence": _("Presence"),
    "figures_by_day": _("Figures by day"),
    "figures_by_month": _("Figures by month"),
    "participation_levels": _("Participation levels"),
    "questions_asked": _("Questions asked"),
    "participation_rules_edited": _("Participation rules edited"),
}
