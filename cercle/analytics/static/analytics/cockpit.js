// Draws the cockpit's charts with the vendored Chart.js, from the same figures as
// the tables below each chart (which stay the accessible, printable source: the
// charts are hidden from assistive technology). Without JavaScript the tables remain.
(function () {
  "use strict";
  const source = document.getElementById("cockpit-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const palette = ["#1d4ed8", "#b45309", "#047857", "#7c3aed"];
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  for (const chart of charts) {
    const canvas = document.getElementById(chart.id);
    if (!canvas) continue;
    new window.Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data,
            borderColor: palette[index % palette.length],
            backgroundColor: palette[index % palette.length],
            pointRadius: 0,
            borderWidth: 2,
          };
        }),
      },
      options: {
        animation: reduced ? false : undefined,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true } },
      },
    });
  }
})();
