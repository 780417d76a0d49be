/* Behaviour that used to sit in inline handlers: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  function bind() {
    // <select data-autosubmit> sends its form as soon as a choice is made (hotel and language switchers).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Print buttons: data-print, or the older inline onclick="window.print()" that CSP now blocks.
    document.querySelectorAll('[data-print], [onclick="window.print()"]').forEach(function (button) {
      button.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
