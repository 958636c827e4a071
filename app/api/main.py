"""FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from neo4j import Driver

from graph.connection import get_driver
from graph.server import server_components
from graph.settings import Settings, get_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, driver: Driver | None = None) -> FastAPI:
    s = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.driver = driver or get_driver(s, verify=False)
        try:
            yield
        finally:
            if driver is None:
                app.state.driver.close()

    app = FastAPI(title="Paraat API", version="0.1.0", lifespan=lifespan,
                  description="Defence-supplier matchmaking for Drenthe.")

    @app.get("/health", tags=["meta"])
    def health() -> Any:
        """Reports whether Neo4j answers; 503 when it does not."""
        try:
            version, edition = server_components(app.state.driver)
        except Exception as e:  # health reports any failure as 503, never a 500
            return JSONResponse(status_code=503, content={
                "status": "unavailable", "neo4j": {"ok": False, "error": type(e).__name__}})
        return {"status": "ok", "neo4j": {"ok": True, "version": version, "edition": edition}}

    return app
