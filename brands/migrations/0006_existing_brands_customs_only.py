# Brands that existed before police, market surveillance, anti-fraud and international bodies
# could join stay shared with customs only: sharing is never widened without the owner's act
# (DESIGN.md, "Confidentiality rules"). Each owner of such brands is recorded to be told once
# that it may widen it; migrations emit no events, so brands.tasks.tell_widen_possible (beat, or
# the command of the same name) sends the `sharing.widen_possible` notifications.

from django.db import migrations

BATCH = 2000


def keep_customs_only(apps, schema_editor):
    Brand = apps.get_model("brands", "Brand")
    BrandAgency = apps.get_model("brands", "BrandAgency")
    SharingNotice = apps.get_model("brands", "SharingNotice")
    brands = Brand.objects.filter(visibility_agencies__isnull=True).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        ids = list(brands.filter(pk__gt=last)[:BATCH])
        if not ids:
            break
        BrandAgency.objects.bulk_create([BrandAgency(brand_id=pk, kind="customs") for pk in ids], ignore_conflicts=True)
        last = ids[-1]
    owners = Brand.objects.order_by().values_list("owner_id", flat=True).distinct()
    SharingNotice.objects.bulk_create(
        [SharingNotice(organization_id=owner) for owner in owners], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("brands", "0005_brand_agencies"),
    ]

    operations = [
        migrations.RunPython(keep_customs_only, migrations.RunPython.noop, elidable=True),
    ]
