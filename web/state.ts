// What the page exposes on globalThis.gatys for its end-to-end test (and a curious reader's
// console): where each panel stands and the last results.

import type { RunRecord } from '../src/index.ts';

type Snapshot = { width: number; height: number; rgba: number[] };

export interface PageState {
  /** The WebGPU adapter the engine took (its description and feature level). */
  adapter: string | null;
  /** The style-transfer panel: the weights are loaded and the images are in. */
  ready: boolean;
  running: boolean;
  done: boolean;
  error: string | null;
  losses: number[];
  record: RunRecord | null;
  output: Snapshot | null;
  /** What the run's plan chose for tiles and memory (RunPlan.layoutReason), and the tiles done so far. */
  layout: string | null;
  tiles: string | null;
  /** The trained-network panel. */
  model: string | null;
  stylized: Snapshot | null;
  stylizeMs: number | null;
  webcamFrames: number;
  webcamFps: number | null;
}

export const state: PageState = {
  adapter: null, ready: false, running: false, done: false, error: null, losses: [], record: null, output: null, layout: null, tiles: null,
  model: null, stylized: null, stylizeMs: null, webcamFrames: 0, webcamFps: null,
};
(globalThis as unknown as { gatys: PageState }).gatys = state;
