// The campaign dashboard updates itself: every few seconds it asks the server whether the figures
// changed since the ones on screen, and replaces the figures and the curve in place when they did.
// Plain JavaScript, nothing loaded from elsewhere.
(function () {
  "use strict";
  var box = document.getElementById("campaign-live");
  if (!box || !window.fetch) {
    return;
  }
  var status = document.querySelector("#campaign-live-status [data-updated]");
  var seconds = parseInt(box.dataset.pollSeconds, 10) || 4;
  var busy = false;

  function clock() {
    var now = new Date();
    return [now.getHours(), now.getMinutes(), now.getSeconds()]
      .map(function (n) { return (n < 10 ? "0" : "") + n; })
      .join(":");
  }

  function poll() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    var url = box.dataset.liveUrl + "&since=" + encodeURIComponent(box.dataset.fingerprint || "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        if (answer.changed && typeof answer.html === "string") {
          box.innerHTML = answer.html;
          box.dataset.fingerprint = answer.fingerprint;
          // Said (aria-live) only when the figures changed, not at every poll.
          if (status) {
            status.textContent = box.dataset.updatedText + " " + clock() + ".";
          }
        }
      })
      .catch(function () {
        // A lost connection or an expired session: the next round tries again.
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      poll();
    }
  });
})();
