"""Scale-out mode: several Rasa servers, each with its own action server, behind one gateway.

``ClusterStack`` starts ``replicas`` pairs (Rasa + action server) and the gateway; the Rasa
servers share the SQL tracker store (PostgreSQL, ``tracker_store_url``) and a Redis lock
store (``bot/rasa/endpoints-cluster.yml``), so any replica can take any turn of any conversation
and two turns of one conversation never run at the same time. Every process shares the
helpdesk tickets in PostgreSQL too (``ticket_store_url``, by default the tracker's database).

The gateway of a cluster runs ``bot.gateway.cluster_app:app``: the normal app whose Rasa client
is a ``HealthCheckedRasaClient`` (`bot.gateway.cluster_rasa_client`: round robin; a server that
just failed is tried last for a few seconds; a request whose server died before answering is
sent to another one).
"""

from __future__ import annotations

import json
import sys
from typing import Dict, List, Optional, Sequence

from bot.settings import RASA_DIR, Settings, get_settings
from bot.stack.single_node import Child, Stack, serve_forever, stack_children

CLUSTER_ENDPOINTS = RASA_DIR / "endpoints-cluster.yml"
# A Rasa server killed while holding a conversation's lock leaves it in Redis until it
# expires; Rasa's default of 60 s would outlast the gateway's timeout, so keep it short. It
# must still outlive the slowest turn, or two replicas could run one conversation at once:
# measured under 8 back-to-back conversations on the 2-core development machine (test
# ``test_the_lock_lifetime_outlasts_the_slowest_turn_under_load_with_a_margin``, which
# asserts a margin of 3×): p50 185 ms, p99 928 ms, slowest 1.19 s, so 10 s is 8× the slowest.
LOCK_LIFETIME_S = 10


class ClusterError(RuntimeError):
    """The cluster cannot start as configured (e.g. no shared tracker store)."""


def _with_option(argv: Sequence[str], flag: str, value: str) -> List[str]:
    """``argv`` with the value after ``flag`` replaced."""
    argv = list(argv)
    argv[argv.index(flag) + 1] = value
    return argv


def cluster_children(
    settings: Settings, rasa_ports: Sequence[int], action_ports: Sequence[int], services_env: Dict[str, str]
) -> List[Child]:
    """Action servers, Rasa servers (each pointing at its own action server), then the gateway."""
    template = {child.key: child for child in stack_children(settings)}
    actions, rasas = [], []
    for number, (rasa_port, action_port) in enumerate(zip(rasa_ports, action_ports, strict=True), start=1):
        base = template["actions"]
        actions.append(Child(
            f"actions-{number}", f"动作服务器 {number}", _with_option(base.argv, "--port", str(action_port)),
            f"http://127.0.0.1:{action_port}/health", env=dict(base.env),
        ))
        argv = _with_option(template["rasa"].argv, "--port", str(rasa_port))
        rasas.append(Child(
            f"rasa-{number}", f"Rasa {number}", _with_option(argv, "--endpoints", str(CLUSTER_ENDPOINTS)),
            f"http://127.0.0.1:{rasa_port}/status",
            env={**services_env, "POLICYBOT_ACTION_PORT": str(action_port), "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S)},
        ))
    gateway = template["gateway"]
    gateway.argv = [arg if arg != "bot.gateway.app:app" else "bot.gateway.cluster_app:app" for arg in gateway.argv]
    gateway.env = {"POLICYBOT_RASA_URLS": json.dumps([f"http://127.0.0.1:{port}" for port in rasa_ports]),
                   "POLICYBOT_ACTION_URLS": json.dumps([f"http://127.0.0.1:{port}" for port in action_ports]),
                   # Every gateway of the cluster takes its tokens from the same Redis buckets.
                   "POLICYBOT_RATE_LIMIT_BACKEND": "redis"}
    return [*actions, *rasas, gateway]


class ClusterStack(Stack):
    """``replicas`` Rasa + action-server pairs and one gateway; start()/stop() as ``Stack``.

    Ports: Rasa ``rasa_port + i`` and actions ``action_port + i`` unless given explicitly.
    Needs ``settings.tracker_store_url`` (PostgreSQL) and the Redis settings.
    """

    def __init__(
        self, settings: Settings, replicas: int = 2, rasa_ports: Optional[Sequence[int]] = None,
        action_ports: Optional[Sequence[int]] = None, env: Optional[Dict[str, str]] = None,
    ) -> None:
        if not settings.tracker_store_url:
            raise ClusterError("集群模式需要共享的追踪存储：请设置 POLICYBOT_TRACKER_STORE_URL（PostgreSQL）")
        super().__init__(settings, env)
        self.rasa_ports = list(rasa_ports or [settings.rasa_port + i for i in range(replicas)])
        self.action_ports = list(action_ports or [settings.action_port + i for i in range(replicas)])
        services_env = {
            "POLICYBOT_TRACKER_STORE_URL": settings.tracker_store_url,
            # Tickets must be shared too (action servers create them, the gateway serves staff):
            # unless set apart, they go into the tracker store's database, beside its tables
            # (no name is shared), so a cluster needs no second database or CREATEDB right.
            "POLICYBOT_TICKET_STORE_URL": settings.ticket_store_url or settings.tracker_store_url,
            "POLICYBOT_REDIS_HOST": settings.redis_host,
            "POLICYBOT_REDIS_PORT": str(settings.redis_port),
            "POLICYBOT_REDIS_PASSWORD": settings.redis_password or "",
        }
        self.env.update(services_env)
        self.children = cluster_children(settings, self.rasa_ports, self.action_ports, services_env)

    def start(self, timeout_s: float = 420.0) -> None:
        # Several Rasa servers load their models at once on few cores: allow for it.
        super().start(timeout_s)

    def child(self, key: str) -> Child:
        return next(child for child in self.children if child.key == key)


def main() -> int:
    """``python -m bot.stack.cluster``: run the cluster until Ctrl-C (``make run-cluster``)."""
    settings = get_settings()
    return serve_forever(settings, ClusterStack(settings), "正在启动集群：2 个 Rasa、2 个动作服务器和网关（需要几分钟）……")


if __name__ == "__main__":
    sys.exit(main())
