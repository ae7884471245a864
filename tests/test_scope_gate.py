"""The scoping gate cannot be skipped (core/scope.py, core/gate.py).

- Every URL's view declares its scope (`core.gate.scoped` / `public`, `core.api.ScopedAPIView`
  / `public_api`); a view that declares nothing is refused by the check `core.E001`.
- No view, API, template-tag or notification module queries a scoped model except through
  `restrict(user, action)` (or `core.gate.object_or_404`), outside a `system_*` selector listed
  in `core.scope.SYSTEM_SELECTORS` with its reason.

Each check is shown to fail on a deliberately unscoped view written here.
"""

from __future__ import annotations

import ast
import importlib
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core import gate
from core.api import ScopedAPIView, public_api
from core.scope import SYSTEM_SELECTORS, ScopedQuerySet

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "alerts",
    "applications",
    "authentication_guides",
    "brands",
    "jobs",
    "notifications",
    "search",
    "uploads",
    "webhooks",
)
# Modules where a person's request or a person's message is built: pages, API, template tags,
# notification recipients and texts, digests, selectors. (notifications/pipeline.py moves rows
# by id for a dispatch already decided, and services act on objects their callers fetched
# through the gate.)
GATED_NAMES = ("views", "api", "templatetags", "notifying", "digests", "selectors", "serving", "index")


# Functions that restrict the rows they are given (their second argument) themselves.
GATE_FUNCTIONS = ("object_or_404", "visible_or_404", "editable_or_refuse")


# --------------------------------------------------------------------------- every view declares


def test_every_view_declares_its_scope():
    assert gate.undeclared_views() == []


def test_a_view_that_declares_nothing_is_refused():
    def unscoped_page(request):
        return HttpResponse("everything")

    class UnscopedEndpoint(APIView):
        def get(self, request):
            return Response({})

    @gate.public("a test page")
    def public_page(request):
        return HttpResponse("hello")

    class ScopedEndpoint(ScopedAPIView, APIView):
        pass

    @public_api("a test endpoint")
    class PublicEndpoint(APIView):
        pass

    patterns = [
        path("unscoped/", unscoped_page),
        path("unscoped-api/", UnscopedEndpoint.as_view()),
        path("scoped/", gate.scoped(unscoped_page)),
        path("public/", public_page),
        path("scoped-api/", ScopedEndpoint.as_view()),
        path("public-api/", PublicEndpoint.as_view()),
    ]
    refused = gate.undeclared_views(patterns)
    assert [entry.split(" -> ")[0] for entry in refused] == ["unscoped/", "unscoped-api/"]


def test_the_system_check_reports_undeclared_views(monkeypatch):
    monkeypatch.setattr(gate, "undeclared_views", lambda: ["x/ -> app.views.x"])
    messages = gate.every_view_declares_its_scope(None)
    assert [message.id for message in messages] == ["core.E001"]
    assert messages[0].is_serious()


# --------------------------------------------------------------------------- no unscoped query


def _scoped_models() -> dict[str, type]:
    return {
        model.__name__: model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), ScopedQuerySet)
    }


def unscoped_queries(source: str, namespace: dict, module: str = "") -> list[str]:
    """'line: code' for each query of a scoped model that does not go through the gate."""
    models = _scoped_models()

    def scoped_model(node: ast.AST) -> bool:
        if not isinstance(node, ast.Name):
            return False
        target = namespace.get(node.id, models.get(node.id))
        return isinstance(target, type) and target in models.values()

    found: list[str] = []

    class Visitor(ast.NodeVisitor):
        def __init__(self) -> None:
            self.functions: list[str] = []

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            self.functions.append(node.name)
            self.generic_visit(node)
            self.functions.pop()

        visit_AsyncFunctionDef = visit_FunctionDef

        def in_system_selector(self) -> bool:
            return any(
                name.startswith("system_") and any(key.endswith(f"{module}.{name}") for key in SYSTEM_SELECTORS)
                for name in self.functions
            )

        def visit_Attribute(self, node: ast.Attribute) -> None:
            manager = node.value
            if (
                isinstance(manager, ast.Attribute)
                and manager.attr in ("objects", "_default_manager")
                and scoped_model(manager.value)
                and node.attr not in ("restrict", "none")
                and not self.in_system_selector()
            ):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
            self.generic_visit(node)

        def visit_Call(self, node: ast.Call) -> None:
            function = node.func
            if isinstance(function, ast.Name) and function.id in GATE_FUNCTIONS:
                # The rows handed to a gate function are restricted by it.
                for argument in node.args[2:]:
                    self.visit(argument)
                for keyword in node.keywords:
                    self.visit(keyword)
                return
            if (
                isinstance(function, ast.Name)
                and function.id in ("get_object_or_404", "get_list_or_404")
                and node.args
                and scoped_model(node.args[0])
            ):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
            self.generic_visit(node)

    Visitor().visit(ast.parse(source))
    return found


def _gated_modules() -> list[str]:
    names = []
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            relative = file.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            if any(part.removesuffix(".py") in GATED_NAMES for part in relative.parts[1:]):
                names.append(".".join(relative.with_suffix("").parts).removesuffix(".__init__"))
    return names


def test_the_gated_modules_are_found():
    modules = _gated_modules()
    assert "brands.views.catalogue" in modules
    assert "authentication_guides.templatetags.guide_links" in modules
    assert "alerts.notifying" in modules
    assert len(modules) > 30


@pytest.mark.parametrize("module_name", _gated_modules())
def test_no_unscoped_query(module_name):
    module = importlib.import_module(module_name)
    source = Path(module.__file__).read_text()
    assert unscoped_queries(source, vars(module), module_name) == []


def test_an_unscoped_query_is_caught(monkeypatch):
    from brands.models import Brand, Product

    source = textwrap.dedent(
        """
        def brand_detail(request, pk):
            brand = get_object_or_404(Brand, pk=pk)
            products = Product.objects.filter(brand=brand)
            mine = Brand.objects.restrict(request.user, "view").get(pk=pk)
            return brand, products, mine

        def system_everything():
            return Brand.objects.all()
        """
    )
    namespace = {"Brand": Brand, "Product": Product}
    assert unscoped_queries(source, namespace, "app.views") == [
        "3: get_object_or_404(Brand, pk=pk)",
        "4: Product.objects.filter",
        "9: Brand.objects.all",  # named system_* but not listed: no exception
    ]
    monkeypatch.setitem(SYSTEM_SELECTORS, "app.views.system_everything", "a test")
    assert unscoped_queries(source, namespace, "app.views") == [
        "3: get_object_or_404(Brand, pk=pk)",
        "4: Product.objects.filter",
    ]


def test_every_system_selector_is_listed_with_its_reason():
    for module_name in _gated_modules():
        importlib.import_module(module_name)  # their decorators list them
    unlisted = []
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in file.parts:
                continue
            module = ".".join(file.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            tree = ast.parse(file.read_text())
            if any(isinstance(node, ast.FunctionDef) and node.name.startswith("system_") for node in ast.walk(tree)):
                importlib.import_module(module)  # its decorators list them, whatever this run imported before
            for node in ast.walk(tree):
                listed = SYSTEM_SELECTORS.get(f"{module}.{getattr(node, 'name', '')}")
                if isinstance(node, ast.FunctionDef) and node.name.startswith("system_") and not listed:
                    unlisted.append(f"{module}.{node.name}")
    assert unlisted == []
