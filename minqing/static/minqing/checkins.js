/* The check-in page (templates/checkins/index.html): the browser's position into the form's hidden fields.
   Loaded by that page only. The form [data-checkin-form] carries its texts in data-* attributes (translated by
   the template); the status line is [data-checkin-status]. A submit while the position is still coming waits
   for it (at most the timeout), so a cadre in the village who taps at once is not refused for "no position".
   Without geolocation (or when it is refused) the form still submits: the office network may allow it. */
(function () {
  "use strict";

  var TIMEOUT_MS = 10000;

  function setUp(form) {
    var status = form.querySelector("[data-checkin-status]");
    var button = form.querySelector("button[type=submit]");
    var pending = false;
    var submitWhenDone = false;

    function say(text) { if (status && text) status.textContent = text; }
    function field(name, value) {
      var input = form.querySelector("input[name=" + name + "]");
      if (input) input.value = value;
    }
    function done() {
      pending = false;
      if (submitWhenDone) form.submit();
    }

    if (!("geolocation" in navigator)) {
      say(form.dataset.noLocation);
      return;
    }
    pending = true;
    say(form.dataset.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      field("latitude", c.latitude.toFixed(6));
      field("longitude", c.longitude.toFixed(6));
      field("accuracy", String(Math.ceil(c.accuracy)));
      say((form.dataset.located || "").replace("{n}", String(Math.ceil(c.accuracy))));
      done();
    }, function () {
      say(form.dataset.noLocation);
      done();
    }, { enableHighAccuracy: true, timeout: TIMEOUT_MS, maximumAge: 60000 });

    form.addEventListener("submit", function (event) {
      if (!pending) {
        if (button) button.disabled = true; // one tap, one check-in
        return;
      }
      event.preventDefault();
      submitWhenDone = true;
      if (button) button.disabled = true;
      say(form.dataset.waiting);
    });
  }

  document.querySelectorAll("[data-checkin-form]").forEach(setUp);
})();
