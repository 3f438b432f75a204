// 技改政策助手 web chat. Talks to POST /api/chat (Rasa REST channel shape).
// Everything shown is set with textContent: message text is never parsed as HTML.
"use strict";

(function () {
  const STORE_SENDER = "policybot.sender";
  const STORE_HISTORY = "policybot.history";
  const STORE_CURSOR = "policybot.updatesCursor";
  const HISTORY_LIMIT = 200; // entries kept in localStorage
  const REQUEST_TIMEOUT_MS = 40000; // a little above the gateway's own Rasa timeout
  const POLL_INTERVAL_MS = 5000;
  const CITATION_PREFIX = "依据：";
  const HUMAN_REQUEST = "转人工";
  const EXAMPLES = ["六安省级智能工厂奖励多少", "我们想问问技改项目能不能入选千企技改", "研发费用加计扣除怎么算"];
  const TEXT = {
    welcome: "您好！我是技改政策助手，可以解答六安市、广西技术改造支持政策的申报条件、奖补金额、办理流程和相关税收优惠。请直接输入您的问题。",
    examples: "您可以这样问：",
    unreachable: "无法连接服务器，请检查网络后重试。",
    unavailable: "助手暂时无法回复，请稍后再试。",
    timeout: "等待回复超时，请稍后重试。",
    badInput: "消息未能发送：",
    tooLong: (n) => `消息过长：最多 ${n} 个字，请分几次发送。`,
    staff: "人工客服",
    typing: "助手正在输入",
  };

  const app = document.getElementById("app");
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const sendButton = document.getElementById("send");
  const maxChars = parseInt(app.dataset.maxChars, 10) || 500;

  let history = loadHistory();
  const sender = loadSender();
  let pending = false;
  let pollTimer = null;
  let updatesCursor = storageGet(STORE_CURSOR);

  // ---- storage (localStorage can be missing or full: the chat still works) ----
  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: not kept */ }
  }
  function storageRemove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  function newSenderId() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function loadSender() {
    let id = storageGet(STORE_SENDER);
    if (!id || !/^web-[0-9a-f]{32}$/.test(id)) {
      id = newSenderId();
      storageSet(STORE_SENDER, id);
    }
    return id;
  }
  function loadHistory() {
    try {
      const parsed = JSON.parse(storageGet(STORE_HISTORY) || "[]");
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch (e) {
      return [];
    }
  }
  function isEntry(entry) {
    return entry && typeof entry.text === "string" && ["user", "bot", "staff"].includes(entry.role);
  }
  function saveHistory() {
    history = history.slice(-HISTORY_LIMIT);
    storageSet(STORE_HISTORY, JSON.stringify(history));
  }

  // ---- rendering ----
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
  }

  function clearQuickReplies() {
    list.querySelectorAll(".quick-replies").forEach((node) => node.remove());
  }

  // A bot line that starts with 依据： is its citation: shown small and grey.
  function fillBubble(bubble, entry) {
    // The helpdesk may already prefix its messages with 【人工客服】: no second label then.
    if (entry.role === "staff" && !entry.text.startsWith("【")) bubble.appendChild(el("span", "who", TEXT.staff));
    if (entry.role === "user") {
      bubble.textContent = entry.text;
      return;
    }
    for (const line of entry.text.split("\n")) {
      if (!line.trim()) continue;
      const isCitation = line.trim().startsWith(CITATION_PREFIX);
      bubble.appendChild(el("p", isCitation ? "cite" : "", line));
    }
  }

  function renderEntry(entry) {
    const row = el("div", "row " + entry.role);
    const bubble = el("div", "bubble");
    fillBubble(bubble, entry);
    row.appendChild(bubble);
    list.appendChild(row);
  }

  function renderButtons(buttons, labelText) {
    clearQuickReplies();
    if (!buttons || !buttons.length) return;
    const box = el("div", "quick-replies");
    if (labelText) box.appendChild(el("span", "examples-label", labelText));
    for (const button of buttons) {
      const node = el("button", "", button.title);
      node.type = "button";
      node.addEventListener("click", () => send(button.payload, button.title));
      box.appendChild(node);
    }
    list.appendChild(box);
  }

  function renderAll() {
    list.textContent = "";
    renderEntry({ role: "bot", text: TEXT.welcome });
    history.forEach(renderEntry);
    const last = history[history.length - 1];
    if (!history.length) {
      renderButtons(EXAMPLES.map((q) => ({ title: q, payload: q })), TEXT.examples);
    } else if (last.role === "bot" && last.buttons) {
      renderButtons(last.buttons);
    }
    scrollToEnd();
  }

  function addEntry(entry) {
    history.push(entry);
    saveHistory();
    renderEntry(entry);
    scrollToEnd();
  }

  function showNotice(text) {
    list.appendChild(el("div", "notice", text));
    scrollToEnd();
  }

  function showTyping() {
    const row = el("div", "row bot typing");
    row.setAttribute("aria-label", TEXT.typing);
    const bubble = el("div", "bubble");
    for (let i = 0; i < 3; i += 1) bubble.appendChild(el("span", "dot"));
    row.appendChild(bubble);
    list.appendChild(row);
    scrollToEnd();
    return row;
  }

  // ---- talking to the gateway ----
  function cleanButtons(raw) {
    if (!Array.isArray(raw)) return undefined;
    const buttons = raw
      .filter((b) => b && (typeof b.title === "string" || typeof b.payload === "string"))
      .map((b) => ({ title: String(b.title || b.payload), payload: String(b.payload || b.title) }));
    return buttons.length ? buttons : undefined;
  }

  function showBotMessages(messages) {
    let buttons;
    for (const message of messages) {
      if (!message) continue;
      const found = cleanButtons(message.buttons);
      if (found) buttons = (buttons || []).concat(found);
      if (typeof message.text === "string" && message.text.trim()) {
        addEntry({ role: "bot", text: message.text });
      }
    }
    if (buttons) {
      const last = history[history.length - 1];
      if (last && last.role === "bot") {
        last.buttons = buttons;
        saveHistory();
      }
      renderButtons(buttons);
    }
  }

  async function errorText(response) {
    if (response.status === 422) {
      try {
        const body = await response.json();
        const detail = body && body.detail;
        const first = Array.isArray(detail) ? detail[0] : detail;
        const msg = first && (first.msg || first.message || first);
        if (typeof msg === "string") return TEXT.badInput + msg;
      } catch (e) { /* fall through */ }
      return TEXT.badInput + response.status;
    }
    return TEXT.unavailable;
  }

  async function postChat(message) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: sender, message: message }),
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(message, shownAs) {
    const text = (message || "").trim();
    if (!text || pending) return;
    if (text.length > maxChars) {
      showNotice(TEXT.tooLong(maxChars));
      return;
    }
    pending = true;
    sendButton.disabled = true;
    clearQuickReplies();
    addEntry({ role: "user", text: (shownAs || text).trim() });
    const typing = showTyping();
    try {
      const response = await postChat(text);
      typing.remove();
      if (!response.ok) {
        showNotice(await errorText(response));
        return;
      }
      const messages = await response.json();
      showBotMessages(Array.isArray(messages) ? messages : []);
    } catch (error) {
      typing.remove();
      showNotice(error && error.name === "AbortError" ? TEXT.timeout : TEXT.unreachable);
    } finally {
      pending = false;
      sendButton.disabled = false;
    }
  }

  // ---- staff replies (helpdesk); a 404 means the server has no such feature ----
  function updatesUrl() {
    let url = "/api/chat/updates?sender=" + encodeURIComponent(sender);
    if (updatesCursor) url += "&since=" + encodeURIComponent(updatesCursor);
    return url;
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  async function pollUpdates() {
    if (document.hidden) return;
    let response;
    try {
      response = await fetch(updatesUrl(), { headers: { Accept: "application/json" } });
    } catch (e) {
      return; // offline for a moment: try again next time
    }
    if (response.status === 404) {
      stopPolling();
      return;
    }
    if (!response.ok) return;
    let body;
    try { body = await response.json(); } catch (e) { return; }
    const updates = Array.isArray(body) ? body : (body && (body.messages || body.updates)) || [];
    for (const update of updates) {
      if (!update || typeof update.text !== "string") continue;
      if (update.id !== undefined && update.id !== null) {
        updatesCursor = String(update.id);
        storageSet(STORE_CURSOR, updatesCursor);
      }
      addEntry({ role: "staff", text: update.text });
    }
  }

  // ---- wiring ----
  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim() || pending) return;
    input.value = "";
    autoGrow();
    send(text);
  });

  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms a Chinese IME word does not send.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
  });
  input.addEventListener("input", autoGrow);
  input.maxLength = maxChars;

  document.getElementById("human").addEventListener("click", () => send(HUMAN_REQUEST));
  document.getElementById("reset").addEventListener("click", () => {
    history = [];
    storageRemove(STORE_HISTORY);
    storageRemove(STORE_SENDER);
    storageRemove(STORE_CURSOR);
    window.location.reload();
  });

  renderAll();
  pollTimer = setInterval(pollUpdates, POLL_INTERVAL_MS);
  pollUpdates();
})();
