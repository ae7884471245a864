"""Case pages, under /cases/: the list (filters), "open a case" (a detention or a verification
request, from a product page or an inspection), and a case's page with the verdict form, the
thread, the photos, extend and close.

Who sees a case is `Case.objects.restrict(user, "view")` (404 for anyone else); who may act on it is
the services' `require_*` checks, asked before a form is read (403 for someone who sees it but
may not act: a viewer, a platform admin)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_countries import countries

from accounts.audit import client_ip
from authentication_guides.models import Checklist
from brands.models import Brand, Product
from core.gate import may, scoped
from core.permissions import allowed, require
from core.scope import VIEW
from core.views import posted
from uploads.serving import protected_file_response

from .. import selectors, services
from ..forms import (
    COORDINATION_KEYS,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    CoordinationForm,
    MessageForm,
    PhotoForm,
    RespondForm,
    id_or_none,
)
from ..models import Case, CaseMessage, CasePhoto, CaseStatus, CaseVerdictKind, Operation, Procedure
from ..permissions import CASE_OPEN, CASES_READ, DECONFLICTION_CONTACT
from ..services.cases import ANSWER, HANDLE
from .common import list_page, post_on, press


@scoped
@require_safe
def case_list(request):
    form, page = list_page(request, CASES_READ, CaseFilterForm, selectors.cases_for)
    context = {"form": form, "page": page, "can_open": allowed(request.user, CASE_OPEN)}
    return render(request, "cases/case_list.html", context)


@scoped
def case_create(request):
    """GET ?product= or ?checklist= (or ?brand=) to start from a product page or an inspection."""
    user = request.user
    require(user, CASE_OPEN)
    source = request.POST if request.method == "POST" else request.GET
    initial: dict = {}
    brand = product = checklist = None
    product_id, checklist_id, brand_id = id_or_none(source.get("product")), id_or_none(source.get("checklist")), None
    if checklist_id is not None:
        checklist = (
            Checklist.objects.restrict(user, VIEW)
            .filter(organization=user.organization)
            .select_related("guide", "guide__brand", "guide__product")
            .filter(pk=checklist_id)
            .first()
        )
        if checklist is not None:
            brand = checklist.guide.brand
            initial.update(brand=brand.pk, checklist=checklist.pk, product=checklist.guide.product_id)
    if product_id is not None and request.method != "POST":
        product = Product.objects.restrict(user, VIEW).select_related("brand").filter(pk=product_id).first()
        if product is not None:
            brand = product.brand
            initial.update(brand=brand.pk, product=product.pk)
    if brand is None and request.method != "POST":
        brand_id = id_or_none(source.get("brand"))
        brand = Brand.objects.restrict(user, VIEW).filter(pk=brand_id).first() if brand_id else None
        if brand is not None:
            initial["brand"] = brand.pk
    form = CaseForm(*posted(request), user=user, initial=initial)
    coordination = CoordinationForm(
        request.POST if request.method == "POST" else None,
        operations=selectors.taggable_operations(user, on=timezone.localdate()),
        share_default=form.procedures[0] == Procedure.DETENTION,
    )
    if request.method == "POST" and all([form.is_valid(), coordination.is_valid()]):
        data = {**form.service_data(), **coordination.service_data()}
        photo = data.pop("photo", None)
        try:
            case = services.case_open(actor=user, data=data, photos=[photo] if photo else [], ip=client_ip(request))
        except ValidationError as error:
            _show_service_errors(error, form, coordination)
        else:
            messages.success(request, _("The case is open: the brand owner is told."))
            return redirect("cases:detail", case.pk)
    context = {
        "form": form,
        "coordination": coordination,
        "checklist": checklist,
        "product": product,
        "brand": brand,
    }
    failed = form.is_bound and (form.errors or coordination.has_errors)
    return render(request, "cases/case_form.html", context, status=400 if failed else 200)


def _show_service_errors(error: ValidationError, form, coordination: CoordinationForm) -> None:
    """A service's refusal on the part of the page its field belongs to."""
    if not hasattr(error, "error_dict"):
        form.add_service_errors(error)
        return
    mine = {key: value for key, value in error.error_dict.items() if key in COORDINATION_KEYS}
    rest = {key: value for key, value in error.error_dict.items() if key not in COORDINATION_KEYS}
    if mine:
        coordination.add_service_errors(ValidationError(mine))
    if rest:
        form.add_service_errors(ValidationError(rest))


def _operation_of(user, case: Case) -> Operation | None:
    """The case's joint operation, if the reader sees it (through the gate, never unscoped)."""
    if case.operation_id is None:
        return None
    return selectors.operations_for(user).prefetch_related(None).filter(pk=case.operation_id).first()


def _hit_rows(hits) -> list[dict] | None:
    if hits is None:
        return None
    return [{"card": hit, "country": countries.name(hit.organization["country"])} for hit in hits]


def _detail(request, case: Case, *, status: int = 200, **forms):
    user = request.user
    selectors.decorate_cases(user, [case])
    can_answer = may(user, ANSWER, case)
    handles = may(user, HANDLE, case)
    open_ = case.status != CaseStatus.CLOSED
    verdicts = list(case.verdicts.all())
    may_respond = can_answer and open_ and (not verdicts or verdicts[0].verdict == CaseVerdictKind.NEED_SAMPLE)
    thread = list(CaseMessage.objects.filter(case=case).select_related("author").order_by("created", "id"))
    context = {
        "case": case,
        "handles": handles,
        "verdicts": verdicts,
        "thread": thread,
        "photos": list(CasePhoto.objects.filter(case=case).order_by("created", "id")),
        "respond_form": forms.get("respond_form") or (RespondForm() if may_respond else None),
        "close_form": forms.get("close_form") or (CloseForm() if handles and open_ else None),
        "message_form": forms.get("message_form") or (MessageForm() if (handles or can_answer) and open_ else None),
        "photo_form": forms.get("photo_form") or (PhotoForm() if handles and open_ else None),
        "can_extend": can_answer and open_ and not case.extended,
        "checklist_counts": case.checklist.counts if case.checklist else None,
        "can_change_subjects": handles and open_,
        "hits": _hit_rows(case.hits),
        "marks_contact": case.hits and allowed(user, DECONFLICTION_CONTACT),
        "operation": _operation_of(user, case),
        **_catalogue_links(user, case),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _catalogue_links(user, case: Case) -> dict:
    """The brand and product of the case as the reader may open them now (None: named only,
    when deleted or no longer shown to them), for links and the guides panel."""
    brand = Brand.objects.restrict(user, VIEW).filter(pk=case.brand_id).first() if case.brand_id else None
    product = None
    if brand is not None and case.product_id:
        product = Product.objects.restrict(user, VIEW).filter(pk=case.product_id).first()
    return {"linked_brand": brand, "linked_product": product}


@scoped
@require_safe
def case_detail(request, pk):
    return _detail(request, selectors.case_for(request.user, pk))


def _case_form(check, form_class, name: str, done, anchor: str = ""):
    """The view of one form of a case's page (`name` in its context), made from `write(request,
    case, cleaned_data)`, the service call: `check(user, case)` refuses (403) before the form is
    read and any picture decoded; then the page again with the form's or the service's errors
    (400), or back to it with `done`."""

    def decorate(write):
        def handle(request, case):
            check(request.user, case)
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                try:
                    write(request, case, form.cleaned_data)
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, done)
                    return redirect(reverse("cases:detail", args=[case.pk]) + anchor)
            return _detail(request, case, status=400, **{name: form})

        return post_on(selectors.case_for, functools.wraps(write)(handle))

    return decorate


@_case_form(
    services.require_case_answerer, RespondForm, "respond_form", gettext_lazy("Your answer is sent to the officers.")
)
def case_respond(request, case, data):
    services.case_respond(actor=request.user, case=case, ip=client_ip(request), **data)


@_case_form(services.require_case_handler, CloseForm, "close_form", gettext_lazy("The case is closed."))
def case_close(request, case, data):
    services.case_close(actor=request.user, case=case, ip=client_ip(request), **data)


@_case_form(services.message_side, MessageForm, "message_form", gettext_lazy("Your message is sent."), "#thread")
def case_message(request, case, data):
    services.case_message_post(actor=request.user, case=case, body=data["body"], attachment=data["attachment"] or None)


@_case_form(services.require_photo_writer, PhotoForm, "photo_form", gettext_lazy("The photo is added."), "#photos")
def case_photo(request, case, data):
    services.case_photo_add(actor=request.user, case=case, image=data["image"])


@scoped
@require_POST
def case_extend(request, pk):
    case = selectors.case_for(request.user, pk)
    press(
        request,
        lambda: services.case_extend(actor=request.user, case=case, ip=client_ip(request)),
        _("The deadline is extended by %(days)d working days.") % {"days": case.extension_days},
    )
    return redirect("cases:detail", case.pk)


@scoped
@require_safe
def case_photo_file(request, pk, photo_pk):
    case = selectors.case_for(request.user, pk)
    photo = get_object_or_404(CasePhoto, case=case, pk=photo_pk)
    return protected_file_response(request, photo.image)


@scoped
@require_safe
def case_attachment_file(request, pk, message_pk):
    case = selectors.case_for(request.user, pk)
    message = get_object_or_404(CaseMessage, case=case, pk=message_pk)
    if not message.attachment:
        raise Http404
    return protected_file_response(request, message.attachment)


def _coordination_form(user, case: Case, data=None) -> CoordinationForm:
    """The subjects page's form: the operations the case may be tagged with (running on the day
    it was opened), and the one it has, which stays offered (the operation may be closed since)."""
    operations = selectors.taggable_operations(user, on=timezone.localdate(case.created))
    if case.operation_id is not None:
        operations = (operations | Operation.objects.restrict(user, VIEW).filter(pk=case.operation_id)).order_by(
            "-starts", "-id"
        )
    subjects = selectors.decorate_cases(user, [case])[0].visible_subjects or []
    return CoordinationForm(
        data, operations=operations, share_default=case.share_subjects, subjects=subjects, case=case
    )


@scoped
def case_subjects(request, pk):
    """Change a case's subjects, whether the brand owner sees them, and its joint operation: the
    officers of the organization that opened it, while it is open."""
    user = request.user
    case = selectors.case_for(user, pk)
    services.require_case_coordinator(user, case)
    if case.status == CaseStatus.CLOSED:
        messages.error(request, _("This case is closed."))
        return redirect("cases:detail", case.pk)
    form = _coordination_form(user, case, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_coordinate(actor=user, case=case, data=form.service_data(), ip=client_ip(request))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The subjects are saved."))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#subjects")
    failed = form.is_bound and form.has_errors
    return render(
        request, "cases/case_subjects.html", {"case": case, "coordination": form}, status=400 if failed else 200
    )


@scoped
@require_POST
def case_hit_contact(request, pk, hit_id):
    """A coordinator records that the two organizations of a deconfliction hit are in contact."""
    case = selectors.case_for(request.user, pk)
    services.hit_mark_in_contact(actor=request.user, case=case, hit_id=hit_id, ip=client_ip(request))
    messages.success(request, _("The hit is marked “in contact”."))
    return redirect(reverse("cases:detail", args=[case.pk]) + "#deconfliction")
