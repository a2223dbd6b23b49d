// Share block: "copy link" where the Clipboard API exists, its result announced to screen
// readers through the polite status region; the Web Share API button where the browser
// has it. Without JavaScript the plain links and the page address remain.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  function say(key) { if (status) { status.textContent = status.dataset[key]; } }

  document.querySelectorAll(".copy-link").forEach(function (item) {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    item.hidden = false;
    item.querySelector("button").addEventListener("click", function () {
      navigator.clipboard.writeText(item.dataset.copyUrl).then(
        function () { say("copied"); },
        function () { say("failed"); }
      );
    });
  });

  document.querySelectorAll(".web-share").forEach(function (item) {
    if (typeof navigator.share !== "function") { return; }
    item.hidden = false;
    item.querySelector("button").addEventListener("click", function () {
      navigator.share({ title: document.title, url: item.dataset.shareUrl }).catch(function () {
        // The reader closed the share sheet: nothing to report.
      });
    });
  });
})();
