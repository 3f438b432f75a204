"""The gateway's FastAPI dependencies, declared once for every router.

Routes take what they need as ``Annotated`` parameters (``rasa: Rasa``, ``store: Store``,
``user: Staff`` …); tests swap the provider behind one with ``app.dependency_overrides``
(e.g. ``app.dependency_overrides[get_rasa_client] = lambda: fake``). The cluster's gateway
(`bot.gateway.cluster_app`) swaps ``get_rasa_client`` for ``get_cluster_client``.
"""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.gateway import turns as turn_store
from bot.gateway.cluster_rasa_client import HealthCheckedRasaClient
from bot.gateway.match_jobs import RunStore
from bot.gateway.match_jobs import default_store as default_run_store
from bot.gateway.rasa_client import RasaClient
from bot.helpdesk.store import StaffUser, TicketStore, default_store
from bot.settings import Settings, get_settings
from policy_kb.errors import PolicyKBError
from policy_kb.store import KnowledgeBase, open_kb

UNAUTHENTICATED = "未登录或登录已过期，请重新登录。"

_rasa_client: Optional[RasaClient] = None
_cluster_client: Optional[HealthCheckedRasaClient] = None


def get_rasa_client() -> RasaClient:
    """The process-wide Rasa client (tests override it)."""
    global _rasa_client
    if _rasa_client is None:
        settings: Settings = get_settings()
        _rasa_client = RasaClient(settings.rasa_endpoints, settings.rasa_timeout_s,
                                  turn_store.stored_turns(settings.tracker_url))
    return _rasa_client


def get_cluster_client() -> HealthCheckedRasaClient:
    """Used in place of ``get_rasa_client`` by the cluster gateway: failover over every Rasa server."""
    global _cluster_client
    if _cluster_client is None:
        settings = get_settings()
        _cluster_client = HealthCheckedRasaClient(settings.rasa_endpoints, settings.rasa_timeout_s,
                                                  settings.rasa_retry_cooldown_s,
                                                  turns=turn_store.stored_turns(settings.tracker_url))
    return _cluster_client


def get_kb() -> KnowledgeBase:
    """The compiled knowledge base (tests override it); raises when it is not built."""
    return open_kb(get_settings().kb_path)


def get_kb_or_none() -> Optional[KnowledgeBase]:
    """The knowledge base, or None when it cannot be opened (for routes that work without it)."""
    try:
        return get_kb()
    except (PolicyKBError, OSError):
        return None


def get_store() -> TicketStore:
    """The helpdesk's ticket store (tests override it)."""
    return default_store()


def get_run_store() -> RunStore:
    """Where the console's 送政策入企 runs are kept (tests override it)."""
    return default_run_store()


bearer = HTTPBearer(auto_error=False, description="登录后获得的令牌")
BearerToken = Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer)]
Store = Annotated[TicketStore, Depends(get_store)]


def current_staff(credentials: BearerToken, store: Store) -> StaffUser:
    """The signed-in staff user; 401 when the token is missing, unknown or expired."""
    user = store.user_for_token(credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(status_code=401, detail=UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return user


AppSettings = Annotated[Settings, Depends(get_settings)]
Rasa = Annotated[RasaClient, Depends(get_rasa_client)]
KB = Annotated[KnowledgeBase, Depends(get_kb)]
OptionalKB = Annotated[Optional[KnowledgeBase], Depends(get_kb_or_none)]
Runs = Annotated[RunStore, Depends(get_run_store)]
Staff = Annotated[StaffUser, Depends(current_staff)]
