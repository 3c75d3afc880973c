// What the TransformerNet tests share.

/**
 * Parameters whose gradient is exactly zero in exact arithmetic: a bias added to every pixel of a
 * channel that an instance norm then removes (every convolution's bias but the last one's), and
 * each residual block's second instance-norm bias (the block's output reaches the loss only through
 * reflection-padded convolutions followed by instance norms, and a constant channel stays constant
 * through those). Both engines compute rounding noise there, so no two agree on them.
 */
export const zeroInExactArithmetic = (name: string) => (/conv2d\.bias$/.test(name) && name !== 'deconv3.conv2d.bias') || /^res\d+\.in2\.bias$/.test(name);
