"use strict";
// While an editor types an imprecise date (value, precision, certainty), show how the
// public page will write it ("sedan 1990-talet"). The wording is the server's
// (register/imprecise.py), asked for at the preview URL the widget names; the form works
// the same without this script, and shows the wording again after saving.
(function () {
  var timers = new WeakMap();

  function preview(box) {
    var parts = box.querySelectorAll("input, select");
    var query = new URLSearchParams({
      value: parts[0].value,
      precision: parts[1].value,
      qualifier: parts[2].value,
      since: box.dataset.since || "",
    });
    fetch(box.dataset.previewUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        box.querySelector(".imprecise-date-text").textContent = data.text;
      })
      .catch(function () { /* offline or signed out: the saved wording stays */ });
  }

  function schedule(event) {
    var box = event.target.closest && event.target.closest(".imprecise-date");
    if (!box || !box.dataset.previewUrl) {
      return;
    }
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(function () { preview(box); }, 250));
  }

  // Delegated, so rows added to an inline formset later are covered too.
  document.addEventListener("input", schedule);
  document.addEventListener("change", schedule);
})();
