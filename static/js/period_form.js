// Period form: "select all" / "clear" for one kind of agencies (a province has a hundred communes).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-check-group]");
    if (!button) return;
    const group = document.querySelector('.agency-boxes[data-group="' + button.dataset.checkGroup + '"]');
    if (!group) return;
    group.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      box.checked = button.dataset.check === "1";
    });
  });
})();
