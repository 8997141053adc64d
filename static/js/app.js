// Behaviour every page may use, kept out of the templates so the
// Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  // <form data-confirm="问题？">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  // <input data-reload-with="date">: choosing another value reloads the page
  // with it in the query (the work log: another day opens that day's log).
  document.addEventListener("change", function (event) {
    var field = event.target;
    var name = field.getAttribute && field.getAttribute("data-reload-with");
    if (name && field.value) {
      window.location.search = "?" + encodeURIComponent(name) + "=" + encodeURIComponent(field.value);
    }
  });
})();
