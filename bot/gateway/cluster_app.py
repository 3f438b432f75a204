"""The cluster's gateway (uvicorn target ``bot.gateway.cluster_app:app``): the normal app whose
Rasa client is a `HealthCheckedRasaClient` over every Rasa server of the cluster."""

from __future__ import annotations

from fastapi import FastAPI

from bot.gateway.app import create_app
from bot.gateway.deps import get_cluster_client, get_rasa_client


def create_cluster_app() -> FastAPI:
    """The gateway app with the health-checked client."""
    application = create_app()
    application.dependency_overrides[get_rasa_client] = get_cluster_client
    return application


app = create_cluster_app()
