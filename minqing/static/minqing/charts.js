/* 群体数据分布图: each [data-chart] element fetches its data-url (the search's own query string) and is drawn
   with the local ECharts. No framework. In a section marked data-drill="page" a click narrows the whole search
   (list, count and charts): a bar of the area chart opens the same search with area=<code>, a sex slice with
   sex=<code>, an age band with age_min/age_max (within the ages already asked), a key group adds it to
   tags_all. Elsewhere the area bar chart drills down in place (re-fetch with area=<code>).
   Safe to load twice: htmx re-runs scripts in swapped content, and htmx:afterSwap re-scans the page.
   Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry style="" markup,
   which the Content-Security-Policy refuses. Heights are set through the CSSOM (el.style), which it allows. */
(function () {
  "use strict";
  if (window.mqCharts) { window.mqCharts.scan(); return; }
  const COLORS = ["#9b2c2c", "#c05621", "#b7791f", "#2f855a", "#2b6cb0", "#6b46c1", "#b83280", "#4a5568"];
  const live = new Set();
  const text = { empty: "—", failed: "!" };
  let loading = null;

  function section(el) { return el.closest("[data-echarts-src]") || document.body; }

  function loadEcharts(src) {
    if (window.echarts) return Promise.resolve(window.echarts);
    loading = loading || new Promise(function (resolve, reject) {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = function () { resolve(window.echarts); };
      tag.onerror = function () { loading = null; reject(new Error("echarts")); };
      document.head.appendChild(tag);
    });
    return loading;
  }

  function message(text) {
    return { title: { text: text, left: "center", top: "middle", textStyle: { color: "#6c757d", fontSize: 14 } } };
  }

  function option(data, width) {
    const small = width < 420;
    let items = data.items;
    if (!items.length || items.every(function (i) { return !i.value; })) return message(text.empty);
    if (data.type === "pie") {
      return {
        color: COLORS, tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}：{c}（{d}%）" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: small ? ["30%", "60%"] : ["35%", "68%"], data: items,
          label: { formatter: "{b}\n{c}" } }],
      };
    }
    const horizontal = data.type === "hbar";
    if (horizontal) items = items.slice().reverse(); // first tag on top
    const category = { type: "category", data: items.map(function (i) { return i.name; }),
      axisLabel: { interval: 0, width: small ? 76 : 120, overflow: "truncate",
        rotate: horizontal || items.length <= (small ? 3 : 6) ? 0 : items.length > 10 ? 65 : 35 } };
    const value = { type: "value", minInterval: 1 };
    return {
      color: COLORS, tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: horizontal ? 56 : 16, top: 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: items, barMaxWidth: 36, label: { show: true, position: horizontal ? "right" : "top" } }],
    };
  }

  function withArea(url, code) {
    const u = new URL(url, window.location.href);
    u.searchParams.set("area", code);
    u.searchParams.delete("page");
    return u.pathname + u.search;
  }

  // The current page's search narrowed by one clicked chart item, or null when the item narrows nothing.
  function narrowed(dim, item) {
    const u = new URL(window.location.href);
    const p = u.searchParams;
    ["page", "after", "before"].forEach(function (name) { p.delete(name); });
    if (dim === "area") {
      if (!item.code || p.get("area") === item.code) return null;
      p.set("area", item.code);
    } else if (dim === "sex") {
      if (item.code !== "1" && item.code !== "2") return null;
      p.set("sex", item.code);
    } else if (dim === "age") {
      const band = /^(\d+)(?:-(\d+)|\+)$/.exec(item.code || "");
      if (!band) return null;
      const low = Math.max(parseInt(band[1], 10), parseInt(p.get("age_min") || "0", 10) || 0);
      p.set("age_min", String(low));
      const had = p.get("age_max");
      if (band[2] !== undefined) {
        p.set("age_max", String(had ? Math.min(parseInt(band[2], 10), parseInt(had, 10)) : parseInt(band[2], 10)));
      }
    } else if (dim === "tag") {
      const tags = (p.get("tags_all") || "").split(",").filter(Boolean);
      if (!item.code || tags.indexOf(item.code) >= 0) return null;
      tags.push(item.code);
      p.set("tags_all", tags.join(","));
    } else {
      return null;
    }
    return u.pathname + "?" + p.toString();
  }

  function draw(el, url) {
    const state = el.mqState;
    state.url = url;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (data.type === "hbar") { // one row per tag, readable on a phone
          el.style.height = Math.max(240, data.items.length * 24 + 48) + "px";
          state.chart.resize();
        }
        state.chart.setOption(option(data, el.clientWidth), true);
        const heading = document.querySelector('[data-chart-title="' + el.dataset.chart + '"]');
        if (heading && data.sample) heading.textContent = data.title; // counted from a sample: say so
      })
      .catch(function () { state.chart.setOption(message(text.failed), true); });
    const up = document.querySelector('[data-chart-up="' + el.dataset.chart + '"]');
    const title = document.querySelector('[data-chart-title="' + el.dataset.chart + '"]');
    if (up) up.classList.toggle("d-none", !state.stack.length);
    if (title) title.textContent = state.title + (state.stack.length ? " · " + state.stack.at(-1).name : "");
  }

  function init(echarts, el) {
    const old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const chart = echarts.init(el, null, { renderer: "canvas" });
    const title = document.querySelector('[data-chart-title="' + el.dataset.chart + '"]');
    el.mqState = { chart: chart, stack: [], title: title ? title.textContent : "", source: el.dataset.url };
    live.add(el);
    if (section(el).dataset.drill === "page") {
      el.classList.add("mq-chart-link");
      chart.on("click", function (p) {
        const target = p.data && p.data.value ? narrowed(el.dataset.chart, p.data) : null;
        if (target) window.location.assign(target);
      });
    } else if (el.dataset.chart === "area") {
      chart.on("click", function (p) {
        if (!p.data || !p.data.drill) return;
        el.mqState.stack.push({ url: el.mqState.url, name: p.data.name });
        draw(el, withArea(el.mqState.url, p.data.code));
      });
      const up = document.querySelector('[data-chart-up="area"]');
      if (up) up.onclick = function () { const last = el.mqState.stack.pop(); if (last) draw(el, last.url); };
    }
    draw(el, el.dataset.url);
  }

  function scan() {
    live.forEach(function (el) {
      if (!document.body.contains(el)) { el.mqState.chart.dispose(); live.delete(el); }
    });
    const fresh = Array.from(document.querySelectorAll("[data-chart]")).filter(function (el) {
      return !el.mqState || el.mqState.source !== el.dataset.url;
    });
    if (!fresh.length) return;
    const box = section(fresh[0]);
    text.empty = box.dataset.empty || text.empty;
    text.failed = box.dataset.failed || text.failed;
    loadEcharts(box.dataset.echartsSrc).then(function (echarts) { fresh.forEach(function (el) { init(echarts, el); }); });
  }

  window.mqCharts = { scan: scan, narrowed: narrowed };
  document.body.addEventListener("htmx:afterSwap", scan);
  window.addEventListener("resize", function () { live.forEach(function (el) { el.mqState.chart.resize(); }); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan); else scan();
})();
