// Bar charts drawn with Chart.js (static/vendor/chartjs) from figures the page gives as JSON:
// <canvas data-chart="ID"> is drawn from <script type="application/json" id="ID">, of the shape
// {title, x_title, y_title, labels: [...], series: [{name, label, values: [...]}]}.
// The table with data-chart-figures="ID" holds the same figures: it stays for screen readers
// and is shown whenever no chart is drawn (no script, Chart.js missing).
(() => {
  if (typeof Chart === "undefined") return;

  // The series colours of the console (css/app.css uses the same ones).
  const COLOURS = { received: "#5b8def", completed: "#2f9e68", rejected: "#d9534f" };
  const INK = "#1b2330";
  const MUTED = "#5d6778";
  // A logarithmic axis is chosen when the largest bar is this many times the smallest one:
  // on a linear axis the smallest would be a line of a pixel or less.
  const LOG_FROM_RATIO = 50;
  const whole = new Intl.NumberFormat("en");
  const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

  // Each bar's value above it: readable without hovering, and in a printout.
  const barValues = {
    id: "barValues",
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillStyle = INK;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      chart.data.datasets.forEach((dataset, index) => {
        const meta = chart.getDatasetMeta(index);
        if (meta.hidden) return;
        meta.data.forEach((bar, at) => {
          const value = dataset.data[at];
          if (value) ctx.fillText(compact.format(value), bar.x, bar.y - 2);
        });
      });
      ctx.restore();
    },
  };

  function yAxis(figures, logarithmic) {
    const title = { display: true, text: figures.y_title, color: MUTED };
    if (!logarithmic) {
      return { type: "linear", beginAtZero: true, title, ticks: { precision: 0 } };
    }
    // Half a request as the floor, so that a bar of 1 still rises; only powers of ten labelled.
    const powerOfTen = (value) => value >= 1 && Number.isInteger(Math.log10(value));
    return {
      type: "logarithmic",
      min: 0.5,
      title,
      ticks: { callback: (value) => (powerOfTen(value) ? whole.format(value) : "") },
    };
  }

  function spreadIsWide(figures) {
    const values = figures.series.flatMap((series) => series.values).filter((value) => value > 0);
    return values.length > 0 && Math.max(...values) >= LOG_FROM_RATIO * Math.min(...values);
  }

  function scaleToggle(canvas, chart, figures, logarithmic) {
    const label = document.createElement("label");
    label.className = "chart-scale";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = logarithmic;
    box.addEventListener("change", () => {
      chart.options.scales.y = yAxis(figures, box.checked);
      chart.update();
    });
    label.append(box, " Logarithmic scale (small counts stay visible next to large ones)");
    canvas.parentElement.before(label);
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const figures = JSON.parse(source.textContent);
    const logarithmic = spreadIsWide(figures);
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: figures.labels,
        datasets: figures.series.map((series) => ({
          label: series.label,
          data: series.values,
          backgroundColor: COLOURS[series.name] || MUTED,
        })),
      },
      options: {
        aspectRatio: 3,
        animation: false,
        layout: { padding: { top: 16 } },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${whole.format(item.raw)}` },
          },
        },
        scales: {
          x: { title: { display: true, text: figures.x_title, color: MUTED } },
          y: yAxis(figures, logarithmic),
        },
      },
      plugins: [barValues],
    });
    scaleToggle(canvas, chart, figures, logarithmic);
    const table = document.querySelector(`[data-chart-figures="${canvas.dataset.chart}"]`);
    if (table) table.classList.add("visually-hidden");
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
