// mend's Trends page: the report's figures over time, drawn with uPlot (served from its npm
// package, like htmx). The data is the page's own JSON block; the tables under each chart carry
// the same numbers as text. Colours come from the stylesheet, so the charts follow the theme.
/* global uPlot */

const HEIGHT = 240;

function colours() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    fg: read('--fg'),
    muted: read('--muted'),
    line: read('--line'),
    good: read('--chart-good'),
    bad: read('--chart-bad'),
    series: [1, 2, 3, 4, 5, 6].map((i) => read(`--chart-${i}`)),
  };
}

const countRange = (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))];
// Counts are whole: no tick at 0.5 heals.
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
// The tables say UTC; so do the charts, whatever the browser's time zone.
const utc = (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

function axes(c, y) {
  const axis = { stroke: c.muted, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line } };
  return [
    { ...axis, label: 'UTC' },
    { ...axis, incrs: WHOLE, ...y },
  ];
}

/** A point where something happened; a bucket of zero is the line alone. */
const nonZero = (u, seriesIndex) => u.data[seriesIndex].flatMap((value, i) => (value ? [i] : []));

function line(label, stroke, extra = {}) {
  return {
    label,
    stroke,
    width: 2,
    points: { show: true, size: 7, fill: stroke, filter: nonZero },
    ...extra,
  };
}

function bars(label, fill, align) {
  return {
    label,
    stroke: fill,
    fill,
    width: 0,
    paths: uPlot.paths.bars({ size: [0.4, 40], align }),
    points: { show: false },
  };
}

/** Each chart: its series and data from the report's series (x: bucket starts, in seconds). */
const CHARTS = {
  heals(data, c) {
    const s = data.series;
    return {
      series: s.heals.map((h, i) =>
        line(`${h.service}/${h.runbook}`, c.series[i % c.series.length]),
      ),
      values: s.heals.map((h) => h.attempts),
      y: { label: 'heals' },
    };
  },
  outcomes(data, c) {
    const o = data.series.outcomes;
    return {
      series: [
        bars('succeeded', c.good, -1),
        bars('failed or unknown', c.bad, 1),
        line('success rate (%)', c.fg, { scale: '%' }),
      ],
      values: [
        o.succeeded,
        o.failed.map((f, i) => f + o.unknown[i]),
        o.successRate.map((r) => (r === null ? null : Math.round(r * 100))),
      ],
      y: { label: 'heals' },
      scales: { '%': { range: [0, 100] } },
      extraAxes: [{ scale: '%', side: 1, label: '%', stroke: c.muted, grid: { show: false } }],
    };
  },
  chronic(data, c) {
    const s = data.series;
    return {
      series: s.chronic.map((row, i) =>
        bars(`${row.service}`, c.series[i % c.series.length], i % 2 === 0 ? -1 : 1),
      ),
      values: s.chronic.map((row) => row.flags),
      y: { label: 'chronic flags' },
    };
  },
  shadow(data, c) {
    const s = data.series.shadow;
    return {
      series: [
        line('would heal', c.series[0]),
        line('would page', c.series[1]),
        bars('recovered on its own', c.good, -1),
        bars('did not', c.bad, 1),
      ],
      values: [s.wouldHeal, s.wouldPage, s.recoveredOnItsOwn, s.notOnItsOwn],
      y: { label: 'incidents' },
    };
  },
};

function timeChart(name, data, c, width) {
  const spec = CHARTS[name](data, c);
  const x = data.series.buckets.map((ms) => ms / 1000);
  return {
    options: {
      width,
      height: HEIGHT,
      tzDate: utc,
      series: [{ label: 'from (UTC)' }, ...spec.series],
      scales: { x: { time: true }, y: { range: countRange }, ...(spec.scales ?? {}) },
      axes: [...axes(c, spec.y), ...(spec.extraAxes ?? [])],
    },
    data: [x, ...spec.values],
  };
}

/** The distribution: one bar per bin, named by the page (`≤ 30s`, `> 4h`). */
function recoveryChart(data, c, width) {
  const bins = data.series.recovery.bins;
  const labels = data.recoveryLabels;
  return {
    options: {
      width,
      height: HEIGHT,
      series: [
        { label: 'within', value: (_u, i) => (i === null ? '' : (labels[i] ?? '')) },
        bars('incidents', c.series[0], 0),
      ],
      scales: { x: { time: false, range: [-0.5, bins.length - 0.5] }, y: { range: countRange } },
      axes: [
        {
          stroke: c.muted,
          grid: { show: false },
          ticks: { stroke: c.line },
          splits: () => bins.map((_, i) => i),
          values: (_u, splits) => splits.map((i) => labels[i] ?? ''),
        },
        { stroke: c.muted, grid: { stroke: c.line, width: 1 }, incrs: WHOLE, label: 'incidents' },
      ],
    },
    data: [bins.map((_, i) => i), bins.map((b) => b.count)],
  };
}

let drawn = [];

function draw(data) {
  for (const chart of drawn) chart.destroy();
  drawn = [];
  const c = colours();
  const scheme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  for (const place of document.querySelectorAll('[data-chart]')) {
    const name = place.getAttribute('data-chart');
    const width = Math.max(280, place.clientWidth);
    const built =
      name === 'recovery' ? recoveryChart(data, c, width) : timeChart(name, data, c, width);
    // A chart with nothing to draw still shows its axes: an empty week is an answer too.
    drawn.push(new uPlot(built.options, built.data, place));
    place.dataset.drawn = scheme;
  }
}

function start() {
  const block = document.getElementById('trends-data');
  if (!block || typeof uPlot === 'undefined') return;
  const data = JSON.parse(block.textContent);
  draw(data);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => draw(data));
  let width = document.querySelector('main')?.clientWidth ?? 0;
  let pending;
  new ResizeObserver(() => {
    const now = document.querySelector('main')?.clientWidth ?? 0;
    if (now === width) return;
    width = now;
    clearTimeout(pending);
    pending = setTimeout(() => draw(data), 150);
  }).observe(document.body);
}

start();
