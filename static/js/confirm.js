// One confirmation for actions that cannot be undone (open a period, submit a sheet, remove evidence).
// An element with data-confirm="what follows" asks in a native <dialog> first; data-confirm-ok and
// data-confirm-cancel name the buttons (translated in the template). A plain form is then sent with
// confirm=1; an htmx request is issued (its hx-vals carry confirm=1). The server acts only on confirm=1,
// so without JavaScript it answers with a confirmation step of its own instead.
(function () {
  "use strict";

  function ask(el) {
    return new Promise(function (resolve) {
      const dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog border-0 rounded-3 shadow p-0";
      dialog.style.maxWidth = "min(34rem, calc(100vw - 2rem))";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-text");
      const form = document.createElement("form");
      form.method = "dialog";
      form.className = "p-3";
      // The first line is the question, the rest what follows.
      const lines = el.dataset.confirm.split("\n");
      const question = document.createElement("p");
      question.className = "fw-semibold mb-2";
      question.textContent = lines[0];
      const text = document.createElement("div");
      text.id = "confirm-dialog-text";
      text.append(question);
      if (lines.length > 1) {
        const rest = document.createElement("p");
        rest.className = "mb-3";
        rest.style.whiteSpace = "pre-line";
        rest.textContent = lines.slice(1).join("\n");
        text.append(rest);
      }
      const buttons = document.createElement("div");
      buttons.className = "d-flex flex-wrap justify-content-end gap-2";
      const cancel = document.createElement("button");
      cancel.value = "cancel";
      cancel.className = "btn btn-outline-secondary";
      cancel.textContent = el.dataset.confirmCancel || "✕";
      const ok = document.createElement("button");
      ok.value = "ok";
      ok.className = "btn " + (el.dataset.confirmClass || "btn-primary");
      ok.textContent = el.dataset.confirmOk || "✓";
      buttons.append(cancel, ok);
      form.append(text, buttons);
      dialog.append(form);
      dialog.addEventListener("close", function () {
        dialog.remove();
        resolve(dialog.returnValue === "ok");
      });
      document.body.append(dialog);
      dialog.showModal();
      cancel.focus();  // Enter on an unread dialog must not do the irreversible thing
    });
  }

  // Plain forms: <form data-confirm=…> or a submit button carrying data-confirm.
  document.addEventListener("submit", function (e) {
    const form = e.target;
    const el = e.submitter && e.submitter.dataset.confirm ? e.submitter : form;
    if (!el.dataset || !el.dataset.confirm || form.elements.confirm) return;
    e.preventDefault();
    const submitter = e.submitter;
    ask(el).then(function (confirmed) {
      if (!confirmed) return;
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirm";
      field.value = "1";
      field.dataset.confirmed = "";
      form.append(field);
      form.requestSubmit(submitter || undefined);
    });
  });

  // Back to a page whose form was confirmed: it asks again next time.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[data-confirmed]").forEach(function (field) { field.remove(); });
  });

  // htmx requests: the element with data-confirm waits for the answer.
  document.addEventListener("htmx:confirm", function (e) {
    const el = e.detail.elt;
    if (!el.dataset || !el.dataset.confirm) return;
    e.preventDefault();
    ask(el).then(function (confirmed) {
      if (confirmed) e.detail.issueRequest(true);
    });
  });
})();
