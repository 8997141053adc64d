/* The dashboard's charts (ECharts 5, served from static/vendor).
 *
 * Everything is read from the <script type="application/json" id="dashboard-data">
 * block the server renders with json_script; nothing here builds HTML from
 * strings except tooltips, and those escape every value first. A click on a
 * bar or slice opens the list behind it (a same-site path built by the server).
 */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#9b1c1c", "#c8553d", "#e0a458", "#6c8ebf", "#5b9279", "#8f6593", "#7c7c7c"];
  var instances = [];

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[ch];
    });
  }

  function sameSitePath(url) {
    // Only paths the server built ("/rounds/problems/?..."), never another origin or scheme.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/";
  }

  function tooltipFor(spec) {
    return {
      trigger: spec.kind === "pie" ? "item" : "axis",
      axisPointer: { type: "shadow" },
      formatter: function (params) {
        var list = Array.isArray(params) ? params : [params];
        var index = list[0].dataIndex;
        if (spec.tooltips && spec.tooltips[index]) { return escapeHtml(spec.tooltips[index]); }
        var lines = [escapeHtml(list[0].name)];
        list.forEach(function (p) {
          var value = (p.value && typeof p.value === "object") ? p.value.value : p.value;
          var text = escapeHtml(p.seriesName) + "：" + escapeHtml(value) + escapeHtml(spec.unit || "");
          if (spec.kind === "pie") { text += "（" + escapeHtml(p.percent) + "%）"; }
          lines.push(text);
        });
        return lines.join("<br>");
      }
    };
  }

  function barOption(spec, horizontal) {
    var categoryAxis = {
      type: "category",
      data: spec.labels,
      inverse: horizontal,
      axisLabel: horizontal ? { width: 150, overflow: "truncate" } : { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 }
    };
    var valueAxis = {
      type: "value", max: spec.unit === "%" ? 100 : null, minInterval: 1,
      axisLabel: { formatter: spec.unit === "%" ? "{value}%" : "{value}" }
    };
    return {
      color: palette,
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: tooltipFor(spec),
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: "bar", data: s.values, barMaxWidth: 36,
          label: { show: true, position: horizontal ? "right" : "top", formatter: spec.unit === "%" ? "{c}%" : "{c}" }
        };
      })
    };
  }

  function pieOption(spec) {
    var values = spec.series[0].values;
    return {
      color: spec.colors || palette,
      tooltip: tooltipFor(spec),
      series: [{
        name: spec.series[0].name, type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
        label: { formatter: "{b}\n{c}" },
        labelLayout: { hideOverlap: true },
        data: spec.labels.map(function (label, i) { return { name: label, value: values[i] }; })
      }]
    };
  }

  function trendOption(spec) {
    return {
      color: ["#6c8ebf", "#9b1c1c"],
      tooltip: tooltipFor(spec),
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.labels.length > 4 ? 30 : 0 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, splitLine: { show: false } }],
      series: [
        { name: spec.series[0].name, type: "bar", data: spec.series[0].values, barMaxWidth: 32 },
        { name: spec.series[1].name, type: "line", yAxisIndex: 1, data: spec.series[1].values, smooth: true }
      ]
    };
  }

  var builders = {
    bar: function (spec) { return barOption(spec, false); },
    hbar: function (spec) { return barOption(spec, true); },
    pie: pieOption,
    trend: trendOption
  };

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var spec = data.charts[element.getAttribute("data-chart")];
    var build = spec && builders[spec.kind];
    if (!build) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    var option = build(spec);
    option.aria = { enabled: true };
    option.animationDuration = 300;
    chart.setOption(option);
    chart.on("click", function (params) {
      var urls = spec.series_links ? spec.series_links[params.seriesIndex] : spec.links;
      var url = urls && urls[params.dataIndex];
      if (sameSitePath(url)) { window.location.assign(url); }
    });
    instances.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { instances.forEach(function (c) { c.resize(); }); }, 150);
  });
}());
