// A style transfer's loss curve: total and weighted components against iteration, on a log scale
// (src/util/svg-plot.ts), stage boundaries marked.

import { curvesSvg } from '../util/svg-plot.ts';
import type { RunRecord } from './record.ts';

const COLORS: Record<string, string> = { total: '#222', content: '#1f77b4', style: '#d62728', tv: '#2ca02c' };

export function lossCurveSvg(record: RunRecord, title = 'loss'): string {
  const points: Record<string, [number, number][]> = { total: [], content: [], style: [], tv: [] };
  const stageStarts: number[] = [];
  let offset = 0;
  for (const st of record.stages) {
    stageStarts.push(offset);
    for (const it of st.iterations) for (const k of Object.keys(points)) points[k].push([offset + it.iteration, (it as unknown as Record<string, number | null>)[k] ?? NaN]);
    offset += st.iterations.length;
  }
  return curvesSvg(Object.keys(COLORS).map((name) => ({ name, color: COLORS[name], points: points[name] })), {
    title, xLabel: 'iteration', markers: stageStarts.slice(1), emptyText: 'no iterations recorded',
  });
}
