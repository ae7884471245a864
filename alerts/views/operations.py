"""Joint operation pages, under /operations/: the list of the operations a person sees, an
operation's page, and its results (counts only, never another organization's case records).

Who sees an operation is `Operation.objects.restrict(user, "view")` (404 for anyone else)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.gate import scoped
from core.permissions import require
from core.views import paginate

from .. import selectors
from ..permissions import OPERATIONS_READ


@scoped
@require_safe
def operation_list(request):
    user = request.user
    require(user, OPERATIONS_READ)
    page = paginate(request, selectors.operations_for(user))
    return render(request, "operations/operation_list.html", {"page": page})


@scoped
@require_safe
def operation_detail(request, pk):
    user = request.user
    require(user, OPERATIONS_READ)
    operation = selectors.operation_for(user, pk)
    return render(request, "operations/operation_detail.html", {"operation": operation})
