"""Staff API and console (`/staff`, `/staff/api/...`): the helpdesk queue, behind bearer tokens.

Every call but login needs ``Authorization: Bearer <token>``; a missing, unknown or expired
token gets 401. A staff user with a department acts only on that department's tickets (and
on tickets not yet assigned to one); anything else gets 403. Every action is audited.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, validator

from bot.gateway.deps import BearerToken, OptionalKB, Staff, Store
from bot.helpdesk import handoff, triage
from bot.helpdesk.errors import InvalidTriage, TicketConflict, TicketNotFound
from bot.helpdesk.store import (
    CATEGORIES,
    STATUSES,
    URGENCIES,
    Category,
    StaffUser,
    Status,
    Ticket,
    TicketStore,
    Urgency,
)
from bot.settings import get_settings
from policy_kb.store import KnowledgeBase

router = APIRouter(prefix="/staff", tags=["人工客服"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "staff"
STATIC_FILES = {"app.js": "text/javascript", "style.css": "text/css"}


class LoginRequest(BaseModel):
    username: str = Field(..., min_length=1, max_length=64, description="用户名")
    password: str = Field(..., min_length=1, max_length=256, description="密码")


class ReplyRequest(BaseModel):
    text: str = Field(..., description="发给用户的回复")

    @validator("text")
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("回复不能为空")
        if len(value) > 2000:
            raise ValueError("回复过长：最多 2000 个字")
        return value.strip()


class TriageRequest(BaseModel):
    category: Optional[Category] = Field(None, description="类别")
    department: Optional[str] = Field(None, max_length=64, description="承办部门（空字符串表示未定）")
    urgency: Optional[Urgency] = Field(None, description="紧急程度")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _me(user: StaffUser) -> Dict[str, Any]:
    return {"username": user.username, "department": user.department}


def _summary(ticket: Ticket) -> Dict[str, Any]:
    data = ticket.to_dict()
    for heavy in ("transcript", "history", "facts", "eligibility_trace"):
        data.pop(heavy)
    return data


def _ticket_for(ticket_id: str, user: StaffUser, store: TicketStore) -> Ticket:
    """The ticket, or 404 when it does not exist, 403 when it belongs to another department."""
    try:
        ticket = store.get_ticket(ticket_id)
    except TicketNotFound as err:
        raise HTTPException(status_code=404, detail=str(err)) from err
    if not user.can_act_on(ticket):
        store.audit(user.username, "denied", ticket_id, f"工单属于{ticket.department}")
        raise HTTPException(status_code=403, detail=f"该工单由{ticket.department}承办，您（{user.department}）无权处理。")
    return ticket


# -- console ------------------------------------------------------------------------------

@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
def console() -> FileResponse:
    """The staff console page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


@router.get("/static/{name}", include_in_schema=False)
def console_asset(name: str) -> FileResponse:
    """The console's script and style sheet (a fixed list: no paths from the request reach the disk)."""
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail="文件不存在")
    return FileResponse(STATIC_DIR / name, media_type=f"{STATIC_FILES[name]}; charset=utf-8")


# -- sign-in ------------------------------------------------------------------------------

@router.post("/api/login", summary="登录，返回令牌和过期时间")
def login(body: LoginRequest, store: Store) -> Dict[str, Any]:
    user = store.verify_password(body.username, body.password)
    if user is None:
        store.audit(body.username, "login_failed")
        raise HTTPException(status_code=401, detail="用户名或密码错误。", headers={"WWW-Authenticate": "Bearer"})
    token, expires_at = store.issue_token(user.username, get_settings().staff_token_ttl_s)
    store.audit(user.username, "login")
    return {"token": token, "token_type": "bearer", "expires_at": _iso(expires_at), **_me(user)}


@router.post("/api/logout", summary="退出登录，令牌作废")
def logout(credentials: BearerToken,
           user: Staff, store: Store) -> Dict[str, str]:
    store.revoke_token(credentials.credentials)
    store.audit(user.username, "logout")
    return {"status": "ok"}


@router.get("/api/me", summary="当前登录的工作人员")
def me(user: Staff) -> Dict[str, Any]:
    return _me(user)


@router.get("/api/options", summary="筛选和分派可用的类别、紧急程度、状态和部门")
def options(user: Staff, store: Store, kb: OptionalKB) -> Dict[str, Any]:
    departments = {t.department for t in store.list_tickets() if t.department}
    for region in _kb_regions(kb):
        departments.update(d.name for d in triage.departments_for(region, get_settings().kb_path))
    return {"categories": list(CATEGORIES), "urgencies": list(URGENCIES), "statuses": list(STATUSES),
            "departments": sorted(departments)}


def _kb_regions(kb: Optional[KnowledgeBase]) -> List[str]:
    """Regions whose departments the KB knows; none when it is not built yet."""
    if kb is None:
        return []
    return sorted({doc.region for doc in kb.documents()})


# -- the queue ----------------------------------------------------------------------------

@router.get("/api/tickets", summary="工单列表（可按状态、类别、部门筛选）")
def list_tickets(user: Staff, store: Store,
                 status: Optional[Status] = Query(None, description="open/claimed/resolved"),
                 category: Optional[Category] = Query(None, description="类别"),
                 department: Optional[str] = Query(None, max_length=64, description="承办部门"),
                 ) -> List[Dict[str, Any]]:
    tickets = store.list_tickets(status, category, department, visible_to=user.department)
    store.audit(user.username, "list", None, f"status={status or ''} category={category or ''} "
                                              f"department={department or ''}")
    return [_summary(t) for t in tickets]


@router.get("/api/tickets/{ticket_id}", summary="工单详情：对话记录、企业信息、资格判断过程、分诊")
def show_ticket(ticket_id: str, user: Staff,
                store: Store) -> Dict[str, Any]:
    ticket = _ticket_for(ticket_id, user, store)
    store.audit(user.username, "view", ticket_id)
    return ticket.to_dict()


@router.post("/api/tickets/{ticket_id}/claim", summary="认领工单：之后由人工答复，助手不再回复")
async def claim(ticket_id: str, user: Staff,
                store: Store) -> Dict[str, Any]:
    ticket = _ticket_for(ticket_id, user, store)
    was_claimed = ticket.status == "claimed"
    ticket = _transition(store.claim, ticket_id, user)
    store.audit(user.username, "claim", ticket_id)
    if not was_claimed:
        await _deliver(handoff.announce_claim(ticket, store))
    return store.get_ticket(ticket_id).to_dict()


@router.post("/api/tickets/{ticket_id}/reply", summary="回复用户（未认领的工单会先由您认领）")
async def reply(ticket_id: str, body: ReplyRequest, user: Staff,
                store: Store) -> Dict[str, Any]:
    ticket = _ticket_for(ticket_id, user, store)
    if ticket.status != "claimed":
        ticket = _transition(store.claim, ticket_id, user)
        store.audit(user.username, "claim", ticket_id, "回复时自动认领")
    elif ticket.claimed_by != user.username:
        raise HTTPException(status_code=409, detail=f"工单已由 {ticket.claimed_by} 认领。")
    via = await _deliver(handoff.send_staff_reply(ticket, user.username, body.text, store))
    store.audit(user.username, "reply", ticket_id, body.text)
    return {"delivered_via": via, "ticket": store.get_ticket(ticket_id).to_dict()}


@router.post("/api/tickets/{ticket_id}/resolve", summary="办结工单，对话交还助手")
async def resolve(ticket_id: str, user: Staff,
                  store: Store) -> Dict[str, Any]:
    _ticket_for(ticket_id, user, store)
    ticket = _transition(store.resolve, ticket_id, user)
    store.audit(user.username, "resolve", ticket_id)
    await _deliver(handoff.announce_resolve(ticket, store))
    return store.get_ticket(ticket_id).to_dict()


@router.patch("/api/tickets/{ticket_id}/triage", summary="修改分诊：类别、承办部门、紧急程度")
def set_triage(ticket_id: str, body: TriageRequest, user: Staff,
               store: Store) -> Dict[str, Any]:
    ticket = _ticket_for(ticket_id, user, store)
    department = ticket.department if body.department is None else (body.department.strip() or None)
    try:
        updated = store.set_triage(ticket_id, user.username, body.category or ticket.category,
                                   department, body.urgency or ticket.urgency)
    except InvalidTriage as err:
        raise HTTPException(status_code=422, detail=[{"field": "body", "message": str(err)}]) from err
    store.audit(user.username, "triage", ticket_id,
                f"{updated.category}/{updated.department or '未定'}/{updated.urgency}")
    return updated.to_dict()


def _transition(change, ticket_id: str, user: StaffUser) -> Ticket:
    """Claim or resolve; 409 when the ticket's state does not allow it."""
    try:
        return change(ticket_id, user.username)
    except TicketConflict as err:
        raise HTTPException(status_code=409, detail=str(err)) from err


async def _deliver(sending) -> str:
    """Await a delivery; 502 when the user's channel refused the message (it is already recorded)."""
    try:
        return await sending
    except handoff.DeliveryFailed as err:
        raise HTTPException(status_code=502, detail=f"已记录，但未能送达用户：{err}") from err
