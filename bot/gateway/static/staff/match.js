// 送政策入企: upload a firm list in chunks, poll the background run, show the figures, a chart,
// the near misses, the firms and the bad rows; download results and notices. Every value from
// the server is rendered with textContent (never innerHTML): file contents are user input.
"use strict";

const STAFF_API = "/staff/api";
const API = "/staff/match/api";
const STATUS_NAMES = { eligible: "符合", needs_info: "需补充信息", ineligible: "暂不符合", error: "数据有误" };
const STATE_NAMES = { uploading: "上传中", queued: "排队中", running: "比对中", done: "已完成", failed: "失败" };
const STATUSES = ["eligible", "needs_info", "ineligible"];
const POLL_MS = 700;
const PAGE = 50;

const state = { token: sessionStorage.getItem("staffToken"), limits: null, runId: null, run: null, offset: 0, timer: null };

function $(id) { return document.getElementById(id); }

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function detailText(detail) {
  if (Array.isArray(detail)) return detail.map((d) => `${d.field}：${d.message}`).join("；");
  return detail || "请求失败";
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

// fetch with the bearer token; retries after a 429 as the gateway asks (chunked uploads).
async function call(method, url, body, raw) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let payload = body;
    if (body !== undefined && !(body instanceof Blob)) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    if (body instanceof Blob) headers["Content-Type"] = "application/octet-stream";
    const reply = await fetch(url, { method, headers, body: payload });
    if (reply.status === 429 && attempt < 20) {
      await sleep(1000 * Number(reply.headers.get("Retry-After") || 1));
      continue;
    }
    if (reply.status === 401 && !url.endsWith("/login")) signOut("登录已过期，请重新登录。");
    if (!reply.ok) {
      const data = await reply.json().catch(() => ({}));
      throw new Error(detailText(data.detail) || `请求失败（${reply.status}）`);
    }
    return raw ? reply : reply.json();
  }
}

function show(view) {
  $("login-view").hidden = view !== "login";
  $("match-view").hidden = view !== "match";
  $("whoami").hidden = view !== "match";
}

function signOut(message) {
  state.token = null;
  sessionStorage.removeItem("staffToken");
  stopPolling();
  $("login-error").textContent = message || "";
  show("login");
}

async function signIn(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const data = await call("POST", `${STAFF_API}/login`, {
      username: $("login-username").value.trim(), password: $("login-password").value,
    });
    state.token = data.token;
    sessionStorage.setItem("staffToken", data.token);
    $("login-password").value = "";
    await start();
  } catch (err) {
    $("login-error").textContent = err.message;
  }
}

async function start() {
  const me = await call("GET", `${STAFF_API}/me`);
  $("me-name").textContent = `${me.username}（${me.department || "全部部门"}）`;
  state.limits = await call("GET", `${API}/limits`);
  $("max-size").textContent = Math.floor(state.limits.max_upload_bytes / 1048576);
  $("retention").textContent = state.limits.retention_days;
  $("upload-issuer").placeholder = me.department || "发文单位";
  show("match");
  await loadHistory();
}

// -- downloads --------------------------------------------------------------------------
function fileNameOf(reply, fallback) {
  const header = reply.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  return star ? decodeURIComponent(star[1]) : fallback;
}

async function download(url, fallback, messageId) {
  const message = $(messageId || "download-message");
  message.textContent = "正在准备下载……";
  try {
    const reply = await call("GET", url, undefined, true);
    const blob = await reply.blob();
    const link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileNameOf(reply, fallback);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 30000);
    message.textContent = `已下载：${link.download}`;
  } catch (err) {
    message.textContent = err.message;
  }
}

// -- upload -----------------------------------------------------------------------------
async function upload(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  $("upload-message").textContent = "";
  if (!file) { $("upload-message").textContent = "请选择文件。"; return; }
  if (file.size > state.limits.max_upload_bytes) {
    $("upload-message").textContent = `文件过大：最多 ${Math.floor(state.limits.max_upload_bytes / 1048576)} MB，请把名单拆成几个文件分别上传。`;
    return;
  }
  $("upload-start").disabled = true;
  $("results").hidden = true;
  try {
    const run = await call("POST", `${API}/runs`, { filename: file.name, size: file.size, issuer: $("upload-issuer").value });
    const step = state.limits.chunk_bytes;
    for (let offset = 0; offset < file.size; offset += step) {
      showProgress({ state: "uploading", progress: {} }, offset / file.size);
      await call("PUT", `${API}/runs/${run.id}/file?offset=${offset}`, file.slice(offset, offset + step));
    }
    await call("POST", `${API}/runs/${run.id}/start`);
    await openRun(run.id);
  } catch (err) {
    $("upload-message").textContent = err.message;
    $("run-progress").hidden = true;
  } finally {
    $("upload-start").disabled = false;
    loadHistory().catch(() => {});
  }
}

function showProgress(run, uploaded) {
  $("run-progress").hidden = false;
  const bar = $("run-progress-bar");
  const p = run.progress || {};
  let text = STATE_NAMES[run.state] || run.state;
  if (run.state === "uploading") {
    bar.value = Math.round((uploaded || 0) * 100);
    text = `上传中 ${bar.value}%`;
  } else if (p.total) {
    bar.value = Math.round((p.done / p.total) * 100);
    text = `${p.phase === "notices" ? "生成告知书" : "比对中"}：${p.done} / ${p.total}`;
  } else if (run.state === "queued" || run.state === "running") {
    bar.removeAttribute("value");
  }
  if (run.state === "done") {
    bar.value = 100;
    text = `已完成：比对 ${run.figures.rows} 行`;
  }
  if (run.state === "failed") text = "失败";
  $("run-progress-text").textContent = text;
}

// -- a run ------------------------------------------------------------------------------
function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

async function openRun(id) {
  stopPolling();
  state.runId = id;
  state.offset = 0;
  await poll();
}

async function poll() {
  const run = await call("GET", `${API}/runs/${state.runId}`);
  state.run = run;
  showProgress(run);
  if (run.state === "failed") {
    $("upload-message").textContent = `比对失败：${run.error}`;
    $("results").hidden = true;
    return;
  }
  if (run.state !== "done") {
    state.timer = setTimeout(() => poll().catch((err) => { $("upload-message").textContent = err.message; }), POLL_MS);
    return;
  }
  await renderRun(run);
  loadHistory().catch(() => {});
}

async function renderRun(run) {
  const f = run.figures;
  $("results-title").textContent = `比对结果：${run.filename}（${run.created_at.replace("T", " ").slice(0, 16)}，${run.username}）`;
  $("fig-rows").textContent = f.rows;
  $("fig-ok").textContent = f.ok;
  $("fig-eligible").textContent = f.overall.eligible;
  $("fig-near").textContent = f.near_misses;
  $("fig-bad").textContent = run.bad_total;
  $("download-zip").disabled = !run.has_zip;
  $("download-zip").title = run.has_zip ? "" : `超过 ${state.limits.zip_max_firms} 家企业时不打包，请逐家下载`;
  renderCounts(f.programmes);
  renderChart(f.programmes);
  renderBad(run.bad, run.notes);
  const select = $("filter-program");
  while (select.options.length > 1) select.remove(1);
  for (const p of f.programmes) {
    const option = el("option", p.program_name);
    option.value = p.program_id;
    select.appendChild(option);
  }
  $("results").hidden = false;
  await Promise.all([loadNear(), loadFirms()]);
}

function renderCounts(programmes) {
  $("counts").tBodies[0].replaceChildren(...programmes.map((p) => {
    const row = el("tr");
    row.dataset.program = p.program_id;
    row.appendChild(el("td", p.program_name));
    for (const s of STATUSES) row.appendChild(el("td", p.counts[s], `status-${s}`));
    return row;
  }));
}

// A stacked horizontal bar per programme, drawn as SVG (no chart library).
function renderChart(programmes) {
  const ns = "http://www.w3.org/2000/svg";
  const width = 420, barH = 26, gap = 34, left = 4, top = 18;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${top + programmes.length * (barH + gap)}`);
  programmes.forEach((p, i) => {
    const total = STATUSES.reduce((n, s) => n + p.counts[s], 0) || 1;
    const y = top + i * (barH + gap);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", left);
    label.setAttribute("y", y - 5);
    label.setAttribute("font-size", "13");
    label.textContent = `${p.program_name}（${total}家）`;
    svg.appendChild(label);
    let x = left;
    for (const s of STATUSES) {
      const w = ((width - 2 * left) * p.counts[s]) / total;
      if (!w) continue;
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", x); rect.setAttribute("y", y); rect.setAttribute("width", w); rect.setAttribute("height", barH);
      rect.setAttribute("class", s);
      rect.dataset.count = p.counts[s];
      const title = document.createElementNS(ns, "title");
      title.textContent = `${STATUS_NAMES[s]}：${p.counts[s]}家`;
      rect.appendChild(title);
      svg.appendChild(rect);
      if (w > 24) {
        const n = document.createElementNS(ns, "text");
        n.setAttribute("x", x + w / 2); n.setAttribute("y", y + barH / 2 + 5);
        n.setAttribute("text-anchor", "middle"); n.setAttribute("font-size", "13"); n.setAttribute("fill", "#fff");
        n.textContent = p.counts[s];
        svg.appendChild(n);
      }
      x += w;
    }
  });
  $("chart").replaceChildren(svg);
}

function renderBad(bad, notes) {
  $("bad").tBodies[0].replaceChildren(...bad.map((b) => {
    const row = el("tr");
    row.dataset.row = b.row;
    for (const text of [b.sheet, b.row, b.reason]) row.appendChild(el("td", text));
    return row;
  }));
  $("bad-empty").hidden = bad.length > 0;
  $("notes").replaceChildren(...(notes || []).map((n) => el("li", n)));
}

async function loadNear() {
  const data = await call("GET", `${API}/runs/${state.runId}/firms?near=true&limit=200`);
  $("near").tBodies[0].replaceChildren(...data.items.map((item) => {
    const row = el("tr");
    row.dataset.row = item.row;
    for (const text of [item.row, item.name, item.program_name, item.near_miss, item.near_miss_fix]) row.appendChild(el("td", text));
    return row;
  }));
  $("near-empty").hidden = data.items.length > 0;
}

function firmQuery() {
  const params = new URLSearchParams({ offset: state.offset, limit: PAGE });
  if ($("filter-program").value) params.set("program", $("filter-program").value);
  if ($("filter-status").value) params.set("status", $("filter-status").value);
  if ($("filter-q").value.trim()) params.set("q", $("filter-q").value.trim());
  if ($("filter-near").checked) params.set("near", "true");
  return params;
}

async function loadFirms(event) {
  if (event) { event.preventDefault(); state.offset = 0; }
  const data = await call("GET", `${API}/runs/${state.runId}/firms?${firmQuery()}`);
  $("firms").tBodies[0].replaceChildren(...data.items.map(firmRow));
  const last = Math.min(data.offset + data.items.length, data.total);
  $("page-info").textContent = data.total ? `第 ${data.offset + 1}–${last} 条，共 ${data.total} 条` : "没有符合筛选条件的结果";
  $("page-prev").disabled = data.offset === 0;
  $("page-next").disabled = last >= data.total;
}

function firmRow(item) {
  const row = el("tr");
  row.dataset.row = item.row;
  const status = item.firm_status === "error" ? "error" : item.status;
  row.appendChild(el("td", item.row));
  row.appendChild(el("td", item.name));
  row.appendChild(el("td", item.region));
  row.appendChild(el("td", item.program_name || ""));
  row.appendChild(el("td", STATUS_NAMES[status] || status, `status-${status}`));
  row.appendChild(el("td", item.firm_status === "error" ? item.error : (item.reasons || ""), "reasons"));
  const actions = el("td", null, "row-actions");
  if (item.firm_status !== "error") {
    for (const fmt of ["pdf", "docx"]) {
      const button = el("button", fmt.toUpperCase());
      button.type = "button";
      button.className = `notice-${fmt}`;
      button.addEventListener("click", () => download(`${API}/runs/${state.runId}/notices/${item.row}.${fmt}`, `告知书.${fmt}`));
      actions.appendChild(button);
    }
  }
  row.appendChild(actions);
  return row;
}

// -- history ----------------------------------------------------------------------------
async function loadHistory() {
  const runs = await call("GET", `${API}/runs`);
  $("history").tBodies[0].replaceChildren(...runs.map((run) => {
    const row = el("tr");
    row.dataset.id = run.id;
    const f = run.figures || {};
    const counts = f.overall ? `${f.overall.eligible} / ${f.overall.needs_info} / ${f.overall.ineligible}` : "";
    for (const text of [run.created_at.replace("T", " ").slice(0, 16), run.username, run.filename, f.rows ?? "",
      counts, run.state === "failed" ? `失败：${run.error || ""}` : (STATE_NAMES[run.state] || run.state)]) {
      row.appendChild(el("td", text));
    }
    const cell = el("td");
    if (run.state === "done") {
      const view = el("button", "查看");
      view.type = "button";
      view.addEventListener("click", () => openRun(run.id));
      const again = el("button", "下载结果");
      again.type = "button";
      again.addEventListener("click", () => { state.runId = run.id; download(`${API}/runs/${run.id}/results.xlsx`, "比对结果.xlsx"); });
      cell.append(view, " ", again);
    }
    row.appendChild(cell);
    return row;
  }));
  $("history-empty").hidden = runs.length > 0;
}

async function logout() {
  try { await call("POST", `${STAFF_API}/logout`); } catch (err) { /* already signed out */ }
  signOut("已退出。");
}

$("login-form").addEventListener("submit", signIn);
$("logout").addEventListener("click", logout);
$("upload-form").addEventListener("submit", upload);
$("firm-filters").addEventListener("submit", loadFirms);
$("page-prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadFirms(); });
$("page-next").addEventListener("click", () => { state.offset += PAGE; loadFirms(); });
$("download-template").addEventListener("click", () => download("/staff/match/template.xlsx", "企业名单模板.xlsx", "template-message"));
$("download-results").addEventListener("click", () => download(`${API}/runs/${state.runId}/results.xlsx`, "比对结果.xlsx"));
$("download-zip").addEventListener("click", () => download(`${API}/runs/${state.runId}/notices.zip`, "政策告知书.zip"));

if (state.token) {
  start().catch(() => signOut(""));
} else {
  show("login");
}
