// dangbo – progressive enhancement only: every page works without this file.
(() => {
  "use strict";
  const root = document.documentElement;
  const SCALES = [0.875, 1, 1.125, 1.25, 1.375];
  const MODES = ["contrast", "night"];
  const $$ = (sel, ctx = document) => Array.from(ctx.querySelectorAll(sel));

  const store = {
    get(k) {
      try { return localStorage.getItem("dangbo." + k); } catch { return null; }
    },
    set(k, v) {
      try {
        if (v == null) localStorage.removeItem("dangbo." + k);
        else localStorage.setItem("dangbo." + k, String(v));
      } catch { /* storage disabled: settings simply don't persist */ }
    },
  };

  root.classList.add("js");

  // ---- Display settings: scale, high contrast, night
  let scale = Number(store.get("scale"));
  if (!SCALES.includes(scale)) scale = 1;

  function sync() {
    for (const m of MODES) {
      $$(`[data-act="${m}"]`).forEach((b) => b.setAttribute("aria-pressed", String(root.classList.contains(m))));
    }
    const i = SCALES.indexOf(scale);
    $$('[data-act="smaller"]').forEach((b) => b.setAttribute("aria-disabled", String(i === 0)));
    $$('[data-act="larger"]').forEach((b) => b.setAttribute("aria-disabled", String(i === SCALES.length - 1)));
  }

  function applyScale() {
    // CSSOM writes are allowed under a CSP without 'unsafe-inline' (style attributes are not).
    root.style.setProperty("--scale", String(scale));
    store.set("scale", scale === 1 ? null : scale);
    sync();
  }

  function stepScale(delta) {
    const i = SCALES.indexOf(scale) + delta;
    scale = SCALES[Math.min(SCALES.length - 1, Math.max(0, i))];
    applyScale();
  }

  function setMode(mode) {
    for (const m of MODES) {
      root.classList.toggle(m, m === mode);
      store.set(m, m === mode ? "1" : null);
    }
    sync();
  }

  applyScale();
  setMode(MODES.find((m) => store.get(m) === "1") || "");

  // ---- Read aloud
  const synth = "speechSynthesis" in window && typeof SpeechSynthesisUtterance === "function" ? window.speechSynthesis : null;
  let voices = [];
  let grabbed = "";

  const setSpeaking = (on) => $$('[data-act="speak"]').forEach((b) => b.setAttribute("aria-pressed", String(on)));

  if (!synth) {
    $$('[data-act="speak"]').forEach((b) => { b.hidden = true; });
  } else {
    const loadVoices = () => { voices = synth.getVoices(); };
    loadVoices();
    synth.addEventListener?.("voiceschanged", loadVoices); // Chrome fills the list asynchronously
    addEventListener("pagehide", () => synth.cancel()); // some browsers keep talking after navigation
    // A mouse click on the button may clear the selection before "click" fires.
    document.addEventListener("pointerdown", (e) => {
      if (e.target instanceof Element && e.target.closest('[data-act="speak"]')) grabbed = String(getSelection() || "");
    });
  }

  // Long utterances are cut off silently by some engines, so queue line/sentence-sized pieces.
  // Sentences end at punctuation followed by space, so "4.336" stays one number.
  const pieces = (text) => text.replace(/\t+/g, ", ").split(/\n+/)
    .flatMap((line) => line.replace(/([.!?…;])\s+/g, "$1\u0000").split("\u0000"))
    .map((s) => s.trim()).filter(Boolean);

  function speak() {
    if (synth.speaking || synth.pending) { synth.cancel(); setSpeaking(false); return; }
    const main = document.getElementById("main") || document.querySelector("main");
    const text = (grabbed || String(getSelection() || "")).trim() || (main ? main.innerText : "");
    grabbed = "";
    const parts = pieces(text);
    if (!parts.length) return;
    const voice = voices.find((v) => /^vi([-_]|$)/i.test(v.lang));
    parts.forEach((part, i) => {
      const u = new SpeechSynthesisUtterance(part);
      u.lang = "vi-VN";
      if (voice) u.voice = voice;
      if (i === parts.length - 1) u.onend = () => setSpeaking(false);
      u.onerror = () => setSpeaking(false);
      synth.speak(u);
    });
    setSpeaking(true);
  }

  // ---- Click actions (toolbar, tree expand/collapse)
  const actions = {
    smaller: () => stepScale(-1),
    normal: () => { scale = 1; applyScale(); },
    larger: () => stepScale(1),
    contrast: () => setMode(root.classList.contains("contrast") ? "" : "contrast"),
    night: () => setMode(root.classList.contains("night") ? "" : "night"),
    print: () => window.print(),
    speak: () => { if (synth) speak(); },
  };

  // Capture phase, so a declined confirmation stops the click before anything else sees it.
  document.addEventListener("click", (e) => {
    const el = e.target instanceof Element && e.target.closest("button[data-confirm], input[data-confirm], a[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", (e) => {
    if (!(e.target instanceof Element)) return;
    const act = e.target.closest("[data-act]");
    if (act && actions[act.dataset.act]) { actions[act.dataset.act](); return; }
    const tree = e.target.closest("[data-tree]");
    if (tree) {
      const scope = tree.closest(".tree-wrap") || document.querySelector(".tree-wrap") || document;
      const open = tree.dataset.tree === "open";
      $$("details", scope).forEach((d) => { d.open = open; });
    }
  });

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (e.submitter && e.submitter.hasAttribute("data-confirm")) return; // already asked on click
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  // ---- Auto-submitting filters
  document.addEventListener("change", (e) => {
    const el = e.target;
    if (!(el instanceof Element) || !el.matches("select[data-autosubmit], input[type=date][data-autosubmit]") || !el.form) return;
    // Typing a date fires change for every partial year ("0002", "0020"…); wait for a plausible one.
    if (el.type === "date" && el.value && !/^(19|2\d)\d\d-/.test(el.value)) return;
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });

  // ---- Print whole trees: closed <details> would otherwise print collapsed.
  let reopened = [];
  addEventListener("beforeprint", () => {
    reopened = $$("details:not([open])");
    reopened.forEach((d) => { d.open = true; });
  });
  addEventListener("afterprint", () => {
    reopened.forEach((d) => { d.open = false; });
    reopened = [];
  });

  // ---- Shared by the live pages below: texts follow the page language (vi or en).
  const EN = /^en\b/i.test(root.lang || "");
  const say = (vi, en) => (EN ? en : vi);
  const fmt = (n) => n.toLocaleString(EN ? "en" : "vi-VN");

  // A fresh id for each check-in, made when it is made; crypto.randomUUID needs a secure context.
  function newId() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // shaped as a version 4 UUID, in case the server parses it as one
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- Connection-point check-in with an offline queue.
  // Every check-in is written to localStorage before any network attempt, so a reload, a closed
  // tab or a dead network loses nothing. A check-in keeps its request_id on every resend:
  // the server deduplicates by it. Without this script the form posts as a plain form.
  function checkinPage(form) {
    const api = form.dataset.api;
    const token = form.dataset.token || "";
    const qKey = "queue." + form.dataset.point; // localStorage "dangbo.queue.<point>"
    const input = form.querySelector('input[name="code"]');
    const status = document.getElementById("queue-status");
    const log = document.getElementById("checkin-log");
    const METHODS = ["typed", "list", "scan"];
    const STATUSES = ["counted", "already", "conflict", "unknown"];
    const BATCH = 200;
    const LOG_MAX = 50;
    const TIMEOUT = 10000;
    const MIN_WAIT = 1000;
    const MAX_WAIT = 30000;

    let mem = []; // mirror of the stored queue; the only copy if localStorage is disabled or full
    let durable = true;
    let sending = false;
    let failing = false;
    let halted = ""; // the server's refusal (400/401/403…): no more tries until the page is reloaded
    let timer = 0;
    let wait = MIN_WAIT;
    let shown = false;

    const valid = (c) => c && typeof c.request_id === "string" && typeof c.code === "string" && METHODS.includes(c.method);

    // Read afresh each time, so two tabs of the same point add to one queue instead of overwriting it.
    function load() {
      if (!durable) return mem.slice();
      const raw = store.get(qKey);
      if (raw == null) return [];
      try {
        const q = JSON.parse(raw);
        return Array.isArray(q) ? q.filter(valid) : [];
      } catch { return []; }
    }

    function save(q) {
      mem = q;
      if (!durable) return;
      const json = q.length ? JSON.stringify(q) : null;
      store.set(qKey, json);
      if (store.get(qKey) !== json) durable = false; // not stored: keep it in memory for this page's life
    }

    function render() {
      if (!status) return;
      const n = load().length;
      let text;
      if (halted) {
        text = n ? `${halted} — ` + say(`${fmt(n)} lượt điểm danh đang chờ, sẽ gửi khi tải lại trang`,
          `${fmt(n)} ${n === 1 ? "check-in" : "check-ins"} queued, will be sent when the page is reloaded`) : halted;
      } else if (n && failing) {
        text = say(`Mất kết nối — ${fmt(n)} lượt điểm danh đang chờ, sẽ tự gửi lại`,
          `Connection lost — ${fmt(n)} ${n === 1 ? "check-in" : "check-ins"} queued, will resend automatically`);
      } else if (n) {
        text = say(`Đang gửi ${fmt(n)} lượt…`, `Sending ${fmt(n)}…`);
      } else if (shown) {
        text = say("Đã gửi hết", "All sent");
      } else {
        return; // nothing happened yet: leave what the server wrote
      }
      if (status.textContent !== text) status.textContent = text; // an unchanged text is not re-announced
      status.classList.toggle("offline", Boolean(n && failing && !halted));
      status.classList.toggle("error", Boolean(halted));
    }

    const ticks = (code) => $$(".roster .tick[data-code]").filter((b) => b.dataset.code === code);

    // Roster buttons whose code waits in the queue look pending (and ignore a second tap).
    function markQueued() {
      const codes = new Set(load().map((c) => c.code));
      $$(".roster .tick[data-code]:not(.done)").forEach((b) => b.classList.toggle("queued", codes.has(b.dataset.code)));
    }

    function markDone(code) {
      for (const b of ticks(code)) {
        const focused = document.activeElement === b;
        b.classList.remove("queued");
        b.classList.add("done");
        b.setAttribute("aria-pressed", "true");
        b.disabled = true;
        if (focused) { // a disabled button drops focus: hand it to the next name still open
          // (not to the text input: on a phone that would pop up the keyboard over the list)
          const open = $$(".roster .tick:not(:disabled)");
          const next = open.find((x) => b.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING) || open.pop();
          next?.focus({ preventScroll: true });
        }
      }
      // The roster's heading counts who is here.
      $$("[data-roster-done]").forEach((el) => { el.textContent = String($$(".roster .tick.done").length); });
    }

    const FALLBACK = {
      counted: ["đã điểm danh", "checked in"],
      already: ["đã điểm danh trước đó", "already checked in"],
      conflict: ["xung đột", "conflict"],
      unknown: ["không nhận ra mã", "unknown code"],
    };

    function note(r, sent) {
      const st = STATUSES.includes(r.status) ? r.status : "unknown";
      if (sent && (st === "counted" || st === "already")) markDone(sent.code);
      if (!log) return;
      const li = document.createElement("li");
      li.className = st;
      const who = typeof r.name === "string" && r.name ? r.name : sent ? sent.code : "";
      li.textContent = typeof r.message === "string" && r.message ? r.message : `${who} — ${say(...FALLBACK[st])}`;
      log.prepend(li);
      while (log.children.length > LOG_MAX) log.lastElementChild.remove();
    }

    // Removes exactly the request_ids the server answered for; tells whether any of this batch was.
    function receive(batch, results) {
      const sent = new Map(batch.map((c) => [c.request_id, c]));
      const answered = new Set();
      for (const r of results) {
        if (!r || typeof r.request_id !== "string") continue;
        answered.add(r.request_id);
        note(r, sent.get(r.request_id));
      }
      if (answered.size) save(load().filter((c) => !answered.has(c.request_id)));
      markQueued();
      return batch.some((c) => answered.has(c.request_id));
    }

    const retryable = (code) => code === 408 || code === 425 || code === 429 || code >= 500;

    function retryLater(res) {
      let ms = wait;
      const after = res ? Number(res.headers.get("Retry-After")) : 0; // seconds, when the server says
      if (after > 0) ms = Math.max(ms, after * 1000);
      timer = setTimeout(send, Math.min(ms, MAX_WAIT));
      wait = Math.min(wait * 2, MAX_WAIT);
      render();
    }

    async function send() {
      if (sending || halted) { render(); return; }
      clearTimeout(timer);
      timer = 0;
      const batch = load().slice(0, BATCH);
      if (!batch.length) { failing = false; wait = MIN_WAIT; render(); return; }
      sending = true;
      render();
      const ctrl = new AbortController();
      const kill = setTimeout(() => ctrl.abort(), TIMEOUT);
      let res = null;
      let body = null;
      try {
        res = await fetch(api, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: "Point " + token },
          body: JSON.stringify({ checkins: batch.map(({ request_id, code, method }) => ({ request_id, code, method })) }),
          cache: "no-store",
          signal: ctrl.signal,
        });
        body = await res.json().catch(() => null);
      } catch {
        res = null; // network failure or timeout: everything stays queued
      } finally {
        clearTimeout(kill);
        sending = false;
      }
      if (res && res.ok && body && Array.isArray(body.results)) {
        if (receive(batch, body.results)) {
          failing = false;
          wait = MIN_WAIT;
          send(); // the rest, if any
          return;
        } // an answer about none of the batch counts as a failure, or this would loop at full speed
      } else if (res && !res.ok && !retryable(res.status)) {
        const msg = body && body.error && typeof body.error.message === "string" ? body.error.message : "";
        halted = msg || say(`Máy chủ từ chối (mã ${res.status})`, `Refused by the server (HTTP ${res.status})`);
        render();
        return;
      }
      failing = true;
      retryLater(res);
    }

    function enqueue(raw, method) {
      const code = String(raw).trim();
      if (!code) return;
      const q = load();
      q.push({ request_id: newId(), code, method });
      save(q); // stored before any network attempt
      shown = true;
      markQueued();
      if (timer) render(); // a retry is already scheduled
      else send();
    }

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!input) return;
      const code = input.value;
      input.value = "";
      input.focus();
      enqueue(code, "typed");
    });

    document.addEventListener("click", (e) => {
      const b = e.target instanceof Element && e.target.closest(".roster .tick[data-code]");
      if (!b || b.disabled || b.classList.contains("done") || b.classList.contains("queued")) return;
      b.classList.add("queued");
      enqueue(b.dataset.code, "list");
    });

    addEventListener("online", () => {
      if (halted || sending) return;
      wait = MIN_WAIT;
      send();
    });

    // Another tab of the same point changed the queue.
    addEventListener("storage", (e) => {
      if (e.key === null || e.key === "dangbo." + qKey) { markQueued(); render(); }
    });

    const scanBtn = form.querySelector('[data-act="scan"]');
    const video = form.querySelector("video[data-scan-video]") || document.querySelector("video[data-scan-video]");
    if (scanBtn && video && "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia) {
      scanner(scanBtn, video, (code) => enqueue(code, "scan"));
    }

    markQueued();
    if (load().length) { shown = true; send(); } // left over from an earlier visit
  }

  // QR codes through the rear camera. Unsupported or refused: the button stays hidden or simply
  // switches off again, and typing the code remains the way in.
  async function scanner(btn, video, found) {
    let detector;
    try {
      const formats = await BarcodeDetector.getSupportedFormats?.();
      if (formats && !formats.includes("qr_code")) return;
      detector = new BarcodeDetector({ formats: ["qr_code"] });
    } catch { return; }
    let run = 0; // bumped by every start and stop, so a late camera from a stale start is given back
    let active = false;
    let stream = null;
    let timer = 0;
    let last = "";
    let lastAt = 0;

    const release = (s) => s?.getTracks().forEach((t) => t.stop());

    function stop() {
      run += 1;
      active = false;
      clearTimeout(timer);
      release(stream);
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      btn.setAttribute("aria-pressed", "false");
    }

    async function look(my) {
      if (my !== run) return;
      let next = 250;
      if (video.readyState >= 2) {
        try {
          const codes = await detector.detect(video);
          const value = codes.map((c) => c.rawValue).find(Boolean);
          if (my !== run) return;
          if (value) {
            const now = Date.now();
            if (value !== last || now - lastAt >= 3000) { // a code held in view is read once
              found(value);
              navigator.vibrate?.(60);
              next = 1500;
            }
            last = value;
            lastAt = now;
          }
        } catch { /* frame not ready: try the next one */ }
      }
      timer = setTimeout(() => look(my), next);
    }

    async function start() {
      const my = ++run;
      active = true;
      btn.setAttribute("aria-pressed", "true");
      try {
        const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        if (my !== run) { release(s); return; }
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        await video.play();
      } catch {
        if (my === run) stop();
        return;
      }
      look(my);
    }

    btn.hidden = false;
    btn.setAttribute("aria-pressed", "false");
    btn.addEventListener("click", () => (active ? stop() : start()));
    document.addEventListener("visibilitychange", () => { if (document.hidden && active) stop(); });
    addEventListener("pagehide", () => { if (active) stop(); });
  }

  const checkinForm = document.getElementById("checkin");
  if (checkinForm instanceof HTMLFormElement && checkinForm.dataset.api && checkinForm.dataset.point
      && "fetch" in window && typeof AbortController === "function" && window.crypto?.getRandomValues) {
    checkinPage(checkinForm);
  }

  // ---- Live conference figures: server-sent events, or polling every 2 s when those fail.
  const LIVE_TEXT = {
    live: ["Trực tiếp", "Live"],
    poll: ["Cập nhật mỗi 2 giây", "Updating every 2 s"],
    down: ["Mất kết nối, đang thử lại", "Disconnected, retrying"],
  };

  function liveFigures(section) {
    const sseUrl = section.dataset.live;
    const pollUrl = section.dataset.poll;
    const bumps = new WeakMap();
    let errors = 0;
    let polling = false;
    let busy = false;
    let timer = 0;
    let wait = 2000;

    // Also written to the attribute (live / poll / down), for the stylesheet.
    const state = (k) => $$("[data-live-state]", section).forEach((el) => {
      const t = say(...LIVE_TEXT[k]);
      el.dataset.liveState = k;
      if (el.textContent !== t) el.textContent = t;
    });

    function put(el, v, bump) {
      if (typeof v !== "string" && typeof v !== "number") return;
      const t = String(v);
      if (el.textContent === t) return;
      el.textContent = t;
      if (!bump) return;
      el.classList.add("bump");
      clearTimeout(bumps.get(el));
      bumps.set(el, setTimeout(() => el.classList.remove("bump"), 600));
    }

    function apply(data) {
      if (!data || typeof data !== "object") return;
      const figs = data.figs && typeof data.figs === "object" ? data.figs : {};
      $$("[data-fig]", section).forEach((el) => put(el, figs[el.dataset.fig], true));
      if (!Array.isArray(data.rows)) return;
      const rows = new Map();
      for (const el of $$("[data-row]", section)) {
        if (!rows.has(el.dataset.row)) rows.set(el.dataset.row, []);
        rows.get(el.dataset.row).push(el);
      }
      for (const row of data.rows) {
        if (!row || !row.cells || typeof row.cells !== "object") continue;
        for (const el of rows.get(String(row.key)) || []) {
          $$("[data-cell]", el).forEach((c) => put(c, row.cells[c.dataset.cell], false));
        }
      }
    }

    async function poll() {
      clearTimeout(timer);
      timer = 0;
      if (busy || document.hidden) return; // a hidden page resumes on visibilitychange
      busy = true;
      const ctrl = new AbortController();
      const kill = setTimeout(() => ctrl.abort(), 10000);
      let ok = false;
      try {
        const res = await fetch(pollUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store", signal: ctrl.signal });
        if (res.ok) { apply(await res.json()); ok = true; }
      } catch { /* network down, timeout or not JSON: try again */ }
      clearTimeout(kill);
      busy = false;
      state(ok ? "poll" : "down");
      wait = ok ? 2000 : Math.min(wait * 2, 30000);
      timer = setTimeout(poll, wait);
    }

    function startPolling() {
      polling = true;
      state("poll");
      poll();
    }

    function connect() {
      const es = new EventSource(sseUrl);
      es.addEventListener("open", () => { errors = 0; state("live"); });
      es.addEventListener("figures", (e) => {
        state("live");
        try { apply(JSON.parse(e.data)); } catch { /* a bad frame: wait for the next */ }
      });
      es.addEventListener("error", () => {
        errors += 1;
        const closed = es.readyState === EventSource.CLOSED; // refused for good: no automatic retry
        if (pollUrl && (errors > 2 || closed)) { es.close(); startPolling(); return; }
        state("down");
        if (closed) setTimeout(connect, 10000);
      });
    }

    document.addEventListener("visibilitychange", () => { if (polling && !document.hidden && !busy) poll(); });

    if (sseUrl && "EventSource" in window) connect();
    else if (pollUrl && "fetch" in window && typeof AbortController === "function") startPolling();
  }

  $$("[data-live], [data-poll]").forEach(liveFigures);
})();
