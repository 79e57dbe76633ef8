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
})();
