"""The FastAPI application: API under /api/v1, web pages, self-hosted docs.

`create_app()` builds everything from the settings and opens no connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from supplymesh import __version__
from supplymesh.api import errors
from supplymesh.api.container import Container
from supplymesh.api.middleware import ApiGuard
from supplymesh.api.routers import auth, crud, imports, network
from supplymesh.platform.settings import PROJECT_ROOT, Settings
from supplymesh.resources import all_resources

ASSETS = PROJECT_ROOT / "node_modules"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database is reached only when a request needs it."""
    settings = settings or Settings()
    container = Container.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from supplymesh.collab.adapters.http import post
        from supplymesh.collab.worker import DeliveryWorker
        from supplymesh.notify.settings import NotifySettings
        from supplymesh.notify.worker import NotifyWorker

        worker = DeliveryWorker(container.db, settings.signing_key(), post)
        worker.start()
        notifier = NotifyWorker(container.db, settings.signing_key(), NotifySettings())
        notifier.start()
        yield
        notifier.stop()
        worker.stop()
        container.db.engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="SupplyMesh",
        version=__version__,
        description="Industrial-internet supply-chain platform: one network, many enterprises.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.container = container
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(network.router)
    app.include_router(imports.router)
    for resource in all_resources():
        app.include_router(crud.resource_router(resource))
    _mount_extra_routers(app)
    _mount_assets(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="SupplyMesh API",
            swagger_js_url="/assets/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/assets/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/assets/swagger-ui/favicon-32x32.png",
        )

    app.add_middleware(ApiGuard, container=container)
    return app


def _mount_extra_routers(app: FastAPI) -> None:
    """Routers of contexts that have their own (inventory, webhooks, web pages)."""
    from supplymesh.api.routers import admission, inventory, webhooks
    from supplymesh.web.app import mount as mount_web

    app.include_router(inventory.router)
    app.include_router(webhooks.router)
    app.include_router(admission.public_router)
    app.include_router(admission.router)
    from supplymesh.api.routers import procurement

    app.include_router(procurement.router)
    from supplymesh.api.routers import trace

    app.include_router(trace.router)
    from supplymesh.api.routers import devices

    app.include_router(devices.router)
    from supplymesh.api.routers import devices_opcua

    app.include_router(devices_opcua.router)
    from supplymesh.api.routers import alarms

    app.include_router(alarms.router)
    from supplymesh.api.routers import kpi

    app.include_router(kpi.router)
    from supplymesh.api.routers import logistics

    app.include_router(logistics.router)
    from supplymesh.api.routers import route_plans

    app.include_router(route_plans.router)
    from supplymesh.api.routers import loading_plans

    app.include_router(loading_plans.router)
    from supplymesh.api.routers import receiving

    app.include_router(receiving.router)
    from supplymesh.api.routers import outsourcing

    app.include_router(outsourcing.router)
    from supplymesh.api.routers import reconciliation

    app.include_router(reconciliation.router)
    from supplymesh.api.routers import waybills

    app.include_router(waybills.router)
    from supplymesh.api.routers import notifications

    app.include_router(notifications.router)
    from supplymesh.api.routers import production

    app.include_router(production.router)
    from supplymesh.api.routers import replan

    app.include_router(replan.router)
    mount_web(app)


def _mount_assets(app: FastAPI) -> None:
    for name, sub in (
        ("swagger-ui", "swagger-ui-dist"),
        ("leaflet", "leaflet/dist"),
        ("echarts", "echarts/dist"),
    ):
        path: Path = ASSETS / sub
        if path.is_dir():
            app.mount(f"/assets/{name}", StaticFiles(directory=path), name=f"assets-{name}")
