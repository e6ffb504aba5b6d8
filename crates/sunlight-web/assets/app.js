// Sunlight: the little script the pages need. No framework, no build step.
"use strict";

// The supervision dashboard: listen to the live stream; when something changes, fetch the
// server-rendered live part again (at most twice a second) and swap it in.
(function live() {
  const box = document.getElementById("live");
  if (!box || !window.EventSource) return;
  const state = document.getElementById("live-state");
  let timer = null;
  const reload = () => {
    if (timer) return;
    timer = setTimeout(async () => {
      timer = null;
      // Do not replace a form someone is typing into.
      if (box.contains(document.activeElement) && document.activeElement.tagName !== "BODY"
          && document.activeElement.tagName !== "BUTTON") return;
      const r = await fetch(box.dataset.src, { credentials: "same-origin" });
      // A session that ended sends the sign-in page: say so instead of showing it here.
      if (r.redirected || !r.ok) {
        if (state) state.textContent = "○ " + state.dataset.expired;
        es.close();
        return;
      }
      box.innerHTML = await r.text();
      box.classList.remove("flash");
      void box.offsetWidth;
      box.classList.add("flash");
    }, 500);
  };
  const es = new EventSource(box.dataset.stream, { withCredentials: true });
  es.onopen = () => { if (state) state.textContent = "● " + state.dataset.live; };
  es.onerror = () => { if (state) state.textContent = "○ " + state.dataset.off; };
  for (const kind of ["colour", "alert", "lagged"]) es.addEventListener(kind, reload);
})();

// Open data: check in the browser that every ledger entry of a receipt number is included in
// the tree the signed checkpoint commits to (RFC 9162 §2.1.3.2), with WebCrypto's SHA-256.
(function verify() {
  const form = document.getElementById("ledger-verify-form");
  if (!form || !window.crypto || !crypto.subtle) return;
  const out = document.getElementById("verify-result");
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
  const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
  const sha = async (...parts) => {
    const len = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(len);
    let o = 0;
    for (const p of parts) { buf.set(p, o); o += p.length; }
    return new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  };
  // Root from a leaf hash, its index, the tree size and the audit path.
  const rootOf = async (leaf, index, size, path) => {
    let fn = BigInt(index), sn = BigInt(size) - 1n, r = leaf;
    for (const p of path.map(unhex)) {
      if (sn === 0n) return null;
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha(new Uint8Array([1]), p, r);
        if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
      } else {
        r = await sha(new Uint8Array([1]), r, p);
      }
      fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n ? r : null;
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const receipt = document.getElementById("verify-receipt").value.trim();
    out.className = ""; out.textContent = "…";
    try {
      const c = await fetch("/api/ledger/checkpoint");
      const cp = await c.json();
      if (!c.ok) throw new Error(cp.detail || c.status);
      const r = await fetch("/api/ledger/receipts/" + encodeURIComponent(receipt) + "?size=" + cp.size);
      const proofs = await r.json();
      if (!r.ok) throw new Error(proofs.detail || r.status);
      if (!proofs.length) throw new Error("no entries");
      for (const p of proofs) {
        const got = await rootOf(unhex(p.leaf), p.seq, cp.size, p.path);
        if (!got || hex(got) !== cp.root) throw new Error("entry " + p.seq);
      }
      out.className = "notice"; out.textContent = out.dataset.ok + " (" + proofs.length + ")";
    } catch (err) {
      out.className = "error"; out.textContent = out.dataset.bad + err.message;
    }
  });
})();

// The flow editor: check the TOML as it is typed; problems listed with their line, the
// flowchart redrawn beside it. Nothing is saved until the form is proposed.
(function flowEditor() {
  const src = document.getElementById("flow-source");
  if (!src) return;
  const out = document.getElementById("flow-check");
  const img = document.getElementById("flow-preview");
  const lineOf = (node) => {
    if (!node) return null;
    const id = node.split("→")[0];
    const lines = src.value.split("\n");
    const i = lines.findIndex((l) => new RegExp("^\\s*id\\s*=\\s*\"" + id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\"").test(l));
    return i < 0 ? null : i + 1;
  };
  let timer = null;
  const check = async () => {
    const days = (id) => { const v = document.getElementById(id); return v && v.value.trim() ? v.value.trim() : null; };
    const q = new URLSearchParams({ format: "toml" });
    if (days("committed")) q.set("committed_days", days("committed"));
    if (days("statutory")) q.set("statutory_days", days("statutory"));
    // Problems come back in the page's language.
    const lang = document.documentElement.lang || "zh-CN";
    const r = await fetch("/api/flows/check?" + q, { method: "POST", headers: { "content-type": "application/toml", "accept-language": lang }, body: src.value });
    const body = await r.json();
    out.innerHTML = "";
    const say = (cls, text) => { const p = document.createElement("p"); p.className = cls; p.textContent = text; out.appendChild(p); };
    if (!r.ok) {
      const first = (body.errors || []).map((e) => (e.line ? out.dataset.line + e.line + out.dataset.lineEnd + "：" : "") + e.message);
      say("error", body.detail + (first.length ? "\n" + first.join("\n") : ""));
      return;
    }
    if (body.errors.length === 0) say("notice", out.dataset.ok + " " + body.total_days + " " + out.dataset.days);
    for (const e of body.errors) {
      const line = lineOf(e.node);
      say("error", (line ? out.dataset.line + line + out.dataset.lineEnd + "：" : "") + e.message);
    }
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(body.svg);
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(check, 400); };
  src.addEventListener("input", later);
  for (const id of ["committed", "statutory"]) { const e = document.getElementById(id); if (e) e.addEventListener("input", later); }
  check();
})();

// The receipt page: copy a number with one tap, print the receipt (回执).
(function receipt() {
  for (const b of document.querySelectorAll("button[data-copy]")) {
    b.addEventListener("click", async () => {
      const text = document.getElementById(b.dataset.copy)?.textContent?.trim() ?? "";
      try {
        await navigator.clipboard.writeText(text);
        b.textContent = "✓";
      } catch (_) {
        // No clipboard (an old browser, no permission): select it for a manual copy.
        const r = document.createRange();
        r.selectNodeContents(document.getElementById(b.dataset.copy));
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(r);
      }
    });
  }
  const p = document.getElementById("print");
  if (p) p.addEventListener("click", () => window.print());
})();

// A select that chooses what the rest of the page shows (the intake's power): choosing is
// enough, the button beside it is for browsers without this script.
for (const s of document.querySelectorAll("select[data-autosubmit]")) {
  s.addEventListener("change", () => { if (s.value) s.form.submit(); });
}
