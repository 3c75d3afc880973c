// A loss-curve plot as a standalone SVG: total and weighted components against iteration, on a
// log scale, one polyline each; stage boundaries marked.

import type { RunRecord } from './record.ts';

const COLORS: Record<string, string> = { total: '#222', content: '#1f77b4', style: '#d62728', tv: '#2ca02c' };

export function lossCurveSvg(record: RunRecord, title = 'loss'): string {
  const W = 640;
  const H = 360;
  const m = { l: 70, r: 110, t: 30, b: 40 };
  const points: { x: number; values: Record<string, number | null> }[] = [];
  const stageStarts: number[] = [];
  let offset = 0;
  for (const st of record.stages) {
    stageStarts.push(offset);
    for (const it of st.iterations) points.push({ x: offset + it.iteration, values: { total: it.total, content: it.content, style: it.style, tv: it.tv } });
    offset += st.iterations.length;
  }
  const series = Object.keys(COLORS).filter((k) => points.some((p) => (p.values[k] ?? 0) > 0));
  const all = points.flatMap((p) => series.map((k) => p.values[k]).filter((v): v is number => v !== null && v > 0));
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">` +
    `<rect width="${W}" height="${H}" fill="white"/><text x="${m.l}" y="18" font-size="14">${esc(title)}</text>`;
  if (points.length === 0 || all.length === 0) return `${head}<text x="${m.l}" y="${H / 2}">no iterations recorded</text></svg>\n`;
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const span = Math.max(hi - lo, 1);
  const xmax = Math.max(points[points.length - 1].x, 1);
  const px = (x: number) => m.l + ((W - m.l - m.r) * x) / xmax;
  const py = (v: number) => H - m.b - ((H - m.t - m.b) * (Math.log10(v) - lo)) / span;
  const parts: string[] = [head];
  for (let e = lo; e <= hi; e++) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(10 ** e)}" y2="${py(10 ** e)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  }
  for (const s of stageStarts.slice(1)) parts.push(`<line x1="${px(s)}" x2="${px(s)}" y1="${m.t}" y2="${H - m.b}" stroke="#999" stroke-dasharray="4 3"/>`);
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#444"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">iteration</text>`);
  parts.push(`<text x="${W - m.r}" y="${H - m.b + 16}" text-anchor="end">${xmax}</text>`);
  series.forEach((k, i) => {
    const pts = points.filter((p) => (p.values[k] ?? 0) > 0).map((p) => `${px(p.x).toFixed(1)},${py(p.values[k]!).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${COLORS[k]}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    parts.push(`<line x1="${W - m.r + 10}" x2="${W - m.r + 30}" y1="${m.t + 10 + 18 * i}" y2="${m.t + 10 + 18 * i}" stroke="${COLORS[k]}" stroke-width="2"/>`);
    parts.push(`<text x="${W - m.r + 36}" y="${m.t + 14 + 18 * i}">${k}</text>`);
  });
  parts.push('</svg>\n');
  return parts.join('');
}
