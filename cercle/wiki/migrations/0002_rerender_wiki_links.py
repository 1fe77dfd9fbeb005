"""Articles stored before wiki links were resolved at display time held links looked
up when they were saved (whatever space the target lived in); render them again so
they hold link markers, which each page resolves for its reader."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

BATCH = 200


def rerender(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The rendering is a pure function of the Markdown, so today's code is the right one.
    from cercle.wiki.rendering import render_article

    article_model = apps.get_model("wiki", "Article")
    batch = []
    for article in article_model.objects.only("pk", "body").iterator(chunk_size=BATCH):
        rendered = render_article(article.body)
        article.body_html, article.toc_html = rendered.html, rendered.toc_html
        batch.append(article)
        if len(batch) >= BATCH:
            article_model.objects.bulk_update(batch, ["body_html", "toc_html"])
            batch = []
    if batch:
        article_model.objects.bulk_update(batch, ["body_html", "toc_html"])


class Migration(migrations.Migration):
    dependencies = [("wiki", "0001_initial")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop)]
