/* Minqing's small page behaviours, loaded by base.html (after htmx) and the bare error pages.
   The Content-Security-Policy allows no inline script or event handler (onclick=, onchange=…), so
   templates mark elements with data-* attributes and this file gives them their behaviour:
     data-autosubmit        a <select> whose change submits its form (the language switcher)
     data-progress="42"     a Bootstrap .progress-bar whose width is that percentage (set through the
                            CSSOM, which the policy allows; style="" attributes are refused)
     data-history-back      a link that goes back one page when there is one (its href is the fallback)
     data-confirm="…"       a form that asks before it submits (window.confirm with that text)
     data-tag-picker        the search's tag chooser: its plain multi-selects ([data-tag-selects], what the
                            form submits) are hidden and driven by chips ([data-tag-chips]): type in
                            [data-tag-filter] to narrow the catalogue, tap a chip to add it to the mode
                            chosen ([data-tag-mode]: tags_all / tags_any / tags_none), × to take it out
     data-fold-on-search    a Bootstrap .collapse (the search conditions) that folds when its search runs on
                            a small screen, so the count and the list show
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

  function tagPicker(box) {
    if (box.dataset.ready) return;
    const chips = box.querySelector("[data-tag-chips]");
    const plain = box.querySelector("[data-tag-selects]");
    if (!chips || !plain) return;
    box.dataset.ready = "1";
    const selects = {};
    plain.querySelectorAll("select[name]").forEach(function (select) { selects[select.name] = select; });
    const modes = {};
    box.querySelectorAll("[data-tag-mode]").forEach(function (b) { modes[b.dataset.tagMode] = b.textContent.trim(); });
    const chosen = box.querySelector("[data-chosen-list]");
    const filter = box.querySelector("[data-tag-filter]");
    const none = box.querySelector("[data-chip-none]");
    let mode = "tags_all";

    function optionOf(name, code) {
      return Array.from(selects[name].options).find(function (o) { return o.value === code; });
    }

    function modeOf(code) {
      return Object.keys(selects).find(function (name) { const o = optionOf(name, code); return o && o.selected; });
    }

    function render() {
      chosen.replaceChildren();
      Object.keys(selects).forEach(function (name) {
        const picked = Array.from(selects[name].selectedOptions);
        if (!picked.length) return;
        const row = document.createElement("div");
        row.className = "d-flex flex-wrap align-items-center gap-1 mb-1";
        row.dataset.chosen = name;
        const label = document.createElement("span");
        label.className = "small text-muted";
        label.textContent = (modes[name] || name) + "：";
        row.appendChild(label);
        picked.forEach(function (o) {
          const chip = document.createElement("button");
          chip.type = "button";
          chip.className = "btn btn-sm mq-chip active";
          chip.dataset.untag = o.value;
          chip.dataset.from = name;
          chip.setAttribute("aria-label", (box.dataset.removeLabel || "×") + " " + o.textContent);
          chip.textContent = o.textContent + " ×";
          row.appendChild(chip);
        });
        chosen.appendChild(row);
      });
      box.querySelectorAll("[data-chip-list] [data-tag]").forEach(function (chip) {
        const on = Boolean(modeOf(chip.dataset.tag));
        chip.classList.toggle("active", on);
        chip.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }

    function pick(code) {
      const already = modeOf(code);
      Object.keys(selects).forEach(function (name) {
        const o = optionOf(name, code);
        if (o) o.selected = name === mode && already !== mode; // tapping a chip in its own mode takes it out
      });
      render();
    }

    function narrow() {
      const words = filter.value.trim().toLowerCase();
      let shown = 0;
      box.querySelectorAll("[data-chip-group]").forEach(function (group) {
        let any = false;
        group.querySelectorAll("[data-tag]").forEach(function (chip) {
          const hit = !words || chip.dataset.name.toLowerCase().includes(words) || chip.dataset.tag.includes(words);
          chip.classList.toggle("d-none", !hit);
          if (hit) { any = true; shown += 1; }
        });
        group.classList.toggle("d-none", !any);
      });
      if (none) none.classList.toggle("d-none", shown > 0);
    }

    box.addEventListener("click", function (event) {
      const modeButton = event.target.closest("[data-tag-mode]");
      if (modeButton) {
        mode = modeButton.dataset.tagMode;
        box.querySelectorAll("[data-tag-mode]").forEach(function (b) {
          b.classList.toggle("active", b === modeButton);
          b.setAttribute("aria-pressed", b === modeButton ? "true" : "false");
        });
        return;
      }
      const removing = event.target.closest("[data-untag]");
      if (removing) {
        const o = optionOf(removing.dataset.from, removing.dataset.untag);
        if (o) o.selected = false;
        render();
        return;
      }
      const chip = event.target.closest("[data-chip-list] [data-tag]");
      if (chip) pick(chip.dataset.tag);
    });
    if (filter) {
      filter.addEventListener("input", narrow);
      filter.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault(); // Enter in the tag box picks the first match; it does not submit the search
        const first = box.querySelector("[data-chip-list] [data-tag]:not(.d-none)");
        if (first && filter.value.trim()) {
          pick(first.dataset.tag);
          filter.value = "";
          narrow();
        }
      });
    }
    plain.classList.add("d-none");
    chips.classList.remove("d-none");
    render();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const fold = form.closest && form.closest("[data-fold-on-search]");
    if (!fold || !window.bootstrap || window.matchMedia("(min-width: 768px)").matches) return;
    window.bootstrap.Collapse.getOrCreateInstance(fold, { toggle: false }).hide();
  });

  function enhance(root) {
    progress(root);
    const boxes = root.matches && root.matches("[data-tag-picker]") ? [root] : [];
    root.querySelectorAll("[data-tag-picker]").forEach(function (box) { boxes.push(box); });
    boxes.forEach(tagPicker);
  }

  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();
