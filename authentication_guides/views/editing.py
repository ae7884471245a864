"""Writing guides in the browser: a new guide, a translation, a guide's settings, its indicators
with their two pictures, and deleting.

Every write goes through authentication_guides.services, which check again that the person may
write. A guide the person cannot see answers 404; one they can see but not write, 403 (a viewer,
an officer, a platform admin). Bad input re-renders the form with the service's messages on the
fields (status 400), never a 500. Editing a published guide opens its next version as a draft:
officers keep reading the published one until it is published.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from brands.models import Brand
from core.gate import object_or_404, scoped
from core.permissions import require
from core.views import posted

from .. import services
from ..forms import GuideForm, IndicatorForm
from ..models import Guide, GuideStatus
from ..selectors import original_of
from .common import editable_guide, guide_url, indicator_or_none


def _form_page(request, form, context: dict):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "guides/form.html", {"form": form, **context}, status=status)


def _attempt(form, call):
    """Run `call(data)` with the form's data; on a ValidationError, put the messages on the form
    and answer None."""
    try:
        return call(form.service_data())
    except ValidationError as error:
        form.add_service_errors(error)
        return None


def _draft_notice(request, guide: Guide) -> None:
    """After an edit of a published guide: say that officers still read the published version."""
    if guide.status == GuideStatus.PUBLISHED and guide.published_version is not None:
        messages.info(
            request,
            _("Officers keep reading version %(number)d until you publish your changes.")
            % {"number": guide.published_version.number},
        )


# --------------------------------------------------------------------------- guides


@scoped
def guide_create(request):
    """A new guide; `?brand=<id>` fixes the brand, otherwise the person chooses one."""
    user = request.user
    require(user, "brands.create")  # who may add brands writes their guides
    brand = None
    requested = request.GET.get("brand", "")
    if requested:
        if not (requested.isascii() and requested.isdigit()):
            raise Http404
        brand = object_or_404(user, Brand.objects, int(requested), "change")
    initial = {"language": (translation.get_language() or "")[:2]}
    product = request.GET.get("product", "")
    if product.isascii() and product.isdigit():
        initial["product"] = int(product)  # preselected; the choices are the person's products
    form = GuideForm(*posted(request), user=user, brand=brand, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = brand or form.cleaned_data["brand"]
        guide = _attempt(form, lambda data: services.guide_create(actor=user, brand=chosen, data=data))
        if guide is not None:
            messages.success(request, _("The guide is created. Add its indicators, then publish it."))
            return redirect(guide_url(guide))
    if brand is not None:
        title = _("New guide for %(brand)s") % {"brand": brand.name}
        back = reverse("brands:brand_detail", args=[brand.pk])
    else:
        title, back = _("New guide"), reverse("guides:list")
    return _form_page(request, form, {"title": title, "back": back, "brand": brand})


@scoped
def guide_translate(request, pk):
    """A translation: a new guide in another language, linked to this one."""
    source = editable_guide(request.user, pk)
    latest = source.ordered_versions[0]
    initial = {
        "product": source.product_id,
        "category": source.category,
        "visibility": GuideForm.ALL if source.visible_to_all else GuideForm.SELECTED,
        "countries": [row.country.code for row in source.visibility_countries.all()],
        "agencies": source.agencies,
        "language": "",
    }
    form = GuideForm(*posted(request), user=request.user, brand=source.brand, initial=initial)
    if request.method == "POST" and form.is_valid():

        def create(data):
            return services.guide_create(
                actor=request.user, brand=source.brand, data={**data, "translation_of": source}
            )

        guide = _attempt(form, create)
        if guide is not None:
            messages.success(request, _("The translation is created. Add its indicators, then publish it."))
            return redirect(guide_url(guide))
    return _form_page(
        request,
        form,
        {
            "title": _("Translate “%(title)s”") % {"title": latest.title},
            "back": guide_url(source),
            "guide": source,
            "intro": _(
                "A translation is a guide of its own, linked to this one: officers see the one in their "
                "language, with a switch to the others."
            ),
        },
    )


@scoped
def guide_edit(request, pk):
    guide = editable_guide(request.user, pk)
    form = GuideForm(*posted(request), user=request.user, guide=guide, version=guide.ordered_versions[0])
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        saved = _attempt(form, lambda data: services.guide_update(actor=request.user, guide=guide, data=data))
        if saved is not None:
            messages.success(request, _("The guide is saved.") if data else _("Nothing was changed."))
            if {"title", "summary"} & data.keys():
                _draft_notice(request, guide)
            return redirect(guide_url(guide))
    return _form_page(
        request,
        form,
        {"title": _("Edit the guide"), "back": guide_url(guide), "guide": guide},
    )


@scoped
def guide_delete(request, pk):
    guide = editable_guide(request.user, pk)
    title = guide.ordered_versions[0].title
    if request.method == "POST":
        brand_id = guide.brand_id
        services.guide_delete(actor=request.user, guide=guide)
        messages.success(request, _("The guide “%(title)s” is deleted.") % {"title": title})
        return redirect(reverse("guides:list") + f"?brand={brand_id}")
    count = len(guide.ordered_versions)
    return render(
        request,
        "guides/confirm_delete.html",
        {
            "title": _("Delete the guide “%(title)s”?") % {"title": title},
            "details": ngettext(
                "Its %(count)d version, indicators and pictures are deleted with it, for officers too. "
                "This cannot be undone. To take it away from officers but keep it, archive it instead.",
                "Its %(count)d versions, indicators and pictures are deleted with it, for officers too. "
                "This cannot be undone. To take it away from officers but keep it, archive it instead.",
                count,
            )
            % {"count": count},
            "back": guide_url(guide),
        },
    )


# --------------------------------------------------------------------------- indicators


@scoped
def indicator_add(request, pk):
    # Permission first: two pictures are decoded only for people who may write.
    guide = editable_guide(request.user, pk)
    form = IndicatorForm(*posted(request))
    if request.method == "POST" and form.is_valid():

        def add(data):
            indicator = services.indicator_add(actor=request.user, guide=guide, data=data, **form.pictures())
            _add_extra(request, guide, indicator.key, form)
            return indicator

        indicator = _attempt(form, add)
        if indicator is not None:
            messages.success(request, _("The indicator “%(title)s” is added.") % {"title": indicator.title})
            _draft_notice(request, guide)
            return redirect(guide_url(guide, f"indicator-{indicator.key}"))
    return _form_page(
        request,
        form,
        {
            "title": _("New indicator"),
            "back": guide_url(guide, "indicators"),
            "guide": guide,
            "multipart": True,
            "intro": _("Both pictures show the same place on the item: the genuine one and a counterfeit."),
        },
    )


def _add_extra(request, guide: Guide, key, form) -> None:
    extra = form.extra()
    if extra is not None:
        image, caption = extra
        services.indicator_picture_add(actor=request.user, guide=guide, key=key, image=image, caption=caption)


@scoped
@require_POST
def indicator_picture_delete(request, pk, key, picture_key):
    guide = editable_guide(request.user, pk)
    try:
        services.indicator_picture_delete(actor=request.user, guide=guide, key=key, picture_key=picture_key)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The picture is removed."))
        _draft_notice(request, guide)
    return redirect("guides:indicator_edit", pk, key)


def _indicator(guide: Guide, key):
    indicator = indicator_or_none(guide, key)
    if indicator is None:
        raise Http404
    return indicator


@scoped
def indicator_edit(request, pk, key):
    guide = editable_guide(request.user, pk)
    indicator = _indicator(guide, key)
    original = original_of(request.user, guide, indicator)
    form = IndicatorForm(*posted(request), indicator=indicator, original=original)
    back = guide_url(guide, f"indicator-{key}")
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect(back)

        def update(data):
            saved = indicator
            if form.indicator_changed():
                saved = services.indicator_update(
                    actor=request.user, guide=guide, key=key, data=data, **form.pictures()
                )
            _add_extra(request, guide, key, form)
            return saved

        saved = _attempt(form, update)
        if saved is not None:
            messages.success(request, _("The indicator “%(title)s” is saved.") % {"title": saved.title})
            _draft_notice(request, guide)
            return redirect(back)
    return _form_page(
        request,
        form,
        {
            "title": _("Edit the indicator"),
            "back": back,
            "guide": guide,
            "indicator": indicator,
            "multipart": True,
        },
    )


@scoped
def indicator_delete(request, pk, key):
    guide = editable_guide(request.user, pk)
    indicator = _indicator(guide, key)
    if request.method == "POST":
        try:
            services.indicator_delete(actor=request.user, guide=guide, key=key)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The indicator “%(title)s” is deleted.") % {"title": indicator.title})
            _draft_notice(request, guide)
        return redirect(guide_url(guide, "indicators"))
    details = _("Officers keep reading the published version until you publish your changes.")
    return render(
        request,
        "guides/confirm_delete.html",
        {
            "title": _("Delete the indicator “%(title)s”?") % {"title": indicator.title},
            "details": details if guide.status == GuideStatus.PUBLISHED else "",
            "back": guide_url(guide, f"indicator-{key}"),
        },
    )
