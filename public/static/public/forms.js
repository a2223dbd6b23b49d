// After a refused form, move focus to the error summary so that screen-reader and
// keyboard users learn at once what to correct (GOV.UK's error summary pattern).
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
