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

  // Irreversible steps ask first: a form (or its submit button) with data-confirm opens the
  // page's <dialog>, its two buttons named by data-confirm-yes and data-confirm-no; only
  // "confirm" sends the form. Without JavaScript the form is sent as is.
  // The dialog is modal: focus stays in it, Escape and "Cancel" close it without sending.
  function askBeforeIrreversibleSteps() {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var message = dialog.querySelector(".confirm-dialog-message");
    var yes = dialog.querySelector(".confirm-dialog-yes");
    var no = dialog.querySelector(".confirm-dialog-no");
    var goBack = no.textContent;
    var pending = null;
    // The capture phase runs before any other submit handler (the double-submit guard).
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var submitter = event.submitter || null;
      var source = submitter && submitter.dataset.confirm ? submitter : form;
      if (!source.dataset || !source.dataset.confirm) { return; }
      if (form.dataset.confirmed) { delete form.dataset.confirmed; return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      pending = { form: form, submitter: submitter };
      message.textContent = source.dataset.confirm;
      yes.textContent = source.dataset.confirmYes || source.dataset.confirm;
      no.textContent = source.dataset.confirmNo || goBack;
      dialog.returnValue = "";
      dialog.showModal();
    }, true);
    dialog.addEventListener("close", function () {
      var step = pending;
      pending = null;
      if (!step || dialog.returnValue !== "confirm") { return; }
      step.form.dataset.confirmed = "1";
      if (typeof step.form.requestSubmit === "function") {
        step.form.requestSubmit(step.submitter);
      } else {
        step.form.submit();
      }
    });
  }

  // A double click must not send a form twice.
  function guardDoubleSubmit() {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        if (form.dataset.submitting) { event.preventDefault(); return; }
        form.dataset.submitting = "1";
        window.setTimeout(function () { delete form.dataset.submitting; }, 4000);
      });
    });
  }

  // A form marked data-unsaved-warning (the score sheet) asks before the page is left with
  // changes typed but not sent. Sending the form itself (saving, submitting) does not ask.
  function warnAboutUnsavedChanges() {
    document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
      var changed = false;
      function markChanged() { changed = true; }
      form.addEventListener("input", markChanged);
      form.addEventListener("change", markChanged);
      form.addEventListener("submit", function (event) {
        if (!event.defaultPrevented) { changed = false; }
      });
      window.addEventListener("beforeunload", function (event) {
        if (!changed) { return; }
        event.preventDefault();
        event.returnValue = "";  // older browsers show the dialog only when this is set
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    pollCertificatePanel();
    askBeforeIrreversibleSteps();
    guardDoubleSubmit();
    warnAboutUnsavedChanges();
  });
}());
