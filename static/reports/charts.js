/* The dashboard: section tabs and its Apache ECharts charts.
 *
 * The data comes from <script type="application/json" id="dashboard-charts"> (rendered by
 * reports/charts.py); each <div class="echart" data-chart="ID"> gets the chart of that id. No
 * inline script or style is needed, so the page keeps a strict Content-Security-Policy. Tooltips
 * are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry style attributes,
 * which that policy refuses. The table beside each chart holds the same numbers. */
(function () {
  "use strict";

  var sections = document.getElementById("dash-sections");
  var tabs = document.getElementById("dash-tabs");
  var dataBlock = document.getElementById("dashboard-charts");
  if (!sections || !tabs) {
    return;
  }
  var specs = dataBlock ? JSON.parse(dataBlock.textContent) : {};
  var isChinese = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
  var drawn = [];

  function seriesOf(spec) {
    var spark = spec.kind === "spark";
    return spec.series.map(function (s) {
      return {
        name: s.name,
        type: spec.kind === "bar" ? "bar" : "line",
        data: s.data,
        connectNulls: true,
        showSymbol: !spark && s.data.length <= 31,
        symbolSize: 5,
        lineStyle: { width: spark ? 1.5 : 2 },
        areaStyle: spark ? { opacity: 0.15 } : undefined,
        barMaxWidth: 18
      };
    });
  }

  function optionOf(spec) {
    var spark = spec.kind === "spark";
    var tooltip = { trigger: "axis", renderMode: "richText", confine: true };
    if (spark) {
      return {
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        tooltip: tooltip,
        xAxis: { type: "category", data: spec.labels, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, min: spec.min === null ? undefined : spec.min, max: spec.max === null ? undefined : spec.max },
        series: seriesOf(spec)
      };
    }
    return {
      animation: false,
      color: ["#2b6cb0", "#9ac2e6", "#dd6b20"],
      grid: { left: 48, right: 16, top: spec.series.length > 1 ? 36 : 16, bottom: 28, containLabel: false },
      legend: spec.series.length > 1 ? { top: 0, data: spec.series.map(function (s) { return s.name; }) } : undefined,
      tooltip: tooltip,
      xAxis: { type: "category", data: spec.labels, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "value",
        min: spec.min === null ? undefined : spec.min,
        max: spec.max === null ? undefined : spec.max,
        minInterval: 1,
        axisLabel: { formatter: function (value) { return value.toLocaleString(isChinese ? "zh-CN" : "en-GB"); } }
      },
      series: seriesOf(spec)
    };
  }

  function draw(container) {
    if (container.dataset.drawn || container.offsetWidth === 0) {
      return; // a hidden tab: drawn when it is opened, at its real size
    }
    var spec = specs[container.dataset.chart];
    if (!spec || !window.echarts) {
      return;
    }
    var chart = window.echarts.init(container, null, { renderer: "canvas", locale: isChinese ? "ZH" : "EN" });
    chart.setOption(optionOf(spec));
    container.dataset.drawn = "1";
    drawn.push(chart);
  }

  function drawVisible() {
    Array.prototype.forEach.call(sections.querySelectorAll(".echart"), draw);
  }

  function show(id) {
    var target = id && document.getElementById(id);
    if (!target || !target.classList.contains("dash-section")) {
      target = document.getElementById("summary");
    }
    Array.prototype.forEach.call(sections.children, function (panel) {
      if (panel.classList.contains("dash-section") || panel.id === "summary") {
        panel.classList.toggle("is-active", panel === target);
      }
    });
    Array.prototype.forEach.call(tabs.querySelectorAll("a"), function (link) {
      if (link.getAttribute("href") === "#" + target.id) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    });
    drawVisible();
  }

  sections.classList.add("js-tabs");
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link || !(tabs.contains(link) || sections.contains(link))) {
      return;
    }
    var id = link.getAttribute("href").slice(1);
    if (!document.getElementById(id)) {
      return;
    }
    event.preventDefault();
    // The address keeps the tab (a reload or a shared link opens it) without jumping down to it.
    history.replaceState(null, "", "#" + id);
    show(id);
  });
  window.addEventListener("hashchange", function () { show(location.hash.slice(1)); });
  window.addEventListener("resize", function () { drawn.forEach(function (chart) { chart.resize(); }); });
  show(location.hash.slice(1));
})();
