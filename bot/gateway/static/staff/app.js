// Staff console: sign-in, queue, ticket view. Every value from the server is rendered with
// textContent (never innerHTML): transcripts hold whatever users typed.
"use strict";

const API = "/staff/api";
const STATUS_NAMES = { open: "待处理", claimed: "处理中", resolved: "已办结" };
const CHANNEL_NAMES = { web: "网页", wechat: "公众号", wecom: "企业微信" };
const WHO_NAMES = { user: "用户", bot: "助手", staff: "人工" };
const REFRESH_MS = 5000;
// Slot names (docs/nlu-spec.md entities) as staff read them.
const FACT_NAMES = {
  region: "地区", scale: "企业规模", investment: "固定资产投资（万元）", investment_this_year: "今年完成投资（万元）",
  amount: "金额（万元）", percent: "产值增长（%）", filing: "备案（核准）", completion: "年内竣工",
  catalog: "产业目录类别", direction: "改造方向", honor: "荣誉称号", program: "项目类别",
  project_type: "项目类型", incentive: "优惠政策",
};
// Delivery of messages to WeChat/WeCom users (ticket.deliveries): WeChat takes them only within
// 48 hours of the user's last message; later ones wait for the user's next message.
const DELIVERY_NAMES = { sent: "已送达", waiting: "等待用户发消息后送达", failed: "发送失败" };
const STATUS_MARKS = { eligible: "符合", ineligible: "不符合", needs_info: "待补充信息" };

const state = { token: sessionStorage.getItem("staffToken"), me: null, ticketId: null, timer: null };

function $(id) { return document.getElementById(id); }

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function detailText(detail) {
  if (Array.isArray(detail)) return detail.map((d) => `${d.field}：${d.message}`).join("；");
  return detail || "请求失败";
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const reply = await fetch(API + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await reply.json().catch(() => ({}));
  if (reply.status === 401 && path !== "/login") {
    signOut("登录已过期，请重新登录。");
  }
  if (!reply.ok) throw new ApiError(reply.status, detailText(data.detail));
  return data;
}

function show(view) {
  for (const id of ["login-view", "queue-view", "ticket-view"]) $(id).hidden = id !== view;
  $("whoami").hidden = view === "login-view";
  if (view !== "ticket-view") stopRefresh();
}

function signOut(message) {
  state.token = null;
  state.me = null;
  sessionStorage.removeItem("staffToken");
  $("login-error").textContent = message || "";
  show("login-view");
}

async function signIn(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const data = await api("POST", "/login", {
      username: $("login-username").value.trim(),
      password: $("login-password").value,
    });
    state.token = data.token;
    sessionStorage.setItem("staffToken", data.token);
    $("login-password").value = "";
    await start();
  } catch (err) {
    $("login-error").textContent = err.message;
  }
}

function fillSelect(select, values, names, keepFirst) {
  while (select.options.length > (keepFirst ? 1 : 0)) select.remove(select.options.length - 1);
  for (const value of values) {
    const option = el("option", (names && names[value]) || value);
    option.value = value;
    select.appendChild(option);
  }
}

async function start() {
  state.me = await api("GET", "/me");
  $("me-name").textContent = `${state.me.username}（${state.me.department || "全部部门"}）`;
  const options = await api("GET", "/options");
  fillSelect($("filter-category"), options.categories, null, true);
  fillSelect($("filter-department"), options.departments, null, true);
  fillSelect($("triage-category"), options.categories);
  fillSelect($("triage-urgency"), options.urgencies);
  const list = $("department-options");
  list.replaceChildren(...options.departments.map((d) => { const o = el("option"); o.value = d; return o; }));
  await loadQueue();
}

async function loadQueue(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  for (const [key, id] of [["status", "filter-status"], ["category", "filter-category"], ["department", "filter-department"]]) {
    if ($(id).value) params.set(key, $(id).value);
  }
  const tickets = await api("GET", `/tickets?${params}`);
  const body = $("queue").tBodies[0];
  body.replaceChildren(...tickets.map(queueRow));
  $("queue-empty").hidden = tickets.length > 0;
  show("queue-view");
}

function queueRow(ticket) {
  const row = el("tr");
  row.dataset.id = ticket.id;
  const cells = [ticket.id, ticket.category, ticket.department || "未定", ticket.urgency,
    STATUS_NAMES[ticket.status] || ticket.status, CHANNEL_NAMES[ticket.channel] || ticket.channel,
    ticket.created_at.replace("T", " ").slice(0, 16), ticket.claimed_by || ""];
  cells.forEach((text, i) => row.appendChild(el("td", text, i === 3 ? `urgency-${text}` : undefined)));
  row.addEventListener("click", () => openTicket(ticket.id));
  return row;
}

async function openTicket(id) {
  state.ticketId = id;
  $("action-message").textContent = "";
  await renderTicket(await api("GET", `/tickets/${encodeURIComponent(id)}`), true);
  show("ticket-view");
  startRefresh();
}

async function renderTicket(ticket, withTriage) {
  $("ticket-title").textContent = `工单 ${ticket.id}`;
  $("ticket-status").textContent = STATUS_NAMES[ticket.status] || ticket.status;
  $("ticket-meta").textContent = `${CHANNEL_NAMES[ticket.channel] || ticket.channel} · 用户 ${ticket.sender}` +
    (ticket.claimed_by ? ` · 认领人 ${ticket.claimed_by}` : "");
  const mine = ticket.claimed_by === state.me.username;
  $("claim").disabled = ticket.status !== "open";
  $("resolve").disabled = ticket.status === "resolved" || (ticket.status === "claimed" && !mine);
  $("reply-send").disabled = ticket.status === "resolved" || (ticket.status === "claimed" && !mine);
  renderTranscript(ticket.transcript);
  renderDeliveries(ticket.deliveries || []);
  renderFacts(ticket.facts);
  renderTrace(ticket.eligibility_trace);
  $("history").replaceChildren(...ticket.history.map((h) => el("li", `${h.time.replace("T", " ").slice(0, 19)} ${h.who}：${h.what}`)));
  $("triage-explanation").textContent = ticket.triage_explanation;
  if (withTriage) {
    $("triage-category").value = ticket.category;
    $("triage-department").value = ticket.department || "";
    $("triage-urgency").value = ticket.urgency;
  }
}

function renderTranscript(entries) {
  const list = $("transcript");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 10;
  list.replaceChildren(...entries.map((entry) => {
    const item = el("li", null, `from-${entry.who}`);
    item.appendChild(el("span", `${WHO_NAMES[entry.who] || entry.who} · ${entry.time.replace("T", " ").slice(0, 19)}`, "who"));
    item.appendChild(el("span", entry.text, "text"));
    return item;
  }));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderDeliveries(deliveries) {
  $("deliveries").replaceChildren(...deliveries.map((d) => {
    const code = d.errcode && d.state !== "sent" ? `（错误码 ${d.errcode}）` : "";
    const via = d.state === "sent" && d.via ? `，${d.via}` : "";
    const item = el("li", null, `delivery-${d.state}`);
    item.appendChild(el("span", `${DELIVERY_NAMES[d.state] || d.state}${code}${via} · ${d.updated_at.replace("T", " ").slice(0, 19)}`, "who"));
    item.appendChild(el("span", d.text, "text"));
    if (d.detail && d.state !== "sent") item.appendChild(el("span", d.detail, "muted"));
    return item;
  }));
  $("deliveries-empty").hidden = deliveries.length > 0;
}

function renderFacts(facts) {
  const keys = Object.keys(facts || {});
  $("facts").tBodies[0].replaceChildren(...keys.map((key) => {
    const row = el("tr");
    const value = facts[key];
    row.appendChild(el("th", FACT_NAMES[key] || key));
    row.appendChild(el("td", typeof value === "object" ? JSON.stringify(value) : value));
    return row;
  }));
  $("facts-empty").hidden = keys.length > 0;
}

// The last eligibility result (docs/api.md §4 shape) as a readable list; anything else as JSON.
function renderTrace(trace) {
  const box = $("trace");
  if (!trace) { box.textContent = "（无）"; return; }
  if (!Array.isArray(trace.results)) { box.textContent = JSON.stringify(trace, null, 2); return; }
  const lines = [];
  for (const result of trace.results) {
    lines.push(`${result.program_name || result.program_id}：${STATUS_MARKS[result.status] || result.status}`);
    for (const check of result.checks || []) {
      const mark = check.passed === true ? "✓" : check.passed === false ? "✗" : "？";
      lines.push(`  ${mark} ${check.explanation || check.id}`);
    }
    if ((result.missing || []).length) lines.push(`  缺少：${result.missing.join("、")}`);
    for (const advice of result.advice || []) lines.push(`  建议：${advice}`);
  }
  box.textContent = lines.join("\n");
}

async function ticketAction(path, body, method) {
  $("action-message").textContent = "";
  try {
    const data = await api(method || "POST", `/tickets/${encodeURIComponent(state.ticketId)}${path}`, body);
    const ticket = data.ticket || data;
    state.lastDelivery = (ticket.deliveries || []).slice(-1)[0];
    await renderTicket(ticket, path === "/triage");
    return true;
  } catch (err) {
    $("action-message").textContent = err.message;
    return false;
  }
}

async function sendReply(event) {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) return;
  if (await ticketAction("/reply", { text })) {
    $("reply-text").value = "";
    const waiting = (state.lastDelivery || {}).state === "waiting";
    $("action-message").textContent = waiting ? "用户超过 48 小时未发消息：回复已保存，将在用户下次发消息时送达。" : "已发送。";
  }
}

async function saveTriage(event) {
  event.preventDefault();
  const ok = await ticketAction("/triage", {
    category: $("triage-category").value,
    department: $("triage-department").value.trim(),
    urgency: $("triage-urgency").value,
  }, "PATCH");
  if (ok) $("action-message").textContent = "分诊已保存。";
}

function startRefresh() {
  stopRefresh();
  state.timer = setInterval(async () => {
    try {
      await renderTicket(await api("GET", `/tickets/${encodeURIComponent(state.ticketId)}`), false);
    } catch (err) {
      $("action-message").textContent = err.message;
    }
  }, REFRESH_MS);
}

function stopRefresh() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

async function logout() {
  try { await api("POST", "/logout"); } catch (err) { /* already signed out on the server */ }
  signOut("已退出。");
}

$("login-form").addEventListener("submit", signIn);
$("filters").addEventListener("submit", loadQueue);
$("back").addEventListener("click", () => loadQueue());
$("logout").addEventListener("click", logout);
$("claim").addEventListener("click", () => ticketAction("/claim"));
$("resolve").addEventListener("click", () => ticketAction("/resolve"));
$("reply-form").addEventListener("submit", sendReply);
$("triage-form").addEventListener("submit", saveTriage);

if (state.token) {
  start().catch(() => signOut(""));
} else {
  show("login-view");
}
