"""Each conversation document names its topic (`topic_id`), so that the search page
groups a topic's hits into one result; replies take their topic's current state.

The documents written before this migration get their topic: a topic's document its
own, a reply's document its post's. Replies indexed before an answer was accepted or
the topic retagged still said "unsolved" or the old tags: they take the state of their
topic's document, which was always reindexed.
"""

from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Replace


def stored_vector():
    """Migration 0003's vector, from the stored columns (frozen here)."""
    return reduce(
        add,
        [
            SearchVector(
                Replace(F(column), Value("<"), Value("<\x01"), output_field=models.TextField()),
                config=config,
                weight=weight,
            )
            for column, weight in (("title", "A"), ("tags", "B"), ("body", "C"))
            for config in ("cercle_fr", "cercle_en")
        ],
    )


def link_documents_to_topics(apps, schema_editor):
    document = apps.get_model("search", "SearchDocument")
    post = apps.get_model("conversations", "Post")
    documents = document.objects.using(schema_editor.connection.alias)
    documents.filter(kind="topic").update(topic_id=F("object_id"))
    documents.filter(kind="post").update(
        topic_id=Subquery(post.objects.filter(pk=OuterRef("object_id")).values("topic_id")[:1])
    )
    opening = document.objects.filter(kind="topic", topic_id=OuterRef("topic_id"))
    replies = documents.filter(kind="post").annotate(
        **{
            f"topic_{name}": Subquery(opening.values(name)[:1])
            for name in ("is_solved", "topic_kind", "tags")
        }
    )
    replies.filter(
        ~Q(is_solved=F("topic_is_solved")) | ~Q(topic_kind=F("topic_topic_kind"))
    ).update(
        is_solved=Subquery(opening.values("is_solved")[:1]),
        topic_kind=Subquery(opening.values("topic_kind")[:1]),
    )
    retagged = list(replies.exclude(tags=F("topic_tags")).values_list("pk", flat=True))
    for start in range(0, len(retagged), 500):
        chunk = documents.filter(pk__in=retagged[start : start + 500])
        chunk.update(tags=Subquery(opening.values("tags")[:1]))
        if schema_editor.connection.vendor == "postgresql":
            chunk.update(search_vector=stored_vector())


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0002_persona"),
        ("search", "0003_postgresql_full_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="topic_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["topic_id"], name="search_topic"),
        ),
        migrations.RunPython(link_documents_to_topics, migrations.RunPython.noop, elidable=True),
    ]
