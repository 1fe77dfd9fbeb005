# The activity log speaks one vocabulary (cercle/activity/verbs.py). Two kinds of
# events written before it change their verb:
#
# - a message written as a persona recorded `persona.post` (level 3) in place of the
#   verb of any post; it now records what any post records (`topic.started.<kind>`
#   on its topic, `answer.posted` or `reply.posted`, at their levels), so that it counts
#   the same in the count tables as in `cercle analytics figures`. The count tables'
#   watermark goes back to just before the first of them: the next `cercle analytics
#   fill` counts their communities again from their day.
# - a built-in badge earned recorded `badge.awarded.<key>`: it is `badge.earned` (which
#   badge: the award the event points to).

from django.db import migrations

POST_TYPE = "conversations.post"
TOPIC_TYPE = "conversations.topic"


def persona_posts_record_the_verbs_of_posts(apps, schema_editor):
    Event = apps.get_model("activity", "ActivityEvent")
    Post = apps.get_model("conversations", "Post")
    FillState = apps.get_model("analytics", "FillState")
    events = list(Event.objects.filter(verb="persona.post").order_by("pk"))
    for offset in range(0, len(events), 1000):
        chunk = events[offset : offset + 1000]
        posts = Post.objects.select_related("topic").in_bulk(
            [event.object_id for event in chunk if event.object_type == POST_TYPE]
        )
        for event in chunk:
            post = posts.get(event.object_id) if event.object_type == POST_TYPE else None
            if post is not None and post.position == 0:
                event.verb = f"topic.started.{post.topic.kind}"
                event.object_type, event.object_id, event.level = TOPIC_TYPE, post.topic_id, 3
            elif post is not None and post.topic.kind == "question":
                event.verb, event.level = "answer.posted", 1
            else:
                # A reply (or a post gone since, which can no longer say what it was).
                event.verb, event.level = "reply.posted", 1
        Event.objects.bulk_update(chunk, ["verb", "object_type", "object_id", "level"])
    if events:
        before_first = events[0].pk - 1
        FillState.objects.filter(name="counts", last_event_id__gt=before_first).update(
            last_event_id=before_first
        )


def earned_badges_record_one_verb(apps, schema_editor):
    Event = apps.get_model("activity", "ActivityEvent")
    Event.objects.filter(verb__startswith="badge.awarded.").update(verb="badge.earned")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_activity_log_moves_out"),
        ("activity", "0001_initial"),
        ("conversations", "0002_persona"),
    ]

    operations = [
        migrations.RunPython(persona_posts_record_the_verbs_of_posts, migrations.RunPython.noop),
        migrations.RunPython(earned_badges_record_one_verb, migrations.RunPython.noop),
    ]
