from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("巡察档案")

    def ready(self) -> None:
        # At 归档 the round's package is queued; the rounds app calls its
        # hooks without importing this one.
        from archive.services import archive_on_advance
        from rounds.services.lifecycle import register_after_advance

        register_after_advance(archive_on_advance)

        # The sweep finishes or fails packages whose worker died.
        from archive.jobs import register

        register()
