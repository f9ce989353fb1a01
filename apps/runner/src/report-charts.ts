/** Escape text for HTML and SVG (named entities, as the report has always written them). */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** One line of a {@link lineChart}: points in order of x. */
export interface ChartSeries {
  name: string;
  color: string;
  points: { x: number; y: number; title?: string }[];
}

/** What {@link lineChart} draws. */
export interface LineChartOptions {
  /** `data-chart` of the figure, for tests and links. */
  id: string;
  title: string;
  /** Unit of the y axis, shown beside the title and on the axis: `rows/s`. */
  yUnit: string;
  /** Label of the x axis: `seconds since the load started`. */
  xLabel: string;
  series: ChartSeries[];
  /** What the chart shows and how it was measured, under the legend. */
  note?: string;
}

/** One bar of a {@link barChart}; several parts stack left to right. */
export interface ChartBar {
  label: string;
  parts: { name: string; value: number; color: string }[];
}

/** What {@link barChart} draws. */
export interface BarChartOptions {
  id: string;
  title: string;
  /** Unit of every value in the chart: one chart, one unit. */
  unit: string;
  bars: ChartBar[];
  note?: string;
}

// Each chart is drawn twice, for a wide page and for a phone (CSS shows one): an SVG scales as a
// whole, so one drawing either shrinks its text below reading size on a phone or looms on a desktop.
const LAYOUTS = [
  { className: 'wide', width: 720 },
  { className: 'narrow', width: 360 },
] as const;
type Layout = (typeof LAYOUTS)[number];
const n = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** A value for people: thousands separators, fewer decimals the larger it is. */
export function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks.at(-1)! < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

function legend(items: { name: string; color: string }[]): string {
  return `<ul class="legend">${items
    .map(
      (i) =>
        `<li><i style="display:inline-block;vertical-align:middle;margin-right:5px;width:14px;height:10px;background:${i.color}"></i>${escapeHtml(i.name)}</li>`,
    )
    .join('')}</ul>`;
}

function figure(id: string, title: string, unit: string, svg: string, legendHtml: string, note?: string): string {
  return `<figure class="chart" data-chart="${escapeHtml(id)}">
<figcaption><strong>${escapeHtml(title)}</strong> <span class="unit">${escapeHtml(unit)}</span></figcaption>
${svg}
${legendHtml}${note ? `\n<p class="note">${escapeHtml(note)}</p>` : ''}
</figure>`;
}

function lineSvg(o: LineChartOptions, layout: Layout): string {
  const { width } = layout;
  const height = layout.className === 'wide' ? 260 : 220;
  const m = { left: 58, right: 12, top: 14, bottom: 40 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const points = o.series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(...points.map((p) => p.x), 0), layout.className === 'wide' ? 5 : 3);
  const yTicks = niceTicks(Math.max(...points.map((p) => p.y), 0), 4);
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const x = (v: number) => m.left + (v / xMax) * plotW;
  const y = (v: number) => m.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${n(y(t))}" y2="${n(y(t))}" stroke="#e5e7eb"/>`,
      `<text x="${m.left - 6}" y="${n(y(t) + 4)}" text-anchor="end">${escapeHtml(formatNumber(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<text x="${n(x(t))}" y="${m.top + plotH + 16}" text-anchor="middle">${escapeHtml(formatNumber(t))}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${height - 4}" text-anchor="middle" class="axis">${escapeHtml(o.xLabel)}</text>`,
    `<text x="12" y="${m.top + plotH / 2}" text-anchor="middle" class="axis" transform="rotate(-90 12 ${m.top + plotH / 2})">${escapeHtml(o.yUnit)}</text>`,
  );
  for (const s of o.series) {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${n(x(p.x))} ${n(y(p.y))}`).join('');
    parts.push(`<path class="mark" d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const p of s.points.filter((q) => q.title)) {
      parts.push(
        `<circle class="mark" cx="${n(x(p.x))}" cy="${n(y(p.y))}" r="3.5" fill="${s.color}"><title>${escapeHtml(p.title ?? '')}</title></circle>`,
      );
    }
  }
  return `<svg class="${layout.className}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${o.title}, ${o.yUnit}`)}">${parts.join('')}</svg>`;
}

/** A line chart as a captioned figure: inline SVG that scales to its container, a legend, a note. */
export function lineChart(o: LineChartOptions): string {
  const svg = LAYOUTS.map((layout) => lineSvg(o, layout)).join('\n');
  return figure(o.id, o.title, o.yUnit, svg, legend(o.series), o.note);
}

const total = (b: ChartBar): number => b.parts.reduce((a, p) => a + p.value, 0);

// What is written after a bar: its value, or each part's value and name when parts stack.
const barText = (b: ChartBar, unit: string): string =>
  b.parts.length === 1
    ? `${formatNumber(total(b))} ${unit}`
    : b.parts.map((p) => `${formatNumber(p.value)} ${p.name}`).join(', ');

function barSvg(o: BarChartOptions, layout: Layout): string {
  const { width } = layout;
  const row = 30;
  // Room for the longest label on the left and the longest value on the right (~7.5 units a character).
  const longest = (texts: string[]) => Math.max(...texts.map((t) => t.length)) * 7.5;
  const m = {
    left: Math.min(width * 0.35, longest(o.bars.map((b) => b.label)) + 14),
    right: longest(o.bars.map((b) => barText(b, o.unit))) + 12,
    top: 6,
    bottom: 26,
  };
  const plotW = width - m.left - m.right;
  const height = m.top + o.bars.length * row + m.bottom;
  const ticks = niceTicks(Math.max(0, ...o.bars.map(total)), layout.className === 'wide' ? 4 : 3);
  const max = ticks.at(-1)!;
  const x = (v: number) => m.left + (v / max) * plotW;
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(
      `<line x1="${n(x(t))}" x2="${n(x(t))}" y1="${m.top}" y2="${height - m.bottom}" stroke="#e5e7eb"/>`,
      `<text x="${n(x(t))}" y="${height - 8}" text-anchor="middle">${escapeHtml(formatNumber(t))}</text>`,
    );
  }
  o.bars.forEach((b, i) => {
    const top = m.top + i * row + 5;
    parts.push(`<text x="${m.left - 8}" y="${top + 15}" text-anchor="end">${escapeHtml(b.label)}</text>`);
    let at = 0;
    for (const p of b.parts) {
      if (p.value <= 0) continue;
      const w = Math.max(1.5, x(at + p.value) - x(at));
      parts.push(
        `<rect class="mark" x="${n(x(at))}" y="${top}" width="${n(w)}" height="${row - 10}" fill="${p.color}"><title>${escapeHtml(`${b.label}: ${formatNumber(p.value)} ${o.unit} ${p.name}`)}</title></rect>`,
      );
      at += p.value;
    }
    parts.push(`<text x="${n(x(at) + 6)}" y="${top + 15}">${escapeHtml(barText(b, o.unit))}</text>`);
  });
  return `<svg class="${layout.className}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${o.title}, ${o.unit}`)}">${parts.join('')}</svg>`;
}

/** A horizontal bar chart (bars may stack parts) as a captioned figure, every value in one unit. */
export function barChart(o: BarChartOptions): string {
  const svg = LAYOUTS.map((layout) => barSvg(o, layout)).join('\n');
  const names = new Map<string, string>();
  for (const b of o.bars) for (const p of b.parts) names.set(p.name, p.color);
  return figure(o.id, o.title, o.unit, svg, legend([...names].map(([name, color]) => ({ name, color }))), o.note);
}
