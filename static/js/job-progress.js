// The job page's progress, asked for every few seconds without reloading the page. Without
// script the page refreshes itself (a meta refresh in <noscript>) and offers a refresh link.
(function () {
  "use strict";

  var section = document.getElementById("job");
  if (!section || section.dataset.finished === "true") { return; }
  var bar = document.getElementById("job-progress");
  var shown = section.querySelector(".job-status-shown");
  var counts = section.querySelector(".job-counts");
  var download = section.querySelector(".job-download");
  var cancel = section.querySelector(".job-cancel");
  var every = Number(section.dataset.pollSeconds || "2") * 1000;
  var template = counts ? counts.textContent : "";
  var numbers = /\d+/g;

  function show(progress) {
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.status === "done" ? bar.max : progress.done;
    bar.textContent = progress.percent + "%";
    shown.textContent = progress.status_shown;
    if (counts) {
      // The sentence as the server wrote it in the reader's language, its three numbers replaced.
      var values = [progress.done, progress.total, progress.percent];
      var index = 0;
      counts.textContent = template.replace(numbers, function (number) {
        return index < values.length ? String(values[index++]) : number;
      });
    }
  }

  function finish(progress) {
    if (cancel) { cancel.hidden = true; }
    if (progress.status === "done" && download) { download.hidden = false; return; }
    // A report to read (an import) or an error: the page says it.
    window.location.reload();
  }

  function poll() {
    fetch(section.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { return Promise.reject(response.status); }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (progress.finished) { finish(progress); } else { window.setTimeout(poll, every); }
      })
      .catch(function (status) {
        if (typeof status !== "number" || status >= 500) { window.setTimeout(poll, every * 2); }
      });
  }

  window.setTimeout(poll, every);
}());
