// Keeps "Open now / Closed now" right in a page left open: the server sends the coming
// stretches of each line (visitor desk, phone) with their wording; this script shows the
// one the clock is in, and asks the server for more when the clock leaves them.
(function () {
  "use strict";
  var dataNode = document.getElementById("open-now-data");
  if (!dataNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var fetching = false;

  function current(stretches, now) {
    var found = null;
    for (var i = 0; i < stretches.length; i += 1) {
      if (Date.parse(stretches[i].start) <= now) { found = stretches[i]; } else { break; }
    }
    return found;
  }

  function covered(now) {
    return Object.keys(data.lines).every(function (key) {
      var stretches = data.lines[key];
      if (!stretches.length) { return true; }
      var first = Date.parse(stretches[0].start);
      var last = Date.parse(stretches[stretches.length - 1].start);
      // The last stretch runs to an unknown end: ask again a day after it starts.
      return first - 3e5 <= now && now < last + 864e5;  // 5 minutes for clock skew
    });
  }

  function show(now) {
    document.querySelectorAll("[data-open-line]").forEach(function (node) {
      var stretch = current(data.lines[node.dataset.openLine] || [], now);
      if (!stretch) { return; }
      var state = node.querySelector(".open-state");
      state.textContent = stretch.open ? node.dataset.openLabel : node.dataset.closedLabel;
      state.className = "open-state open-state-" + (stretch.open ? "open" : "closed");
      node.querySelector(".open-day").textContent = stretch.closed_day ? " (" + stretch.closed_day + ")" : "";
      node.querySelector(".open-words").textContent = stretch.words ? ". " + stretch.words : "";
    });
  }

  function refresh() {
    var now = Date.now();
    if (covered(now)) { show(now); return; }
    if (fetching) { return; }
    fetching = true;
    fetch(data.url + "?at=" + encodeURIComponent(new Date(now).toISOString()), {
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (fresh) { if (fresh) { data.lines = fresh.lines; show(Date.now()); } })
      .catch(function () { /* offline: keep what is shown */ })
      .finally(function () { fetching = false; });
  }

  refresh();
  setInterval(refresh, 15000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
})();
