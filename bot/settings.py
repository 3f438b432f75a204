"""Runtime settings: the one place that reads the environment (prefix ``POLICYBOT_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List, Optional

from pydantic import BaseSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
# The Rasa project: domain, training data, endpoints and credentials files.
RASA_DIR = REPO_ROOT / "bot" / "rasa"


class Settings(BaseSettings):
    """Everything configurable, with defaults that run the single-node stack on loopback."""

    # Processes
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_port: int = 5005
    action_port: int = 5055
    rasa_urls: List[str] = []  # scale-out: several Rasa servers; empty → http://127.0.0.1:<rasa_port>
    # Single node: Rasa processes on rasa_port, rasa_port+1, … (one process uses one core; the
    # gateway sends each conversation always to the same one, so the in-memory lock suffices).
    rasa_workers: int = 2
    action_url: Optional[str] = None
    # Every action server of the stack (the gateway's /health and its "系统正在恢复" check
    # probe each one); empty → action_endpoint.
    action_urls: List[str] = []
    rasa_timeout_s: float = 30.0

    # Files
    kb_path: Path = REPO_ROOT / "build" / "policy_kb.sqlite"
    models_dir: Path = REPO_ROOT / "models"
    data_dir: Path = REPO_ROOT / "var"  # tracker store, tickets (SQLite)

    # Input hygiene
    max_message_chars: int = 500

    # Request limits (bot/gateway/middleware.py): body cap, token buckets per sender and per IP.
    max_body_bytes: int = 64 * 1024
    rate_limit_enabled: bool = True
    sender_rate_per_min: float = 60.0
    sender_burst: int = 20
    ip_rate_per_min: float = 1200.0
    ip_burst: int = 120
    # Peers whose X-Forwarded-For names the client; without that header they are local tools
    # (tests, load test) and skip the per-IP limit (the per-sender limit still applies).
    trusted_proxies: List[str] = ["127.0.0.1", "::1"]

    # Tracker store (bot/rasa/tracker_store.py): SQLAlchemy URL, e.g. postgresql://user:pw@host:5432/db;
    # unset → SQLite at <data_dir>/tracker.db. A session is loaded as its carried-over state
    # plus its last turns (as many as the memoization policy looks back: 5).
    tracker_store_url: Optional[str] = None
    tracker_keep_turns: int = 5
    # Trackers kept in memory by each Rasa process between turns (bot/tracker_store.py); 0 = none.
    tracker_cache_size: int = 1000

    # Helpdesk tickets (bot/helpdesk/store.py): SQLAlchemy URL, e.g. postgresql://user:pw@host:5432/db,
    # so that every process of a cluster shares them; unset → SQLite at <data_dir>/helpdesk.sqlite.
    ticket_store_url: Optional[str] = None

    # Scale-out (bot/stack/cluster.py): Redis lock store shared by the Rasa replicas; a Rasa server
    # that failed is skipped by the gateway for this long (bot/gateway/cluster_rasa_client.py).
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_password: Optional[str] = None
    rasa_retry_cooldown_s: float = 5.0
    # Where the token buckets live (bot/gateway/limits.py): "memory" (one gateway) or "redis"
    # (the cluster sets it: every gateway shares one limit); Redis database for them.
    rate_limit_backend: str = "memory"
    redis_rate_limit_db: int = 2

    # WeChat Official Account (公众号) and WeCom (企业微信); endpoints are off until configured.
    wechat_token: Optional[str] = None
    wechat_app_id: Optional[str] = None
    wechat_app_secret: Optional[str] = None
    wechat_aes_key: Optional[str] = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wecom_token: Optional[str] = None
    wecom_corp_id: Optional[str] = None
    wecom_secret: Optional[str] = None
    wecom_aes_key: Optional[str] = None
    wecom_agent_id: Optional[str] = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wechat_passive_timeout_s: float = 4.0
    # Template message (公众号模板消息) that tells a user a staff answer waits for them when
    # WeChat's 48-hour window is closed; its fields: first, keyword1 (ticket), keyword2, remark.
    wechat_reply_template_id: Optional[str] = None

    # Staff console
    staff_token_ttl_s: int = 8 * 3600
    cors_origins: List[str] = []

    # 送政策入企 in the console (bot/gateway/routers/staff_match.py, bot/gateway/match_jobs.py):
    # uploads up to this size (sent in chunks under max_body_bytes), runs kept this many days
    # under <data_dir>/match_runs, at most this many matching jobs at once (each a subprocess),
    # a ZIP of PDF notices built for runs up to this many firms, near misses within this
    # fraction of the requirement, and the CJK font embedded in PDFs (unset: a system font).
    match_max_upload_bytes: int = 20 * 1024 * 1024
    match_retention_days: float = 30.0
    match_max_running_jobs: int = 1
    match_zip_max_firms: int = 2000
    match_near_miss_fraction: float = 0.2
    match_pdf_font: Optional[Path] = None

    class Config:
        env_prefix = "POLICYBOT_"

    @property
    def rasa_endpoints(self) -> List[str]:
        return self.rasa_urls or [f"http://127.0.0.1:{self.rasa_port}"]

    @property
    def tracker_url(self) -> str:
        return self.tracker_store_url or f"sqlite:///{Path(self.data_dir).resolve() / 'tracker.db'}"

    @property
    def action_endpoint(self) -> str:
        return self.action_url or f"http://127.0.0.1:{self.action_port}"

    @property
    def action_endpoints(self) -> List[str]:
        return self.action_urls or [self.action_endpoint]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
