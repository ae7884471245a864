from django.core.management.base import BaseCommand

from brands.services import sharing_notices_send


class Command(BaseCommand):
    help = (
        "Tell the admins of each right holder whose brands were kept customs-only that they may share them "
        "with other agencies (sharing.widen_possible), once; the beat does it too (brands.tasks)."
    )

    def handle(self, *args, **options):
        total = 0
        while sent := sharing_notices_send():
            total += sent
        self.stdout.write(self.style.SUCCESS(f"{total} right holders told."))
