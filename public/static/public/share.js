// "Copy link" for the share block: shown only where the Clipboard API exists, and the
// result is announced to screen readers through the polite status region.
(function () {
  "use strict";
  document.querySelectorAll(".copy-link").forEach(function (item) {
    if (!navigator.clipboard) { return; }
    var status = document.querySelector(".copy-status");
    item.hidden = false;
    item.querySelector("button").addEventListener("click", function () {
      navigator.clipboard.writeText(item.dataset.copyUrl).then(
        function () { status.textContent = status.dataset.copied; },
        function () { status.textContent = status.dataset.failed; }
      );
    });
  });
})();
