// Progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The certificate box reloads itself while a supplement is queued or rendering.
  function pollCertificatePanel() {
    var panel = document.getElementById("certificate-panel");
    if (!panel || !panel.dataset.pollUrl) { return; }
    window.setTimeout(function () {
      fetch(panel.dataset.pollUrl, { credentials: "same-origin" })
        .then(function (response) {
          // Signed out meanwhile (redirected to the login page): stop; a reload will say why.
          if (!response.ok || response.redirected) { return Promise.reject(response.status); }
          return response.text();
        })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html.trim();
          var fresh = template.content.getElementById("certificate-panel");
          if (!fresh) { return; }
          panel.replaceWith(fresh);
          pollCertificatePanel();
        })
        .catch(function (status) {
          // A network hiccup or a server error: try again later. Anything else: stop.
          if (typeof status !== "number" || status >= 500) { window.setTimeout(pollCertificatePanel, 5000); }
        });
    }, 2000);
  }

  // A double click must not send a form twice.
  function guardDoubleSubmit() {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting) { event.preventDefault(); return; }
        form.dataset.submitting = "1";
        window.setTimeout(function () { delete form.dataset.submitting; }, 4000);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    pollCertificatePanel();
    guardDoubleSubmit();
  });
}());
