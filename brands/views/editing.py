"""The catalogue's forms: brands, products, pictures, trade marks, contacts and supply chain.

Every write goes through brands.services, which check again that the person may edit. Here an
object the person cannot see answers 404, one they can see but not edit 403 (a viewer, an
officer, a platform admin), and bad input re-renders the form with the service's messages on the
fields (status 400), never a 500. Deleting asks for confirmation on its own page first.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.gate import scoped
from core.permissions import require
from uploads.images import CleanImage

from .. import services
from ..forms import (
    BRAND_ITEM_FORMS,
    BrandForm,
    PictureEditForm,
    PictureForm,
    ProductForm,
)
from ..models import Brand, Contact, Product, ProductImage, SupplyChainEntry, TrademarkRegistration
from ..permissions import BRAND_CREATE
from .catalogue import product_for_page, product_page
from .common import editable_or_refuse, posted

BRAND_ITEM_MODELS = {
    "trademarks": TrademarkRegistration,
    "contacts": Contact,
    "supply-chain": SupplyChainEntry,
}

BRAND_ITEM_TEXT = {
    "trademarks": {
        "new": gettext_lazy("New trade mark registration"),
        "edit": gettext_lazy("Edit the trade mark registration"),
        "delete": gettext_lazy("Delete the trade mark registration %(name)s?"),
        "created": gettext_lazy("The trade mark registration %(name)s is added."),
        "saved": gettext_lazy("The trade mark registration %(name)s is saved."),
        "deleted": gettext_lazy("The trade mark registration %(name)s is deleted."),
        "anchor": "trademarks",
    },
    "contacts": {
        "new": gettext_lazy("New contact"),
        "edit": gettext_lazy("Edit the contact"),
        "delete": gettext_lazy("Delete the contact %(name)s?"),
        "created": gettext_lazy("The contact %(name)s is added."),
        "saved": gettext_lazy("The contact %(name)s is saved."),
        "deleted": gettext_lazy("The contact %(name)s is deleted."),
        "anchor": "contacts",
    },
    "supply-chain": {
        "new": gettext_lazy("New supply chain entry"),
        "edit": gettext_lazy("Edit the supply chain entry"),
        "delete": gettext_lazy("Delete the supply chain entry %(name)s?"),
        "created": gettext_lazy("The supply chain entry %(name)s is added."),
        "saved": gettext_lazy("The supply chain entry %(name)s is saved."),
        "deleted": gettext_lazy("The supply chain entry %(name)s is deleted."),
        "anchor": "supply-chain",
    },
}


def _attempt(form, call):
    """Run `call(data)` with the form's data; on a ValidationError, put the messages on the form
    and answer None. (No transaction here: a refused GTIN claim is audit-logged by the service
    and that record must survive the refusal.)"""
    try:
        return call(form.service_data())
    except ValidationError as error:
        form.add_service_errors(error)
        return None


def _form_page(request, form, context: dict):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "brands/form.html", {"form": form, **context}, status=status)


def _save_or_show(request, form, save, *, done: str, then, context: dict):
    """A create or edit page: on a valid POST, `save(data)` (refused input: its messages go on
    the form), then the message `done` (`%(name)s`: the saved object) and a redirect to
    `then(saved)`; otherwise the form (400 with its errors)."""
    if request.method == "POST" and form.is_valid():
        saved = _attempt(form, save)
        if saved is not None:
            messages.success(request, done % {"name": str(saved)})
            return redirect(then(saved))
    return _form_page(request, form, context)


def _confirm_page(request, *, title: str, details: str, back: str):
    return render(
        request,
        "brands/confirm_delete.html",
        {"title": title, "details": details, "back": back},
    )


def _brand_url(brand_id: int, anchor: str = "") -> str:
    url = reverse("brands:brand_detail", args=[brand_id])
    return f"{url}#{anchor}" if anchor else url


def _product_url(product: Product) -> str:
    return reverse("brands:product_detail", args=[product.pk])


# --------------------------------------------------------------------------- brands


@transaction.atomic
def _save_brand(actor, brand: Brand | None, data: dict, logo) -> Brand:
    """Create or update the brand, and store the new logo in the same transaction."""
    if brand is None:
        brand = services.brand_create(actor=actor, data=data)
    else:
        brand = services.brand_update(actor=actor, brand=brand, data=data)
    if isinstance(logo, CleanImage):
        brand = services.brand_set_logo(actor=actor, brand=brand, image=logo)
    return brand


def _brand_form(request, form, brand: Brand | None, *, done: str, context: dict):
    return _save_or_show(
        request,
        form,
        lambda data: _save_brand(request.user, brand, data, form.cleaned_data.get("logo")),
        done=done,
        then=lambda saved: _brand_url(saved.pk),
        context={"multipart": True, **context},
    )


@scoped
def brand_create(request):
    require(request.user, BRAND_CREATE)
    return _brand_form(
        request,
        BrandForm(*posted(request)),
        None,
        done=_("The brand %(name)s is created."),
        context={"title": _("New brand"), "back": reverse("brands:catalogue")},
    )


@scoped
def brand_edit(request, pk):
    brand = editable_or_refuse(
        request.user, Brand.objects.prefetch_related("visibility_countries", "visibility_agencies"), pk
    )
    return _brand_form(
        request,
        BrandForm(*posted(request), brand=brand),
        brand,
        done=_("The brand %(name)s is saved."),
        context={"title": _("Edit %(name)s") % {"name": brand.name}, "back": _brand_url(brand.pk), "brand": brand},
    )


@scoped
def brand_delete(request, pk):
    brand = editable_or_refuse(request.user, Brand.objects, pk)
    if request.method == "POST":
        services.brand_delete(actor=request.user, brand=brand)
        messages.success(request, _("The brand %(name)s is deleted.") % {"name": brand.name})
        return redirect("brands:catalogue")
    count = brand.products.count()
    return _confirm_page(
        request,
        title=_("Delete the brand %(name)s?") % {"name": brand.name},
        details=ngettext(
            "Its %(count)d product, pictures, trade marks, contacts and supply chain are deleted with it. "
            "This cannot be undone.",
            "Its %(count)d products, pictures, trade marks, contacts and supply chain are deleted with it. "
            "This cannot be undone.",
            count,
        )
        % {"count": count},
        back=_brand_url(brand.pk),
    )


# --------------------------------------------------------------------------- products


@scoped
def product_create(request, brand_pk):
    brand = editable_or_refuse(request.user, Brand.objects, brand_pk)
    return _save_or_show(
        request,
        ProductForm(*posted(request)),
        lambda data: services.product_create(actor=request.user, brand=brand, data=data),
        done=_("The product %(name)s is created."),
        then=_product_url,
        context={
            "title": _("New product of %(brand)s") % {"brand": brand.name},
            "back": _brand_url(brand.pk),
            "brand": brand,
        },
    )


@scoped
def product_edit(request, pk):
    product = editable_or_refuse(
        request.user, Product.objects.select_related("brand").prefetch_related("gtin_set"), pk
    )
    return _save_or_show(
        request,
        ProductForm(*posted(request), product=product),
        lambda data: services.product_update(actor=request.user, product=product, data=data),
        done=_("The product %(name)s is saved."),
        then=_product_url,
        context={
            "title": _("Edit %(name)s") % {"name": product.name},
            "back": _product_url(product),
            "brand": product.brand,
            "product": product,
        },
    )


@scoped
def product_delete(request, pk):
    product = editable_or_refuse(request.user, Product.objects.select_related("brand"), pk)
    if request.method == "POST":
        services.product_delete(actor=request.user, product=product)
        messages.success(request, _("The product %(name)s is deleted.") % {"name": product.name})
        return redirect("brands:brand_detail", product.brand_id)
    return _confirm_page(
        request,
        title=_("Delete the product %(name)s?") % {"name": product.name},
        details=_("Its GTINs, pictures and product-specific supply chain entries are deleted with it."),
        back=reverse("brands:product_detail", args=[product.pk]),
    )


# --------------------------------------------------------------------------- pictures


@scoped
@require_POST
def picture_add(request, pk):
    editable_or_refuse(request.user, Product.objects, pk)
    product = product_for_page(request.user, pk)
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.product_image_add(
                actor=request.user, product=product, image=data["image"], caption=data["caption"], kind=data["kind"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The picture is added."))
            return redirect(reverse("brands:product_detail", args=[product.pk]) + "#pictures")
    return product_page(request, product, picture_form=form, status=400)


@scoped
def picture_edit(request, pk):
    picture = editable_or_refuse(request.user, ProductImage.objects.select_related("product__brand"), pk)
    back = reverse("brands:product_detail", args=[picture.product_id]) + "#pictures"
    return _save_or_show(
        request,
        PictureEditForm(*posted(request), picture=picture),
        lambda data: services.product_image_update(actor=request.user, picture=picture, data=data),
        done=_("The picture is saved."),
        then=lambda _saved: back,
        context={
            "title": _("Edit the picture"),
            "back": back,
            "brand": picture.product.brand,
            "product": picture.product,
            "picture": picture,
        },
    )


@scoped
def picture_delete(request, pk):
    picture = editable_or_refuse(request.user, ProductImage.objects.select_related("product"), pk)
    back = reverse("brands:product_detail", args=[picture.product_id]) + "#pictures"
    if request.method == "POST":
        services.product_image_delete(actor=request.user, picture=picture)
        messages.success(request, _("The picture is deleted."))
        return redirect(back)
    return _confirm_page(
        request,
        title=_("Delete this picture of %(name)s?") % {"name": picture.product.name},
        details=str(picture),
        back=back,
    )


# --------------------------------------------------------------------------- trade marks, contacts, supply chain


def _item_form(kind: str, request, brand: Brand, item=None):
    form_class = BRAND_ITEM_FORMS[kind]
    kwargs = {"item": item}
    if kind == "supply-chain":
        kwargs["products"] = (
            Product.objects.restrict(request.user, "change").filter(brand=brand).order_by("name", "id")
        )
    return form_class(*posted(request), **kwargs)


def _editable_item(request, kind: str, pk):
    """The trade mark, contact or supply-chain entry the person may edit (404 / 403 otherwise),
    its texts, and the place on its brand's page to go back to."""
    item = editable_or_refuse(request.user, BRAND_ITEM_MODELS[kind].objects.select_related("brand"), pk)
    text = BRAND_ITEM_TEXT[kind]
    return item, text, _brand_url(item.brand_id, text["anchor"])


@scoped
def item_create(request, brand_pk, kind):
    brand = editable_or_refuse(request.user, Brand.objects, brand_pk)
    text = BRAND_ITEM_TEXT[kind]
    back = _brand_url(brand.pk, text["anchor"])
    return _save_or_show(
        request,
        _item_form(kind, request, brand),
        lambda data: services.brand_item_create(actor=request.user, brand=brand, kind=kind, data=data),
        done=text["created"],
        then=lambda _saved: back,
        context={"title": text["new"], "back": back, "brand": brand},
    )


@scoped
def item_edit(request, pk, kind):
    item, text, back = _editable_item(request, kind, pk)
    return _save_or_show(
        request,
        _item_form(kind, request, item.brand, item),
        lambda data: services.brand_item_update(actor=request.user, item=item, data=data),
        done=text["saved"],
        then=lambda _saved: back,
        context={"title": text["edit"], "back": back, "brand": item.brand},
    )


@scoped
def item_delete(request, pk, kind):
    item, text, back = _editable_item(request, kind, pk)
    if request.method == "POST":
        services.brand_item_delete(actor=request.user, item=item)
        messages.success(request, text["deleted"] % {"name": str(item)})
        return redirect(back)
    return _confirm_page(request, title=text["delete"] % {"name": str(item)}, details="", back=back)
