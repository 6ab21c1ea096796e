// Draws a report's figures with Chart.js (vendored, served locally). Each canvas carries
// the result it shows in data-chart: {columns, rows, metrics, labels, units}. A result
// split by period is a line per dimension value over time; otherwise one bar per row.
const MAX_SERIES = 12;
const PALETTE = ["#2455c3", "#1b6e3a", "#b3261e", "#8a5a00", "#6b3fa0", "#00798c",
  "#c05f00", "#4d5d6c", "#a0306e", "#2f7d32", "#5b4bdb", "#7a6a00"];

function labelOf(row, labels) {
  const parts = labels.filter((c) => c !== "period").map((c) => row[c] || "(none)");
  return parts.length ? parts.join(" · ") : "all";
}

function datasetsFor(spec, metric) {
  const labels = spec.labels;
  if (labels.includes("period")) {
    const periods = [...new Set(spec.rows.map((r) => r.period))];
    const series = new Map();
    for (const row of spec.rows) {
      const name = labelOf(row, labels);
      if (!series.has(name)) {
        if (series.size >= MAX_SERIES) continue;
        series.set(name, new Map());
      }
      series.get(name).set(row.period, row[metric]);
    }
    return {
      type: "line",
      labels: periods,
      datasets: [...series.entries()].map(([name, values], i) => ({
        label: name,
        data: periods.map((p) => (values.has(p) ? values.get(p) : null)),
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        spanGaps: true,
      })),
    };
  }
  return {
    type: "bar",
    labels: spec.rows.map((r) => labelOf(r, labels)),
    datasets: [{ label: metric, data: spec.rows.map((r) => r[metric]), backgroundColor: PALETTE[0] }],
  };
}

export function draw(canvas, metric) {
  const spec = JSON.parse(canvas.dataset.chart);
  const chosen = metric || canvas.dataset.metric || spec.metrics[0];
  const { type, labels, datasets } = datasetsFor(spec, chosen);
  if (canvas.chart) canvas.chart.destroy();
  canvas.chart = new window.Chart(canvas, {
    type,
    data: { labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: `${chosen} (${spec.units[chosen] || ""})` } },
      scales: { y: { beginAtZero: true } },
    },
  });
  canvas.dataset.drawn = chosen;
}

for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
  draw(canvas);
}
for (const select of document.querySelectorAll("select[data-chart-metric]")) {
  select.addEventListener("change", () => {
    const canvas = document.getElementById(select.dataset.chartMetric);
    if (canvas) draw(canvas, select.value);
  });
}
