// Scoring sheet: unsaved-change tracking and a clear message when a save does not reach the server (the
// typed values stay in the row for a retry). The points a row would get are not computed here: each row's
// result line asks the server, which scores with the same rules as the save (leaf_result.jinja).
// Words come from data-* attributes of #sheet, so they are translated like the rest of the page.
(function () {
  "use strict";

  function words() { return (document.getElementById("sheet") || document.body).dataset; }
  function leafOf(el) { return el.closest(".leaf"); }
  function setStatus(leaf, text, cls) {
    const status = leaf && leaf.querySelector(".save-status");
    if (!status) return;
    status.className = "save-status small " + (cls || "text-body-secondary");
    status.textContent = text;
  }
  // The save's own request (the row's form), not the result line's preview inside it.
  function saveForm(e) {
    const elt = e.detail.elt;
    return elt && elt.matches && elt.matches(".leaf-form") ? elt : null;
  }

  document.addEventListener("input", function (e) {
    const form = e.target.closest(".leaf-form");
    if (!form) return;
    const leaf = leafOf(form);
    leaf.classList.add("dirty");
    setStatus(leaf, words().unsaved, "text-warning-emphasis");
  });

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    const form = saveForm(e);
    if (form) setStatus(leafOf(form), words().saving);
  });
  function failed(e) {
    const form = saveForm(e);
    if (form) {
      setStatus(leafOf(form), words().saveFailed, "text-danger fw-semibold");
    } else if (e.detail.elt && e.detail.elt.matches && e.detail.elt.matches(".live-result")) {
      e.detail.elt.textContent = "";  // an unanswered preview says nothing rather than something stale
    }
  }
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:timeout", failed);

  // A row that comes back refused or with a stale-edit choice still holds unsaved input.
  document.body.addEventListener("htmx:afterSwap", function (e) {
    const leaf = e.detail.target;
    if (!leaf || !leaf.matches || !leaf.matches(".leaf")) return;
    const fresh = document.getElementById(leaf.id);
    if (fresh && fresh.querySelector(".alert-danger, .leaf-stale")) fresh.classList.add("dirty");
  });

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
