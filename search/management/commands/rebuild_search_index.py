from django.core.management.base import BaseCommand

from search import index


class Command(BaseCommand):
    help = "Index every brand, trade mark, product and guide again (search/index.py)."

    def handle(self, *args, **options):
        counts = index.rebuild()
        summary = ", ".join(f"{counts.get(kind, 0)} {kind}s" for kind in ("brand", "trademark", "product", "guide"))
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {summary}."))
