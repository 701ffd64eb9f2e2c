// The import page's progress bar: every second, ask the job's JSON endpoint for its counts and
// update the bar in place; once the job is done or failed, reload the page, which then shows
// the report. Without JavaScript the page reloads itself (a meta refresh in <noscript>).
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section) {
    return;
  }
  var bar = section.querySelector("progress");
  var status = section.querySelector("[data-status]");
  var counts = section.querySelectorAll("[data-count]");

  function show(progress) {
    bar.max = progress.rows;
    bar.value = progress.read;
    bar.textContent = progress.read + " of " + progress.rows + " rows";
    counts.forEach(function (count) {
      count.textContent = String(progress[count.dataset.count]);
    });
    status.textContent = progress.status;
  }

  function poll() {
    fetch(section.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (progress.state === "done" || progress.state === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // a server restarting, a network hiccup: ask again
      });
  }

  window.setTimeout(poll, 1000);
})();
