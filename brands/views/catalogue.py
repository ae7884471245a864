"""The catalogue as people read it: the list of brands, a brand's page and a product's page.

Right holders see their own organization's brands; enforcement officers those shared with their
kind of agency and visible in their jurisdiction; platform admins all. Everything is fetched
through `restrict(user, "view")`: an object outside it answers 404. Edit controls are shown to
the owner's admins and editors only.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.shortcuts import render

from brands.recent import record_view
from core.gate import scoped
from core.permissions import allowed
from core.scope import scope_of
from core.views import country_names, language_names, paginate

from ..forms import BrandSearchForm, PictureForm, ProductFilterForm
from ..models import Brand, BrandCountry, Category, Contact, Product, SupplyChainEntry
from ..permissions import BRAND_CREATE
from .common import can_edit, transport_labels, visible_or_404


def _visibility_countries():
    return Prefetch("visibility_countries", queryset=BrandCountry.objects.order_by("country"))


def _describe_visibility(brand: Brand) -> list[str]:
    """The localized names of the countries a brand is limited to (empty: every country)."""
    if brand.visible_to_all:
        return []
    return sorted((row.country.name for row in brand.visibility_countries.all()), key=str.casefold)


def _describe_supply_chain(entries) -> list:
    for entry in entries:
        entry.origin_country_names = country_names(entry.origin_countries)
        entry.transport_labels = transport_labels(entry.transport_modes)
    return entries


def describe_contacts(user, contacts) -> list[Contact]:
    """Contacts with their countries and languages spelled out. For an enforcement officer, those
    who answer for the officer's jurisdiction (no countries listed: every country) come first."""
    contacts = list(contacts)
    scope = scope_of(user)
    jurisdiction = set(scope.jurisdiction) if scope.is_enforcement else set()
    for contact in contacts:
        contact.country_names = country_names(contact.countries)
        contact.language_names = language_names(contact.languages)
        covered = not contact.countries or not jurisdiction.isdisjoint(contact.countries)
        contact.covers_you = bool(jurisdiction) and covered
    if jurisdiction:
        contacts.sort(key=lambda contact: not contact.covers_you)  # stable: keeps the owner's order
    return contacts


@scoped
def catalogue(request):
    """Right holders: their organization's brands with product counts. Officers and platform
    admins: the brands they may see, with a search on names and other names."""
    user = request.user
    form = BrandSearchForm(request.GET or None)
    brands = (
        Brand.objects.restrict(user, "view")
        .select_related("owner")
        .prefetch_related(_visibility_countries(), "visibility_agencies")
        .annotate(product_count=Count("products"))
        .order_by("name", "id")
    )
    if form.is_bound:
        brands = form.filter(brands)
    page = paginate(request, brands)
    for brand in page:
        brand.country_names = _describe_visibility(brand)
    context = {
        "form": form,
        "page": page,
        "can_create": allowed(user, BRAND_CREATE),
        "show_owner": not user.is_right_holder,
    }
    return render(request, "brands/catalogue.html", context)


@scoped
def brand_detail(request, pk):
    user = request.user
    brand = visible_or_404(
        user,
        Brand.objects.select_related("owner").prefetch_related(
            _visibility_countries(),
            "visibility_agencies",
            "trademarks",
            Prefetch("supply_chain", queryset=SupplyChainEntry.objects.select_related("product")),
        ),
        pk,
    )
    form = ProductFilterForm(request.GET or None)
    products = (
        Product.objects.restrict(user, "view")
        .filter(brand=brand)
        .prefetch_related("gtin_set", "images")
        .order_by("name", "id")
    )
    if form.is_bound:
        products = form.filter(products)
    context = {
        "brand": brand,
        "can_edit": can_edit(user, Brand.objects, brand),
        "visibility_country_names": _describe_visibility(brand),
        "category_labels": _category_labels(brand.categories),
        "trademarks": brand.trademarks.all(),
        "contacts": describe_contacts(user, Contact.objects.restrict(user, "view").filter(brand=brand)),
        "supply_chain": _describe_supply_chain(brand.supply_chain.all()),
        "form": form,
        "page": paginate(request, products),
    }
    return render(request, "brands/brand_detail.html", context)


def _category_labels(values) -> list[str]:
    labels = dict(Category.choices)
    return [str(labels.get(value, value)) for value in values]


def product_page(request, product: Product, *, picture_form=None, status: int = 200):
    """The product page; also rendered, with the form's errors, when a picture upload fails."""
    user = request.user
    brand = product.brand
    editable = can_edit(user, Product.objects, product)
    supply_chain = (
        SupplyChainEntry.objects.restrict(user, "view")
        .filter(brand=brand)
        .filter(Q(product__isnull=True) | Q(product=product))
        .select_related("product")
    )
    context = {
        "product": product,
        "brand": brand,
        "can_edit": editable,
        "pictures": product.images.all(),
        "sold_in_names": sorted(country_names(product.sold_in), key=str.casefold),
        "supply_chain": _describe_supply_chain(list(supply_chain)),
        "contacts": describe_contacts(user, Contact.objects.restrict(user, "view").filter(brand=brand)),
        "picture_form": (picture_form or PictureForm()) if editable else None,
    }
    return render(request, "brands/product_detail.html", context, status=status)


def product_for_page(user, pk):
    return visible_or_404(
        user, Product.objects.select_related("brand", "brand__owner").prefetch_related("gtin_set", "images"), pk
    )


@scoped
def product_detail(request, pk):
    product = product_for_page(request.user, pk)
    record_view(request.user, product)  # for the officer's "recently viewed"
    return product_page(request, product)
