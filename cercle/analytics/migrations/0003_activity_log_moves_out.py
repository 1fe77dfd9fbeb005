# The activity log moved to its own low app, `cercle.activity`. Only Django's idea of
# which app owns the model changes: the table `analytics_activityevent`, its rows and
# its indexes stay exactly as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_count_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ActivityEvent")],
            database_operations=[],
        ),
    ]
