// Charts drawn locally as SVG (no chart library, no CDN). Colours come from the stylesheet through
// class names `c0`…`c7`, since the CSP allows no inline style.
import { svg } from './dom.js';

/**
 * Horizontal bars: `rows` = [{name, value, label?}], longest first. `max` defaults to the largest
 * value. Returns an <svg> with a <title> for screen readers.
 */
export function bars(rows, { title, max, width = 360, row = 26, labelWidth = 110, valueWidth = 48 } = {}) {
  const top = Math.max(max ?? 0, ...rows.map((r) => r.value), 1e-9);
  const height = Math.max(row, rows.length * row);
  const plot = width - labelWidth - valueWidth - 6;
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart bars', role: 'img', 'aria-label': title },
    svg('title', { text: title }),
    rows.map((r, i) => {
      const y = i * row;
      const w = Math.max(2, (r.value / top) * plot);
      return svg('g', { class: `c${i % 8}` },
        svg('text', { x: labelWidth - 8, y: y + row / 2 + 4, 'text-anchor': 'end', class: 'label', text: r.name }),
        svg('rect', { x: labelWidth, y: y + 5, width: w, height: row - 10, rx: 4, class: 'bar' }),
        svg('text', { x: labelWidth + w + 6, y: y + row / 2 + 4, class: 'value', text: r.label ?? r.value.toFixed(2) }));
    }));
}

/** Days between two labels of a time axis, shortest first. */
const TICK_DAYS = [0.25, 1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365];

/**
 * A time chart. `series` = [{name, points: [[t, y], …], dashed?}] drawn as lines; `dots` =
 * [{t, y, series, title}] drawn as circles in their series' colour; `markers` = [{t, label}] as
 * vertical rules; `t` in ms. The x axis runs from `from` to `to`. `width` × `height` is the
 * viewBox: give the width the chart is shown at (as audit.js does), and text keeps its CSS size
 * instead of shrinking with a wide drawing squeezed onto a phone.
 */
export function timeChart({ title, from, to, series = [], dots = [], markers = [], width = 760, height = 260, yLabel = 'weight' }) {
  const pad = { l: 44, r: 16, t: 18, b: 30 };
  const yMax = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p[1])), ...dots.map((d) => d.y)) * 1.08;
  const x = (t) => pad.l + ((t - from) / (to - from)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - (v / yMax) * (height - pad.t - pad.b);
  const colour = new Map(series.map((s, i) => [s.name, `c${i % 8}`]));
  const day = 86_400_000;
  const span = (to - from) / day;
  // Date labels ("12 Oct", "14:00") at least 64 units apart, so they never run into each other.
  const perDay = (width - pad.l - pad.r) / span;
  const step = TICK_DAYS.find((d) => d * perDay >= 64) ?? TICK_DAYS.at(-1);
  const ticks = [];
  for (let t = Math.ceil(from / (step * day)) * step * day; t <= to; t += step * day) ticks.push(t);
  const fmt = new Intl.DateTimeFormat('en-GB', step < 1 ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax / 1.08);
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart time', role: 'img', 'aria-label': title },
    svg('title', { text: title }),
    yTicks.map((v) => svg('g', { class: 'grid' },
      svg('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v) }),
      svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', text: v >= 10 ? v.toFixed(0) : v.toFixed(1) }))),
    ticks.map((t) => svg('text', { class: 'tick', x: x(t), y: height - 10, 'text-anchor': 'middle', text: fmt.format(t) })),
    svg('text', { class: 'axis-label', x: 4, y: 12, text: yLabel }),
    markers.map((m) => svg('g', { class: `marker ${m.class || ''}` },
      svg('line', { x1: x(m.t), x2: x(m.t), y1: pad.t - 6, y2: height - pad.b }),
      svg('text', { x: x(m.t) + (m.align === 'end' ? -4 : 4), y: pad.t + 2, 'text-anchor': m.align || 'start', text: m.label }))),
    series.map((s) => svg('path', {
      class: `line ${colour.get(s.name)}${s.dashed ? ' dashed' : ''}`,
      d: s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)} ${y(p[1]).toFixed(1)}`).join(' '),
    })),
    dots.map((d) => svg('circle', { class: `dot ${colour.get(d.series) || 'other'}`, cx: x(d.t), cy: y(d.y), r: 4 },
      svg('title', { text: d.title }))));
}

/** A legend for the series of a chart, as an HTML list, colours matching `timeChart`/`bars`. */
export function legendItems(names) {
  return names.map((name, i) => ({ name, class: `c${i % 8}` }));
}
