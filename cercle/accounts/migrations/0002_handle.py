from django.db import migrations, models
from django.utils.text import slugify


def give_handles(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    for user in User.objects.order_by("pk"):
        base = (
            slugify(user.display_name or user.email.split("@")[0]).replace("_", "-")[:34].strip("-")
            or "member"
        )
        handle, number = base, 1
        while handle in taken:
            number += 1
            handle = f"{base}-{number}"
        taken.add(handle)
        user.handle = handle
        user.save(update_fields=["handle"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            field=models.SlugField(max_length=40, null=True, db_index=False),
        ),
        migrations.RunPython(give_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="handle",
            field=models.SlugField(
                help_text="How others mention you, as @handle.",
                max_length=40,
                unique=True,
                verbose_name="handle",
            ),
        ),
    ]
