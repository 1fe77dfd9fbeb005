from django.apps import AppConfig


class CercleConfig(AppConfig):
    """The project package is an app too: it owns the shell's templates, static
    files, translations and the operator's management commands."""

    name = "cercle"
    verbose_name = "Cercle"

    def ready(self) -> None:
        from cercle import checks  # noqa: F401, PLC0415 - registers the system checks
