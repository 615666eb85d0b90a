// Scoring sheet: unsaved-change tracking, live results for ratio and deduction leaves, and a clear
// message when a save does not reach the server (the typed values stay in the row for a retry).
(function () {
  "use strict";

  function num(text) {
    if (text === null || text === undefined) return NaN;
    const t = String(text).trim().replace(/\s/g, "").replace(",", ".");
    return t === "" ? NaN : Number(t);
  }
  function vn(x) {
    return (Math.round(x * 100) / 100).toString().replace(".", ",");
  }
  function leafOf(el) { return el.closest(".leaf"); }
  function statusOf(leaf) { return leaf && leaf.querySelector(".save-status"); }
  function setStatus(leaf, html, cls) {
    const status = statusOf(leaf);
    if (!status) return;
    status.className = "save-status small " + (cls || "text-body-secondary");
    status.innerHTML = html;
  }

  function liveResult(form) {
    const out = form.querySelector(".live-result");
    if (!out) return;
    const method = form.dataset.method;
    const max = num(form.dataset.max);
    if (method === "ratio") {
      const a = num(form.elements.numerator.value), b = num(form.elements.denominator.value);
      if (isNaN(a) || isNaN(b)) { out.textContent = ""; return; }
      if (b <= 0 || a < 0 || a > b) { out.textContent = "tỷ lệ không hợp lệ"; return; }
      const pct = Math.round((a / b) * 10000) / 100;
      let points = null;
      for (const part of (form.dataset.tiers || "").split(";")) {
        const [lo, hi, p] = part.split(":").map(Number);
        if ((pct >= lo && pct < hi) || (pct === 100 && hi === 100)) { points = p; break; }
      }
      out.textContent = vn(pct) + " % → " + (points === null ? "?" : vn(points)) + " điểm";
    } else if (method === "deduction") {
      const n = num(form.elements.event_count.value), per = num(form.dataset.per);
      if (isNaN(n)) { out.textContent = ""; return; }
      out.textContent = "= " + vn(Math.max(0, max - per * n)) + " điểm";
    } else if (method === "yes_no") {
      const checked = form.querySelector("input[name=answer_yes]:checked");
      out.textContent = checked ? "= " + (checked.value === "yes" ? vn(max) : "0") + " điểm" : "";
    }
  }

  document.addEventListener("input", function (e) {
    const form = e.target.closest(".leaf-form");
    if (!form) return;
    const leaf = leafOf(form);
    leaf.classList.add("dirty");
    setStatus(leaf, "● Chưa lưu", "text-warning-emphasis");
    liveResult(form);
  });
  document.addEventListener("change", function (e) {
    const form = e.target.closest(".leaf-form");
    if (form) liveResult(form);
  });

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    const form = e.detail.elt.closest && e.detail.elt.closest(".leaf-form");
    if (form) setStatus(leafOf(form), "Đang lưu…");
  });
  function failed(e) {
    const form = e.detail.elt.closest && e.detail.elt.closest(".leaf-form");
    if (!form) return;
    setStatus(
      leafOf(form),
      "✖ Chưa lưu được (mất kết nối hoặc máy chủ lỗi). Dữ liệu bạn nhập vẫn còn — bấm Lưu để thử lại.",
      "text-danger fw-semibold"
    );
  }
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:timeout", failed);

  window.addEventListener("beforeunload", function (e) {
    if (document.querySelector(".leaf.dirty")) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  document.addEventListener("click", function (e) {
    const button = e.target.closest("[data-toggle-domains]");
    if (!button) return;
    const open = button.dataset.toggleDomains === "open";
    document.querySelectorAll("details.domain").forEach(function (d) { d.open = open; });
  });
})();

// Close an evidence panel (its container stays, empty, for the next open).
document.addEventListener("click", function (e) {
  const button = e.target.closest("[data-close-panel]");
  if (button) button.closest(".evidence-panel").innerHTML = "";
});
