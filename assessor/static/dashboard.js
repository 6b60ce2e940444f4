/* The recruiters' list: draws the distribution of overall scores per test with the vendored
   Chart.js (static/vendor/, see its README). The data comes from the JSON block
   #distribution-data; the words from data- attributes, so that they are translated on the server.
   Without JavaScript, or if drawing fails, the table of numbers stays as it is. */
(function () {
  "use strict";

  // Colour-blind-safe (Okabe-Ito), dark enough for 3:1 against white.
  var COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56647b", "#a3222b"];

  function bandLabels() {
    var labels = [];
    for (var n = 0; n < 10; n += 1) {
      labels.push(n * 10 + "–" + (n === 9 ? 100 : n * 10 + 9));
    }
    return labels;
  }

  function datasets(banks) {
    return banks.map(function (bank, index) {
      var colour = COLOURS[index % COLOURS.length];
      return { label: bank.title, data: bank.bins, backgroundColor: colour, borderColor: colour };
    });
  }

  function setUpToggle(table) {
    var toggle = document.getElementById("distribution-toggle");
    if (!toggle) {
      return;
    }
    table.classList.add("visually-hidden"); // still read by screen readers
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var showing = table.classList.toggle("visually-hidden") === false;
      toggle.setAttribute("aria-expanded", String(showing));
      toggle.textContent = showing ? toggle.dataset.hide : toggle.dataset.show;
    });
  }

  function draw() {
    var canvas = document.getElementById("distribution-chart");
    var source = document.getElementById("distribution-data");
    var table = document.getElementById("distribution-table");
    if (!canvas || !source || !table || typeof window.Chart !== "function") {
      return;
    }
    var banks = JSON.parse(source.textContent || "[]");
    if (!banks.length) {
      return;
    }
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: bandLabels(), datasets: datasets(banks) },
      options: {
        animation: false,
        aspectRatio: 3,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { title: { display: true, text: canvas.dataset.xLabel } },
          y: {
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: true, text: canvas.dataset.yLabel },
          },
        },
      },
    });
    canvas.dataset.drawn = "true";
    setUpToggle(table);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
