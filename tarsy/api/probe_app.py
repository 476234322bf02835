"""The probe-only HTTP app a worker replica serves (``TARSY_HEALTH_PORT``): nothing but the probes."""

from __future__ import annotations

from fastapi import FastAPI

from tarsy.api.errors import install_error_handlers
from tarsy.api.routes import probes
from tarsy.runtime.service import Services


def create_probe_app(services: Services) -> FastAPI:
    """``/health/live`` and ``/health/ready`` over an already running set of services."""
    app = FastAPI(title="TARSy worker probes", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    app.state.services = services
    app.include_router(probes.router)
    return app
