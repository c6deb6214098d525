// Account pickers: while someone types in an input[data-account-picker], ask the server for the
// matching people and offer them in the input's datalist. Without JavaScript the input still
// takes an e-mail address.
(function () {
  "use strict";

  var DELAY_MS = 200;

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.searchUrl;
    if (!list || !url) { return; }
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2 || text === asked) { return; }
      timer = window.setTimeout(function () {
        asked = text;
        var query = new URLSearchParams({ role: input.dataset.accountPicker, search: text });
        fetch(url + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
          .then(function (data) {
            if (input.value.trim() !== text) { return; }  // typed on meanwhile: a newer answer follows
            list.replaceChildren.apply(list, data.results.map(function (person) {
              var option = document.createElement("option");
              option.value = person.email;
              option.label = person.name;
              option.textContent = person.name;
              return option;
            }));
          })
          .catch(function () { /* no suggestions: the address can still be typed */ });
      }, DELAY_MS);
    });
  }

  document.querySelectorAll("input[data-account-picker]").forEach(attach);
}());
