// A form that posts is sent once: a second click or Enter while the page waits for the answer
// is ignored (a double click scheduled a meeting series twice). Forms another script sends
// itself (htmx) are left to it. The guard lifts after ten seconds, and when the browser shows
// the page again from its history, so a person can always try again.
(function () {
  "use strict";
  var LIFTS_AFTER_MS = 10000;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.dataset.sending === "yes") {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) return;
    form.dataset.sending = "yes";
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { lift(form); }, LIFTS_AFTER_MS);
  });

  function lift(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-sending]").forEach(lift);
  });
})();
