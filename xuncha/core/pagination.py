"""Pages of a long list whose cost follows the page, not the table.

Django's Paginator counts every matching row to print "共 N 个" and "第 1 / M
页": at a million problems that count is most of the page's time. Nobody
needs "共 1,000,000 个" to the unit, so ``BoundedPaginator`` counts at most
``COUNT_LIMIT`` + 1 rows (``SELECT COUNT(*) FROM (… LIMIT 1001)``): below the
limit the total is exact, as before; above it the page says "1,000+" and
"第 N 页", and the next page exists when one more row than the page holds
came back. Every page is one query for its rows plus one bounded count.

A page deep in the list still pays for its OFFSET (the database walks the
rows before it, along the list's index); filters are the way to a row far
down a long list, and the number of pages one may ask for is bounded too.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

COUNT_LIMIT = 1000
# The deepest page one may open when the total is above the limit (OFFSET 100,000 at 50 a page).
MAX_PAGE = 2000


class BoundedPage(Page):
    def has_next(self) -> bool:
        if not self.paginator.count_is_bounded:
            return super().has_next()
        return self.paginator.more_after(self)


class BoundedPaginator(Paginator):
    count_limit = COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        """Exact up to the limit; limit + 1 means "more than the limit"."""
        # Any limit + 1 rows will do: no ORDER BY, so no sort or index walk to count.
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @property
    def count_is_bounded(self) -> bool:
        return self.count > self.count_limit

    @cached_property
    def num_pages(self) -> int:
        if self.count_is_bounded:
            return MAX_PAGE
        return super().num_pages

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.num_pages:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_bounded:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        # One row more than the page shows: whether there is a next page.
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = BoundedPage(rows[: self.per_page], number, self)
        page.one_more = len(rows) > self.per_page
        return page

    def more_after(self, page: BoundedPage) -> bool:
        return getattr(page, "one_more", False)

    def _get_page(self, *args, **kwargs):
        return BoundedPage(*args, **kwargs)
