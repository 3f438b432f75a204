"""Which part of the stack is down: each Rasa server, each action server, the knowledge base.

``/health`` reports it; the chat and WeChat routes use it to tell an empty answer caused by
a dead part (Rasa logs the failed action call and answers nothing) from a quiet bot, and
then say "系统正在恢复，请稍后再试" instead of nothing. Probes are short (1 s) and cached for
a moment so a burst of failing turns probes once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import httpx

from bot.settings import Settings, get_settings

RECOVERING_TEXT = "系统正在恢复，请稍后再试。"
PROBE_TIMEOUT_S = 1.0
CACHE_S = 1.0
# A turn whose action call failed while the action server was down may come back empty just
# after it is up again (the probe then finds nothing down): a part seen down this recently
# still counts.
RECENT_S = 15.0


@dataclass
class PartsState:
    """Readiness of every part: ``rasa`` / ``action_server`` per URL, and the KB."""

    rasa: Dict[str, bool]
    action_server: Dict[str, bool]
    knowledge_base: bool

    def down(self) -> List[str]:
        """Names of the parts that are down, e.g. ``["动作服务器 http://127.0.0.1:5055"]``."""
        names = [f"Rasa {url}" for url, ok in self.rasa.items() if not ok]
        names += [f"动作服务器 {url}" for url, ok in self.action_server.items() if not ok]
        return names + ([] if self.knowledge_base else ["知识库"])


async def _rasa_ready(http: httpx.AsyncClient, base: str) -> bool:
    try:
        reply = await http.get(f"{base}/status")
        return reply.status_code == 200 and bool(reply.json().get("model_file"))
    except (httpx.HTTPError, ValueError):
        return False


async def _action_ready(http: httpx.AsyncClient, base: str) -> bool:
    try:
        return (await http.get(f"{base}/health")).status_code == 200
    except httpx.HTTPError:
        return False


def _kb_ready(settings: Settings) -> bool:
    from policy_kb.errors import PolicyKBError
    from policy_kb.store import open_kb

    try:
        return bool(open_kb(settings.kb_path).documents())
    except (PolicyKBError, OSError):
        return False


async def probe(rasa_endpoints: List[str], settings: Optional[Settings] = None,
                kb_ready: Optional[bool] = None) -> PartsState:
    """Ask every part now (in parallel); ``kb_ready``: the knowledge base's state when the
    caller has checked it already (``/health`` opens it through its dependency)."""
    settings = settings or get_settings()
    actions = settings.action_endpoints
    async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S) as http:
        answers = await asyncio.gather(*[_rasa_ready(http, url) for url in rasa_endpoints],
                                       *[_action_ready(http, url) for url in actions])
    rasa = dict(zip(rasa_endpoints, answers[:len(rasa_endpoints)], strict=True))
    action_server = dict(zip(actions, answers[len(rasa_endpoints):], strict=True))
    if kb_ready is None:
        kb_ready = await asyncio.to_thread(_kb_ready, settings)
    state = PartsState(rasa, action_server, kb_ready)
    _note(state)
    return state


def _note(state: PartsState) -> None:
    global _last_down
    down = state.down()
    if down:
        _last_down = (time.monotonic(), down)


_cached: Tuple[float, Optional[PartsState]] = (0.0, None)
_last_down: Tuple[float, List[str]] = (-1e18, [])


async def down_parts(rasa_endpoints: List[str]) -> List[str]:
    """`PartsState.down` of a probe at most ``CACHE_S`` old, or, when nothing is down now,
    what a probe found down in the last ``RECENT_S`` seconds."""
    global _cached
    at, state = _cached
    if state is None or time.monotonic() - at > CACHE_S:
        state = await probe(rasa_endpoints)
        _cached = (time.monotonic(), state)
    down = state.down()
    seen_at, seen = _last_down
    if down or time.monotonic() - seen_at > RECENT_S:
        return down
    return seen
