from typing import Any

from django.core.management.base import BaseCommand

from ecwhub.directory.search.index import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the directory search index from the directory's services."

    def handle(self, *args: Any, **options: Any) -> None:
        written = search_index_rebuild()
        self.stdout.write(f"Search index rebuilt: {written} services.")
