"""Fixtures for the channel tests: fake Rasa and fake WeChat API on loopback, the gateway app.

The fakes themselves live in ``channel_fakes.py`` (pytest puts this folder on sys.path) and,
for Rasa, in ``tests/support/fake_rasa.py``.
"""

from __future__ import annotations

import httpx
import pytest
from channel_fakes import FakeWeChatAPI, OfficialAccountSim, WeComSim, build_app, new_aes_key

from bot.gateway.rasa_client import RasaClient
from bot.helpdesk import handoff
from bot.settings import Settings, get_settings
from tests.support.fake_rasa import FakeRasa


@pytest.fixture(autouse=True)
def helpdesk_store_in_tmp(tmp_path, monkeypatch):
    """The helpdesk store the WeChat router consults lives in a temporary folder.

    Channels register their staff-reply delivery globally; it is removed afterwards so no
    other test sees a delivery to a fake server that is gone.
    """
    monkeypatch.setenv("POLICYBOT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    for channel in ("wechat", "wecom"):
        handoff.register_delivery(channel, None)
        handoff.register_notifier(channel, None)


@pytest.fixture
def fake_rasa():
    server = FakeRasa().start()
    yield server
    server.stop()


@pytest.fixture
def fake_wechat_api():
    server = FakeWeChatAPI().start()
    yield server
    server.stop()


@pytest.fixture
def channel_settings(fake_wechat_api) -> Settings:
    """Both channels configured, their APIs pointed at the loopback fake."""
    return Settings(
        wechat_token="wechat-token",
        wechat_app_id="wx1234567890abcdef",
        wechat_app_secret="wechat-secret",
        wechat_aes_key=new_aes_key(),
        wechat_api_base=fake_wechat_api.url,
        wecom_token="wecom-token",
        wecom_corp_id="ww1234567890abcdef",
        wecom_secret="wecom-secret",
        wecom_aes_key=new_aes_key(),
        wecom_agent_id="1000002",
        wecom_api_base=fake_wechat_api.url,
        wechat_passive_timeout_s=3.0,
    )


@pytest.fixture
async def rasa_client(fake_rasa):
    client = RasaClient([fake_rasa.url], timeout_s=10.0)
    yield client
    await client.aclose()


@pytest.fixture
async def gateway(channel_settings, rasa_client):
    """(app, client): the gateway with both channels on, and an httpx client driving it."""
    app = build_app(channel_settings, rasa_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield app, client


@pytest.fixture
def official_account(gateway, channel_settings, fake_wechat_api) -> OfficialAccountSim:
    return OfficialAccountSim(channel_settings, gateway[1], fake_wechat_api)


@pytest.fixture
def wecom(gateway, channel_settings, fake_wechat_api) -> WeComSim:
    return WeComSim(channel_settings, gateway[1], fake_wechat_api)
