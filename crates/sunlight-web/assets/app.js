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
  const form = document.getElementById("verify-form");
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
