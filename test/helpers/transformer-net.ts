// What the TransformerNet tests share.

/**
 * Parameters whose gradient is exactly zero in exact arithmetic: a bias added to every pixel of a
 * channel that an instance norm then removes (every convolution's bias but the last one's), and
 * each residual block's second instance-norm bias (the block's output reaches the loss only through
 * reflection-padded convolutions followed by instance norms, and a constant channel stays constant
 * through those). Both engines compute rounding noise there, so no two agree on them.
 */
export const zeroInExactArithmetic = (name: string) => (/conv2d\.bias$/.test(name) && name !== 'deconv3.conv2d.bias') || /^res\d+\.in2\.bias$/.test(name);

/**
 * Writes a small feed-forward network with seeded random weights to `file` (what `gatys train`
 * writes: a state dict with its metadata), for tests of the commands and the page that run one.
 */
export async function writeRandomModel(file: string, o: { width: number; residualBlocks: number; seed: number }): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  const { TransformerNet } = await import('../../src/nets/transformer-net.ts');
  const { transformerMetadata } = await import('../../src/nets/transformer-model.ts');
  const { downloadState, stateDictBytes } = await import('../../src/nets/state-dict.ts');
  const net = new TransformerNet(o);
  try {
    writeFileSync(file, stateDictBytes(await downloadState(net), transformerMetadata(net, {})));
  } finally {
    net.dispose();
  }
}
