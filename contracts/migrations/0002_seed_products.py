"""Seed the vendor's products (docs/spec.md "Products, versions, what is supported"): EMQX Enterprise
and EMQX Platform are commercially supported, EMQX Broker gets community support only. Support
managers edit products and version dates in the admin afterwards."""

from datetime import date

from django.db import migrations

DOCS = "https://docs.emqx.com/"
KNOWLEDGE_BASE = "https://docs.emqx.com/en/emqx/latest/faq/faq.html"
FORUM = "https://github.com/emqx/emqx/discussions"

PRODUCTS = [
    # code, name, commercially supported, versions: (name, released, end of maintenance, end of support)
    (
        "emqx-enterprise",
        "EMQX Enterprise",
        True,
        [
            ("5.9", date(2025, 4, 30), date(2027, 6, 30), date(2028, 6, 30)),
            ("5.8", date(2024, 8, 30), date(2026, 12, 31), date(2027, 12, 31)),
            # Past end of maintenance, still supported: tickets open without a fix target.
            ("5.7", date(2024, 5, 30), date(2026, 6, 30), date(2027, 6, 30)),
            # Past end of support: tickets are refused.
            ("4.4", date(2021, 12, 21), date(2024, 12, 31), date(2025, 12, 31)),
        ],
    ),
    (
        "emqx-platform",
        "EMQX Platform",
        True,
        [
            ("5.9", date(2025, 4, 30), date(2027, 6, 30), date(2028, 6, 30)),
            ("5.8", date(2024, 8, 30), date(2026, 12, 31), date(2027, 12, 31)),
            ("5.6", date(2024, 3, 28), date(2026, 3, 31), date(2027, 3, 31)),
        ],
    ),
    (
        "emqx-broker",
        "EMQX Broker",
        False,
        [
            ("5.8", date(2024, 8, 30), date(2026, 12, 31), date(2027, 12, 31)),
            ("5.9", date(2025, 4, 30), date(2027, 6, 30), date(2028, 6, 30)),
        ],
    ),
]


def seed(apps, schema_editor):
    Product = apps.get_model("contracts", "Product")
    ProductVersion = apps.get_model("contracts", "ProductVersion")
    for code, name, supported, versions in PRODUCTS:
        product, _created = Product.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "commercially_supported": supported,
                "docs_url": DOCS,
                "knowledge_base_url": KNOWLEDGE_BASE,
                "forum_url": FORUM,
            },
        )
        for version, released, eom, eos in versions:
            ProductVersion.objects.get_or_create(
                product=product,
                name=version,
                defaults={
                    "released_on": released,
                    "end_of_maintenance": eom,
                    "end_of_support": eos,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
