from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cercle.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cercle.communities import hooks as community_hooks
        from cercle.conversations import hooks as conversation_hooks
        from cercle.notifications import actions

        # The apps below tell what happened; this one tells the people concerned.
        community_hooks.request_decided.register(actions.notify_membership_decision)
        community_hooks.invited.register(actions.notify_invitation)
        conversation_hooks.topic_started.register(actions.notify_topic_started)
        conversation_hooks.replied.register(actions.notify_reply)
        conversation_hooks.post_edited.register(actions.notify_new_mentions)
        conversation_hooks.answer_accepted.register(actions.notify_answer_accepted)
