"""Web shell: server-rendered pages in zh-CN and English.

Adding a page (what each later capability does)::

    # supplymesh/web/pages/quotes.py
    router = web_router()                      # CSRF-checked, hidden from OpenAPI

    @router.get("/quotes", response_class=HTMLResponse)
    def quotes_page(web: WebDep, q: str = "", page: int = 1) -> HTMLResponse:
        result = fetch_page(web.uow, resource("rfqs"), page_number(page), q)
        table = Table(columns, [row(x) for x in result.items], Paging.of(result, page))
        return render(web, "list.html", title=web.t("nav.quotes"), active="quotes",
                      table=table, q=q, placeholder=web.t("search.quotes"))

    PAGES = PageSet(router, (NavEntry("quotes", "/quotes", "nav.quotes", "order",
                                      "collaboration", 10),))

then list ``quotes.PAGES`` in `supplymesh.web.app.PAGES` and add the new keys to both
``locales/*.json`` (a test fails on a missing one). `WebDep` gives the caller's tenant-scoped
unit of work; a page never opens an unscoped session. Own templates extend ``base.html``.
"""
