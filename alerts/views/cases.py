"""Case pages, under /cases/: the list (filters), "open a case" (from a product page or an
inspection), and a case's page with the verdict form, the thread, the photos, extend and close.

Who sees a case is `Case.objects.restrict(user, "view")` (404 for anyone else); who may act on it is checked
by the services (403 for someone who sees it but may not act: a viewer, a platform admin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.audit import client_ip
from authentication_guides.models import Checklist
from brands.models import Brand, Product
from core.gate import scoped
from core.views import paginate, posted
from uploads.serving import protected_file_response

from .. import selectors, services
from ..forms import CaseFilterForm, CaseForm, CloseForm, MessageForm, PhotoForm, RespondForm
from ..models import Case, CaseMessage, CasePhoto, CaseStatus, CaseVerdictKind
from ..services.cases import require_photo_writer


def _reader(user) -> None:
    if not (user.is_enforcement or user.is_right_holder or user.is_platform_admin):
        raise PermissionDenied


@scoped
@require_safe
def case_list(request):
    user = request.user
    _reader(user)
    form = CaseFilterForm(request.GET or None)
    cases = selectors.cases_for(user)
    if form.is_bound:
        cases = form.filter(cases)
    page = paginate(request, cases)
    context = {"form": form, "page": page, "can_open": services.can_open_cases(user)}
    return render(request, "cases/case_list.html", context)


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else None


@scoped
def case_create(request):
    """GET ?product= or ?checklist= (or ?brand=) to start from a product page or an inspection."""
    user = request.user
    if not services.can_open_cases(user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    initial: dict = {}
    brand = product = checklist = None
    product_id, checklist_id, brand_id = _int(source.get("product")), _int(source.get("checklist")), None
    if checklist_id is not None:
        checklist = (
            Checklist.objects.restrict(user, "view")
            .filter(organization=user.organization)
            .select_related("guide", "guide__brand", "guide__product")
            .filter(pk=checklist_id)
            .first()
        )
        if checklist is not None:
            brand = checklist.guide.brand
            initial.update(brand=brand.pk, checklist=checklist.pk, product=checklist.guide.product_id)
    if product_id is not None and request.method != "POST":
        product = Product.objects.restrict(user, "view").select_related("brand").filter(pk=product_id).first()
        if product is not None:
            brand = product.brand
            initial.update(brand=brand.pk, product=product.pk)
    if brand is None and request.method != "POST":
        brand_id = _int(source.get("brand"))
        brand = Brand.objects.restrict(user, "view").filter(pk=brand_id).first() if brand_id else None
        if brand is not None:
            initial["brand"] = brand.pk
    form = CaseForm(*posted(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        photo = data.pop("photo", None)
        try:
            case = services.case_open(actor=user, data=data, photos=[photo] if photo else [], ip=client_ip(request))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The case is open: the brand owner is told."))
            return redirect("cases:detail", case.pk)
    context = {"form": form, "checklist": checklist, "product": product, "brand": brand}
    return render(request, "cases/case_form.html", context, status=400 if form.is_bound and form.errors else 200)


def _visible(user, pk) -> Case:
    return get_object_or_404(selectors.cases_for(user), pk=pk)


def _detail(request, case: Case, *, status: int = 200, **forms):
    user = request.user
    can_answer = Case.objects.restrict(user, "answer").filter(pk=case.pk).exists()
    handles = Case.objects.restrict(user, "handle").filter(pk=case.pk).exists()
    open_ = case.status != CaseStatus.CLOSED
    verdicts = list(case.verdicts.all())
    may_respond = can_answer and open_ and (not verdicts or verdicts[0].verdict == CaseVerdictKind.NEED_SAMPLE)
    thread = list(CaseMessage.objects.filter(case=case).select_related("author").order_by("created", "id"))
    context = {
        "case": case,
        "verdicts": verdicts,
        "thread": thread,
        "photos": list(CasePhoto.objects.filter(case=case).order_by("created", "id")),
        "respond_form": forms.get("respond_form") or (RespondForm() if may_respond else None),
        "close_form": forms.get("close_form") or (CloseForm() if handles and open_ else None),
        "message_form": forms.get("message_form") or (MessageForm() if (handles or can_answer) and open_ else None),
        "photo_form": forms.get("photo_form") or (PhotoForm() if handles and open_ else None),
        "can_extend": can_answer and open_ and not case.extended,
        "checklist_counts": case.checklist.counts if case.checklist else None,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@scoped
@require_safe
def case_detail(request, pk):
    return _detail(request, _visible(request.user, pk))


def _refused(request, case, form, name, error: ValidationError):
    form.add_service_errors(error)
    return _detail(request, case, status=400, **{name: form})


@scoped
@require_POST
def case_respond(request, pk):
    user = request.user
    case = _visible(user, pk)
    if not Case.objects.restrict(user, "answer").filter(pk=case.pk).exists():
        raise PermissionDenied
    form = RespondForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, respond_form=form)
    try:
        services.case_respond(actor=user, case=case, ip=client_ip(request), **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, case, form, "respond_form", error)
    messages.success(request, _("Your answer is sent to the officers."))
    return redirect("cases:detail", case.pk)


@scoped
@require_POST
def case_extend(request, pk):
    user = request.user
    case = _visible(user, pk)
    try:
        case = services.case_extend(actor=user, case=case, ip=client_ip(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The deadline is extended by 10 working days."))
    return redirect("cases:detail", case.pk)


@scoped
@require_POST
def case_close(request, pk):
    user = request.user
    case = _visible(user, pk)
    if not Case.objects.restrict(user, "handle").filter(pk=case.pk).exists():
        raise PermissionDenied
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, close_form=form)
    try:
        services.case_close(actor=user, case=case, ip=client_ip(request), **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, case, form, "close_form", error)
    messages.success(request, _("The case is closed."))
    return redirect("cases:detail", case.pk)


@scoped
@require_POST
def case_message(request, pk):
    user = request.user
    case = _visible(user, pk)
    services.cases._side(user, case)  # 403 before any picture is decoded
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, case, status=400, message_form=form)
    try:
        services.case_message_post(
            actor=user, case=case, body=form.cleaned_data["body"], attachment=form.cleaned_data["attachment"] or None
        )
    except ValidationError as error:
        return _refused(request, case, form, "message_form", error)
    messages.success(request, _("Your message is sent."))
    return redirect(f"{case_url(case)}#thread")


@scoped
@require_POST
def case_photo(request, pk):
    user = request.user
    case = _visible(user, pk)
    require_photo_writer(user, case)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, case, status=400, photo_form=form)
    try:
        services.case_photo_add(actor=user, case=case, image=form.cleaned_data["image"])
    except ValidationError as error:
        return _refused(request, case, form, "photo_form", error)
    messages.success(request, _("The photo is added."))
    return redirect(f"{case_url(case)}#photos")


@scoped
@require_safe
def case_photo_file(request, pk, photo_pk):
    case = _visible(request.user, pk)
    photo = get_object_or_404(CasePhoto, case=case, pk=photo_pk)
    return protected_file_response(request, photo.image)


@scoped
@require_safe
def case_attachment_file(request, pk, message_pk):
    case = _visible(request.user, pk)
    message = get_object_or_404(CaseMessage, case=case, pk=message_pk)
    if not message.attachment:
        raise Http404
    return protected_file_response(request, message.attachment)


def case_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:detail", args=[case.pk])
