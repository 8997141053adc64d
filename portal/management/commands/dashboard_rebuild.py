import time

from django.core.management.base import BaseCommand

from portal.dashboard.cache import bump_generation
from portal.dashboard.summary import rebuild, vacuum_notes_if_bloated


class Command(BaseCommand):
    help = (
        "Count every summary row of the leadership dashboard again from the records "
        "(after loading data with bulk inserts or SQL; the nightly beat does the same)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        segments = rebuild()
        bump_generation()
        vacuum_notes_if_bloated()
        self.stdout.write(f"{segments} summary rows in {time.perf_counter() - started:.1f} s")
