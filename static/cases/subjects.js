// A case's subjects (templates/cases/_coordination_fields.html): "Add a subject" copies the empty
// row kept in a <template>, numbering its fields as Django's formset expects. Without scripts the
// empty rows shown work the same, and the button stays hidden.
(function () {
  "use strict";
  var template = document.getElementById("subject-row-template");
  var rows = document.querySelector("[data-subject-rows]");
  var button = document.querySelector("[data-add-subject]");
  var total = document.getElementById("id_subjects-TOTAL_FORMS");
  var max = document.getElementById("id_subjects-MAX_NUM_FORMS");
  if (template && rows && button && total && max) {
    var limit = parseInt(max.value, 10);
    button.hidden = false;
    document.querySelectorAll("[data-no-script]").forEach(function (note) {
      note.hidden = true;
    });
    var full = function () {
      return parseInt(total.value, 10) >= limit;
    };
    button.disabled = full();
    button.addEventListener("click", function () {
      if (full()) return;
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("select, input");
      if (first) first.focus();
      button.disabled = full();
    });
  }

  // On "open a case", sharing follows the procedure chosen (on for a detention, off for a
  // verification) until the officer ticks or unticks the box.
  var share = document.getElementById("id_share_subjects");
  var procedures = document.querySelectorAll('input[name="procedure"]');
  if (share && procedures.length) {
    var touched = false;
    share.addEventListener("change", function () {
      touched = true;
    });
    procedures.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!touched && radio.checked) share.checked = radio.value === "detention";
      });
    });
  }
})();
