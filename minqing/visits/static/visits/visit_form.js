/* The visit form (templates/visits/form.html): loaded as a file, since the Content-Security-Policy allows no
   inline script. It
     - keeps one client id (UUID) per form: the server renders one; an empty field gets crypto.randomUUID()
       (or random bytes where the page is not a secure context), so a resubmission of the same page is the
       same entry, never a second one;
     - asks navigator.geolocation once for the position and fills the hidden latitude / longitude /
       accuracy fields, showing 已定位 ±N 米 or 未获得位置 (重新定位 asks again);
     - previews the chosen photos (blob: URLs, allowed by img-src) and refuses more than data-max;
     - disables the submit button while the form is sent (a double tap sends once). */
(function () {
  "use strict";

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      try { return window.crypto.randomUUID(); } catch (e) { /* insecure context: fall through */ }
    }
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function setup(form) {
    const messages = document.querySelector("template[data-geo-messages]");
    const text = form.querySelector("[data-geo-text]");
    const field = function (name) { return form.querySelector('[data-geo="' + name + '"]'); };
    const clientId = form.querySelector("[data-client-id]");
    if (clientId && !clientId.value) clientId.value = uuid4();

    function show(message) { if (text) text.textContent = message; }

    function locate() {
      if (!navigator.geolocation) { show(messages.dataset.failed); return; }
      show(messages.dataset.locating);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          const c = position.coords;
          field("latitude").value = c.latitude.toFixed(6);
          field("longitude").value = c.longitude.toFixed(6);
          field("accuracy").value = Math.max(0, c.accuracy).toFixed(1);
          show(messages.dataset.located.replace("%s", Math.round(c.accuracy)));
          form.dataset.located = "1";
        },
        function () {
          if (!field("latitude").value) show(messages.dataset.failed);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }
    const retry = form.querySelector("[data-geo-retry]");
    if (retry) retry.addEventListener("click", locate);
    if (!field("latitude").value) locate();

    const input = form.querySelector("[data-photo-input]");
    const previews = form.querySelector("[data-photo-previews]");
    const tooMany = form.querySelector("[data-photo-error]");
    if (input && previews) {
      input.addEventListener("change", function () {
        previews.replaceChildren();
        const max = parseInt(input.dataset.max, 10) || 9;
        const files = Array.from(input.files || []);
        tooMany.classList.toggle("d-none", files.length <= max);
        files.slice(0, max).forEach(function (file) {
          const img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.width = 72;
          img.height = 72;
          img.alt = file.name;
          img.className = "rounded border object-fit-cover";
          img.addEventListener("load", function () { URL.revokeObjectURL(img.src); });
          previews.appendChild(img);
        });
      });
    }

    form.addEventListener("submit", function (event) {
      const max = input ? parseInt(input.dataset.max, 10) || 9 : 9;
      if (input && input.files && input.files.length > max) {
        event.preventDefault();
        tooMany.classList.remove("d-none");
        return;
      }
      const button = form.querySelector("[data-submit]");
      if (button) {
        if (button.disabled) { event.preventDefault(); return; }
        button.disabled = true;
        button.textContent = button.dataset.busyText || button.textContent;
      }
    });
  }

  document.querySelectorAll("form[data-visit-form]").forEach(setup);
})();
