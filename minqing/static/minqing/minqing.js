/* Minqing's small page behaviours, loaded by base.html (after htmx) and the bare error pages.
   The Content-Security-Policy allows no inline script or event handler (onclick=, onchange=…), so
   templates mark elements with data-* attributes and this file gives them their behaviour:
     data-autosubmit        a <select> whose change submits its form (the language switcher)
     data-progress="42"     a Bootstrap .progress-bar whose width is that percentage (set through the
                            CSSOM, which the policy allows; style="" attributes are refused)
     data-history-back      a link that goes back one page when there is one (its href is the fallback)
     data-confirm="…"       a form that asks before it submits (window.confirm with that text)
   Content swapped in by htmx gets the same treatment (htmx:load). No framework. */
(function () {
  "use strict";

  function progress(root) {
    const bars = root.matches && root.matches("[data-progress]") ? [root] : [];
    root.querySelectorAll("[data-progress]").forEach(function (bar) { bars.push(bar); });
    bars.forEach(function (bar) {
      const value = Math.min(100, Math.max(0, parseFloat(bar.dataset.progress) || 0));
      bar.style.width = value + "%";
    });
  }

  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.requestSubmit();
  });

  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target.closest && event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation(); // htmx listens on the form itself: an hx-post form must not go either
    }
  }, true);

  document.addEventListener("htmx:load", function (event) { progress(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { progress(document); });
  } else {
    progress(document);
  }
})();
