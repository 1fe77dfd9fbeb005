# A member's presence in a community on a UTC day, one row at most: the unique key
# that writes the day's visit event once whatever the number of web workers. The
# visits already logged fill it, so that a member who came earlier today is not
# counted twice on the day this migration runs.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def presences_of_the_visits_logged(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        day = "(created_at AT TIME ZONE 'UTC')::date"
    else:
        day = "date(created_at)"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO activity_presence (person_id, community_id, day) "
            f"SELECT DISTINCT actor_id, community_id, {day} FROM analytics_activityevent "
            "WHERE verb = 'community.visited' AND actor_id IS NOT NULL "
            "AND community_id IS NOT NULL"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0001_initial"),
        ("communities", "0002_community_clock"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Presence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("community", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="communities.community")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "presence",
                "verbose_name_plural": "presences",
                "constraints": [models.UniqueConstraint(fields=("community", "person", "day"), name="one_presence_a_day")],
            },
        ),
        migrations.RunPython(presences_of_the_visits_logged, migrations.RunPython.noop),
    ]
