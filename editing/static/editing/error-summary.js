"use strict";
// After a refused save, move the focus to the error summary at the top of the form, so
// that keyboard and screen-reader users learn at once what to correct; a link in it
// moves the focus to its field (GOV.UK's error summary pattern, as on the public form).
(function () {
  function ready() {
    var summary = document.querySelector(".error-summary");
    if (!summary) {
      return;
    }
    summary.focus();
    // Django's change_form.js (loaded async) focuses an add form's first field, possibly
    // after this ran; the load event waits for it, so the summary takes the focus back.
    window.addEventListener("load", function () {
      if (!summary.contains(document.activeElement)) {
        summary.focus();
      }
    });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      var row = field.closest(".form-row, tr, fieldset") || field;
      row.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
