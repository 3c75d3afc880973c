"""PyTorch peer for bench/stylize.ts: the feed-forward style network (pytorch/examples'
fast_neural_style TransformerNet, any width and number of residual blocks) with the weights of a
model file this project wrote, timed on inputs the bench wrote.

    python3 bench/peers/pytorch_transformer.py MODEL.safetensors INPUTS.safetensors [--threads N] [--reps N] [--device cpu|cuda]

INPUTS holds 'x<size>' tensors [1, 3, H, W] (0..255). Prints one JSON line per input:
{"name", "ms", "out_sum", "out_abs_max", "torch"} and writes the outputs to INPUTS + '.torch-out'
(safetensors) for the bench to compare.
"""
import argparse, json, struct, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F


def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for k, v in header.items():
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(v['shape']).copy())
    return out, meta


def save(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype('<f4'))
        header[k] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [off, off + a.nbytes]}
        off += a.nbytes
        blobs.append(a.tobytes())
    hb = json.dumps(header).encode()
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)))
        f.write(hb)
        for bl in blobs:
            f.write(bl)


class ConvLayer(nn.Module):
    def __init__(s, cin, cout, k, stride):
        super().__init__()
        s.reflection_pad = nn.ReflectionPad2d(k // 2)
        s.conv2d = nn.Conv2d(cin, cout, k, stride)

    def forward(s, x):
        return s.conv2d(s.reflection_pad(x))


class ResidualBlock(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.conv1, s.in1 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)
        s.conv2, s.in2 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)

    def forward(s, x):
        return s.in2(s.conv2(F.relu(s.in1(s.conv1(x))))) + x


class UpsampleConvLayer(nn.Module):
    def __init__(s, cin, cout, k, stride, upsample):
        super().__init__()
        s.upsample = upsample
        s.reflection_pad = nn.ReflectionPad2d(k // 2)
        s.conv2d = nn.Conv2d(cin, cout, k, stride)

    def forward(s, x):
        if s.upsample:
            x = F.interpolate(x, mode='nearest', scale_factor=s.upsample)
        return s.conv2d(s.reflection_pad(x))


class TransformerNet(nn.Module):
    def __init__(s, width=1.0, blocks=5):
        super().__init__()
        c1, c2, c3 = (int(c * width) for c in (32, 64, 128))
        s.conv1, s.in1 = ConvLayer(3, c1, 9, 1), nn.InstanceNorm2d(c1, affine=True)
        s.conv2, s.in2 = ConvLayer(c1, c2, 3, 2), nn.InstanceNorm2d(c2, affine=True)
        s.conv3, s.in3 = ConvLayer(c2, c3, 3, 2), nn.InstanceNorm2d(c3, affine=True)
        s.blocks = blocks
        for i in range(blocks):
            setattr(s, f'res{i + 1}', ResidualBlock(c3))
        s.deconv1, s.in4 = UpsampleConvLayer(c3, c2, 3, 1, 2), nn.InstanceNorm2d(c2, affine=True)
        s.deconv2, s.in5 = UpsampleConvLayer(c2, c1, 3, 1, 2), nn.InstanceNorm2d(c1, affine=True)
        s.deconv3 = ConvLayer(c1, 3, 9, 1)

    def forward(s, x):
        y = F.relu(s.in1(s.conv1(x)))
        y = F.relu(s.in2(s.conv2(y)))
        y = F.relu(s.in3(s.conv3(y)))
        for i in range(s.blocks):
            y = getattr(s, f'res{i + 1}')(y)
        y = F.relu(s.in4(s.deconv1(y)))
        y = F.relu(s.in5(s.deconv2(y)))
        return s.deconv3(y)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('model')
    p.add_argument('inputs')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    weights, meta = load(a.model)
    net = TransformerNet(float(meta.get('width', 1)), int(meta.get('residualBlocks', 5)))
    net.load_state_dict(weights, strict=True)
    net = net.eval().to(a.device)
    inputs, _ = load(a.inputs)
    outs = {}
    with torch.no_grad():
        for name, x in inputs.items():
            x = x.to(a.device)
            y = net(x)  # warm-up
            if a.device == 'cuda':
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(a.reps):
                y = net(x)
            if a.device == 'cuda':
                torch.cuda.synchronize()
            ms = 1000 * (time.perf_counter() - t0) / a.reps
            outs[name] = y
            print(json.dumps({'name': name, 'ms': ms, 'torch': torch.__version__, 'threads': a.threads, 'device': a.device}), flush=True)
    save(a.inputs + '.torch-out', outs)


main()
