// What bench/peers.ts asks of the TensorFlow.js peer (bench/peers/tfjs.ts): its interface alone,
// with no TensorFlow.js import, so that the project type-checks without the optional install.

export type TfBackend = 'webgpu' | 'wasm';

export interface ConvData {
  x: Float32Array; w: Float32Array; dy: Float32Array;
  cin: number; cout: number; h: number;
}

export interface EvalData {
  size: number;
  input: Float32Array;
  weights: { data: Float32Array; shape: number[] }[];
  cfg: readonly (number | 'M')[];
  taps: Set<number>;
}

export interface TfjsPeer {
  version: string;
  use(backend: TfBackend): Promise<void>;
  /** Milliseconds of relu(conv3x3 'same') and of its input gradient. */
  convMs(d: ConvData, reps: number): Promise<{ fwd: number; dx: number }>;
  /** The loss and gradient norm of one evaluation, then its milliseconds. */
  evaluation(d: EvalData, reps: number): Promise<{ loss: number; gradL2: number; ms: number }>;
  dispose(): void;
}
