"""Pages of search results with one statement: the total comes from the page query itself
(COUNT(*) OVER ()), instead of a second statement matching and filtering everything again; or,
when the search engine answers (engine_search.py), from the engine, with the page's rows
re-checked in the database."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window

from core.api import Pagination

from .engine_search import EngineSearch


class SearchPaginator(Paginator):
    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if isinstance(self.object_list, EngineSearch):
            # The engine ranks and counts; the page's rows come re-checked from the database.
            rows = self.object_list.page(bottom, self.per_page)
            self.__dict__["count"] = self.object_list.total
            if rows or number == 1:
                return self._get_page(rows, number, self)
            raise EmptyPage(self.error_messages["no_results"])
        rows = list(self.object_list.annotate(total_hits=Window(Count("pk")))[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0].total_hits
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def get_page(self, number):
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(1)


class SearchPagination(Pagination):
    django_paginator_class = SearchPaginator
