// socialreferral console: the only script of our own (served from the package; the CSP
// allows scripts from this origin only, so nothing here may be inline in a page).
//
// Double-submit safety: a form marked data-once disables its buttons once it is sent,
// so a double click sends one request. The server is idempotent anyway (a lead per
// referral, a decision per reward); this only spares the second round trip.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) {
      return;
    }
    if (form.getAttribute("data-sent") === "yes") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "yes");
    // After the browser has taken the submitter's name/value for the request.
    window.setTimeout(function () {
      form.querySelectorAll("button").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
})();
