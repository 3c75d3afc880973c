// Curves as a standalone SVG: named series of (x, y) points on a log-scale y axis, one polyline
// each (points with y <= 0 or not finite are left out), optional dashed vertical markers (stage
// boundaries, resumes), a legend. Used for the loss curves written beside results.

export interface Series {
  name: string;
  points: [number, number][];
  color?: string;
}

const PALETTE = ['#222', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2'];

export function curvesSvg(series: Series[], o: { title?: string; xLabel?: string; markers?: number[]; emptyText?: string } = {}): string {
  const W = 640;
  const H = 360;
  const m = { l: 70, r: 130, t: 30, b: 40 };
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">` +
    `<rect width="${W}" height="${H}" fill="white"/><text x="${m.l}" y="18" font-size="14">${esc(o.title ?? '')}</text>`;
  const shown = series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length], points: s.points.filter(([, y]) => Number.isFinite(y) && y > 0) })).filter((s) => s.points.length > 0);
  const ys = shown.flatMap((s) => s.points.map(([, y]) => y));
  if (ys.length === 0) return `${head}<text x="${m.l}" y="${H / 2}">${esc(o.emptyText ?? 'nothing recorded')}</text></svg>\n`;
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  const hi = Math.ceil(Math.log10(Math.max(...ys)));
  const span = Math.max(hi - lo, 1);
  const xs = shown.flatMap((s) => s.points.map(([x]) => x));
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const px = (x: number) => m.l + ((W - m.l - m.r) * (x - x0)) / Math.max(x1 - x0, 1);
  const py = (v: number) => H - m.b - ((H - m.t - m.b) * (Math.log10(v) - lo)) / span;
  const parts: string[] = [head];
  for (let e = lo; e <= hi; e++) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(10 ** e)}" y2="${py(10 ** e)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  }
  for (const s of o.markers ?? []) parts.push(`<line x1="${px(s)}" x2="${px(s)}" y1="${m.t}" y2="${H - m.b}" stroke="#999" stroke-dasharray="4 3"/>`);
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#444"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel ?? 'iteration')}</text>`);
  parts.push(`<text x="${W - m.r}" y="${H - m.b + 16}" text-anchor="end">${x1}</text>`);
  shown.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    parts.push(`<line x1="${W - m.r + 10}" x2="${W - m.r + 30}" y1="${m.t + 10 + 18 * i}" y2="${m.t + 10 + 18 * i}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${W - m.r + 36}" y="${m.t + 14 + 18 * i}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>\n');
  return parts.join('');
}
