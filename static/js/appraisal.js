// The reviewer's pages (appraisal/work/*): the «next unappraised row» keys, evidence opened inside the page,
// the leaf picker, «select every unappraised row», taking the stored values after a stale save, and the
// «chưa lưu» mark on rows typed in but not saved (leaving the page with one asks first).
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".work-row")); }
  function typing(el) { return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && el.type !== "checkbox"; }

  function focusRow(row) {
    const input = row.querySelector(".work-points");
    row.scrollIntoView({ block: "center" });
    (input || row).focus({ preventScroll: true });
    if (input) input.select();
    rows().forEach(function (r) { r.classList.toggle("work-current", r === row); });
  }

  // n / j: the next row still to appraise in this round after the current one (wrapping); p / k: the previous.
  function move(step) {
    const all = rows();
    if (!all.length) return;
    const current = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".work-row") : null;
    const start = current ? all.indexOf(current) : (step > 0 ? -1 : all.length);
    for (let i = 1; i <= all.length; i++) {
      const row = all[(start + step * i + all.length * 2) % all.length];
      if (row.dataset.pending) { focusRow(row); return; }
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !document.querySelector(".work-rows")) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (e.key === "n" || e.key === "j") { e.preventDefault(); move(1); }
    else if (e.key === "p" || e.key === "k") { e.preventDefault(); move(-1); }
  });

  // Evidence: a PDF in a frame, an image as an image, loaded only when the reviewer opens it. A PDF's frame is
  // dropped when its viewer is closed: Chromium's PDF viewer, still loading, would otherwise take the keyboard
  // focus from the page (the reviewer's «n» going to the PDF) and keep the document in memory.
  function showEvidence(details) {
    if (!details.matches || !details.matches("details.evidence-view")) return;
    if (!details.open) {
      const frame = details.querySelector("iframe.evidence-frame");
      if (frame) { frame.remove(); delete details.dataset.loaded; }
      return;
    }
    if (details.dataset.loaded) return;
    details.dataset.loaded = "1";
    let viewer;
    if (details.dataset.kind === "pdf") {
      viewer = document.createElement("iframe");
      viewer.className = "evidence-frame";
    } else {
      viewer = document.createElement("img");
      viewer.className = "evidence-image img-fluid";
      viewer.alt = details.dataset.title || "";
    }
    viewer.src = details.dataset.src;
    viewer.title = details.dataset.title || "";
    details.appendChild(viewer);
  }
  document.addEventListener("toggle", function (e) { showEvidence(e.target); }, true);
  // This script is deferred: a reviewer quick enough to open a viewer while the page was still loading
  // fired its toggle before the listener above existed.
  document.querySelectorAll("details.evidence-view[open]").forEach(showEvidence);

  // Unsaved changes. A row's fields start as the server rendered them (defaultValue); a row differing from
  // that, or sent back by the server unsaved (a refused or stale save: data-unsaved), is marked. A save
  // swaps in the row the server rendered after storing it, which carries no mark.
  function fields(row) {
    return row.querySelectorAll("form[hx-post] input:not([type=hidden]), form[hx-post] textarea, form[hx-post] select");
  }
  function changed(el) {
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }
  function refresh(row) {
    const dirty = Boolean(row.dataset.unsaved) || Array.prototype.some.call(fields(row), changed);
    row.classList.toggle("work-dirty", dirty);
    const mark = row.querySelector(".work-unsaved");
    if (mark) mark.classList.toggle("d-none", !dirty);
  }
  function rowOfField(el) {
    return el.form && el.form.hasAttribute("hx-post") && el.closest ? el.closest(".work-row") : null;
  }
  document.addEventListener("input", function (e) {
    const row = rowOfField(e.target);
    if (row) refresh(row);
  });
  window.addEventListener("beforeunload", function (e) {
    if (!document.querySelector(".work-row.work-dirty")) return;
    e.preventDefault();
    e.returnValue = "";  // browsers show their own text; setting a value is what makes some of them ask
  });

  document.addEventListener("change", function (e) {
    const row = rowOfField(e.target);
    if (row) refresh(row);
    if (e.target.matches(".work-leaf-picker")) {
      window.location.href = e.target.value;
    } else if (e.target.id === "work-pick-all") {
      rows().forEach(function (row) {
        const box = row.querySelector(".work-pick");
        if (box && row.dataset.pending) box.checked = e.target.checked;
      });
    }
  });

  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest(".work-take-stored");
    if (!button) return;
    const row = button.closest(".work-row");
    row.querySelector("[name=points]").value = button.dataset.points;
    row.querySelector("[name=comment]").value = button.dataset.comment;
    button.closest(".work-stale-note").remove();
    row.classList.remove("work-stale");
    // The fields now hold what is stored: nothing of this row is unsaved any more.
    fields(row).forEach(function (el) { if (el.tagName !== "SELECT") el.defaultValue = el.value; });
    delete row.dataset.unsaved;
    refresh(row);
  });

  // A saved row may no longer be pending: the count of what is left follows.
  document.body.addEventListener("htmx:afterSettle", function () {
    const left = document.getElementById("work-left-n");
    if (left) left.textContent = String(rows().filter(function (r) { return r.dataset.pending; }).length);
  });
})();
