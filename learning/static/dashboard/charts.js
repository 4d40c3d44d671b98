/* Board dashboard charts. Data comes from the page's json_script block; no inline script (CSP). */
(function () {
  "use strict";

  // Submit the filter as soon as a choice changes; the Show button does the same without JS.
  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var RED = "#dc3545", AMBER = "#ffc107", GREEN = "#198754", BLUE = "#0d6efd", GREY = "#6c757d";

  // Printed pages are static: no animation, and the charts redraw at the paper's width.
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;

  // Every bar keeps its label: Chart.js would otherwise skip labels that do not fit (autoSkip),
  // and a bar would sit beside its neighbour's name ("Closed" under "Action plan monitoring").
  // A horizontal chart is given a row of height for each line of its labels instead (ROW_REM,
  // LINE_REM, on screen and on paper), so that none has to be skipped.
  var ROW_REM = 1.4, LINE_REM = 0.95, AXES_REM = 3.5;
  // A horizontal chart's names take at most LABEL_SHARE of its width: a longer one is wrapped
  // onto lines (Chart.js draws an array as lines), at most MAX_LINES and the last cut with "…",
  // rather than cut off at the chart's left edge on a phone. The table beside each chart keeps
  // the full text.
  var LABEL_SHARE = 0.4, MAX_LINES = 3;
  var measure = document.createElement("canvas").getContext("2d");

  function textWidth(text) {
    measure.font = Chart.defaults.font.size + "px " + Chart.defaults.font.family;
    return measure.measureText(text).width;
  }

  function cut(text, room) {
    while (text.length > 1 && textWidth(text + "…") > room) { text = text.slice(0, -1); }
    return text.replace(/\s+$/, "") + "…";
  }

  function lines(label, chartWidth) {
    var room = Math.max(chartWidth * LABEL_SHARE, 60);
    var text = String(label);
    if (textWidth(text) <= room) { return [text]; }
    var out = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      var tried = line ? line + " " + word : word;
      if (textWidth(tried) <= room || !line) { line = tried; } else { out.push(line); line = word; }
    });
    if (line) { out.push(line); }
    out = out.map(function (part) { return textWidth(part) > room ? cut(part, room) : part; });
    if (out.length > MAX_LINES) {
      out = out.slice(0, MAX_LINES);
      out[MAX_LINES - 1] = cut(out[MAX_LINES - 1], room);
    }
    return out;
  }

  function bar(labels, datasets, stacked, horizontal) {
    var category = { stacked: stacked, ticks: { autoSkip: false } };
    if (horizontal) {
      category.ticks.callback = function (value) {
        var wrapped = lines(this.getLabelForValue(value), this.chart.width);
        return wrapped.length === 1 ? wrapped[0] : wrapped;
      };
    }
    var value = { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } };
    return {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        // A new width may wrap the names onto more lines, or fewer: the rows follow.
        onResize: function (chart, size) { makeRoom(chart.canvas, chart.config, size.width); },
        plugins: { legend: { display: datasets.length > 1 } },
        scales: horizontal ? { x: value, y: category } : { x: category, y: value }
      }
    };
  }

  function makeRoom(canvas, config, width) {
    if (config.options.indexAxis !== "y") { return; }
    var rem = AXES_REM;
    config.data.labels.forEach(function (label) {
      rem += Math.max(ROW_REM, lines(label, width).length * LINE_REM + 0.45);
    });
    var height = rem + "rem";
    if (canvas.parentNode.style.minHeight !== height) { canvas.parentNode.style.minHeight = height; }
  }

  var configs = {
    reviews: function (d) {
      return bar(d.labels, [{ label: "Reviews", data: d.values, backgroundColor: BLUE }], false, true);
    },
    actions: function (d) {
      return bar(d.labels, [
        { label: "Red", data: d.red, backgroundColor: RED },
        { label: "Amber", data: d.amber, backgroundColor: AMBER },
        { label: "Green", data: d.green, backgroundColor: GREEN }
      ], true, true);
    },
    themes: function (d) {
      return bar(d.labels, [{ label: "Themes", data: d.values, backgroundColor: BLUE }], false, false);
    },
    assurance: function (d) {
      return bar(d.labels, [
        { label: "Assured", data: d.assured, backgroundColor: GREEN },
        { label: "Partly assured", data: d.partly, backgroundColor: AMBER },
        { label: "Not assured", data: d.not_assured, backgroundColor: RED }
      ], true, true);
    }
  };

  var charts = [];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var name = canvas.getAttribute("data-chart");
    if (configs[name] && data[name]) {
      var config = configs[name](data[name]);
      makeRoom(canvas, config, canvas.parentNode.clientWidth);
      charts.push(new Chart(canvas, config));
      canvas.setAttribute("data-drawn", "true");
    }
  });
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
