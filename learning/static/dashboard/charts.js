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
  // A horizontal chart is given a row of height for each label instead (ROW_REM, on screen and
  // on paper), so that none has to be skipped.
  var ROW_REM = 1.4, AXES_REM = 3.5;

  function bar(labels, datasets, stacked, horizontal) {
    var category = { stacked: stacked, ticks: { autoSkip: false } };
    var value = { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } };
    return {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: horizontal ? { x: value, y: category } : { x: category, y: value }
      }
    };
  }

  function makeRoom(canvas, config) {
    if (config.options.indexAxis === "y") {
      var rows = config.data.labels.length;
      canvas.parentNode.style.minHeight = (rows * ROW_REM + AXES_REM) + "rem";
    }
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
      makeRoom(canvas, config);
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
