"""What the PyTorch scripts of this project share (scripts/torch/*.py for the tests, bench/peers/
pytorch_transformer.py and pytorch_train_step.py for the benchmarks): float32 safetensors files,
the feed-forward style network as pytorch/examples' fast_neural_style builds it (its state_dict
names; any width and number of residual blocks), and VGG19 features and Gram matrices on the
project's Caffe-convention weights (BGR, 0..255, mean subtracted).
"""
import json, struct
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F


def load_safetensors(path):
    """The float32 tensors of a safetensors file, and its metadata."""
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for k, v in header.items():
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(v['shape']).copy())
    return out, meta


def save_safetensors(path, tensors):
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


VGG = ['conv1_1', 'conv1_2', 'pool', 'conv2_1', 'conv2_2', 'pool', 'conv3_1', 'conv3_2', 'conv3_3', 'conv3_4', 'pool',
       'conv4_1', 'conv4_2', 'conv4_3', 'conv4_4']
CAFFE_MEAN = (103.939, 116.779, 123.68)


def vgg_features(W, x, want):
    """VGG19's ReLU outputs named in `want` (relu1_1 .. relu4_4) for RGB images x (0..255)."""
    x = x.flip(1) - torch.tensor(CAFFE_MEAN, device=x.device).reshape(1, 3, 1, 1)
    out = {}
    for name in VGG:
        if name == 'pool':
            x = F.max_pool2d(x, 2, 2)
            continue
        x = F.relu(F.conv2d(x, W[name + '.weight'], W[name + '.bias'], padding=1))
        if 'relu' + name[4:] in want:
            out['relu' + name[4:]] = x
        if len(out) == len(want):
            return out
    raise ValueError(f'not VGG19 layers up to relu4_4: {sorted(set(want) - set(out))}')


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)
