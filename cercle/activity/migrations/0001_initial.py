# The activity log, taken over from `analytics` (its migration 0003 lets go of it):
# state only, the table `analytics_activityevent` already exists with its indexes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("analytics", "0003_activity_log_moves_out"),
        ("communities", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ActivityEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("verb", models.CharField(max_length=60)),
                        ("object_type", models.CharField(blank=True, max_length=60)),
                        ("object_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("level", models.PositiveSmallIntegerField(blank=True, choices=[(1, "Reacting"), (2, "Taking part"), (3, "Creating")], null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="activity_events", to=settings.AUTH_USER_MODEL)),
                        ("community", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="activity_events", to="communities.community")),
                        ("space", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="communities.space")),
                    ],
                    options={
                        "verbose_name": "activity event",
                        "verbose_name_plural": "activity events",
                        "db_table": "analytics_activityevent",
                        "indexes": [
                            models.Index(fields=["community", "created_at"], name="activity_community_time"),
                            models.Index(fields=["actor", "created_at"], name="activity_actor_time"),
                            models.Index(fields=["verb", "created_at"], name="activity_verb_time"),
                        ],
                    },
                ),
            ],
        ),
    ]
