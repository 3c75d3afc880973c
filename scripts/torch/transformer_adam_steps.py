"""Three Adam steps of the feed-forward style network in PyTorch, for test/train/adam-steps.test.ts.

Usage: /usr/bin/python3 scripts/torch/transformer_adam_steps.py REFERENCE VGG19 OUT [STEPS] [LR]
  REFERENCE  ../shared/reference/transformer_net_seed1.safetensors (its weights, input, style image)
  VGG19      the VGG19 weights (Caffe convention) as safetensors
  OUT        written: 'step<k>.<param>' for every parameter after step k = 1..STEPS, and 'loss<k>'
The loss is the reference's train_loss (content relu2_2, Gram style over relu1_2, relu2_2, relu3_4,
relu4_4, TV; weights 1, 1e5, 1e-6), the optimizer torch.optim.Adam(lr=LR, default betas, eps 1e-8).
"""
import json, struct, sys
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(2)


def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(v['shape']).copy())
    return out


def save(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        a = np.ascontiguousarray(t.detach().numpy().astype('<f4'))
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
        s.pad = nn.ReflectionPad2d(k // 2)
        s.conv2d = nn.Conv2d(cin, cout, k, stride)

    def forward(s, x):
        return s.conv2d(s.pad(x))


class Residual(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.conv1, s.in1 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)
        s.conv2, s.in2 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)

    def forward(s, x):
        return s.in2(s.conv2(F.relu(s.in1(s.conv1(x))))) + x


class Upsample(nn.Module):
    def __init__(s, cin, cout):
        super().__init__()
        s.pad = nn.ReflectionPad2d(1)
        s.conv2d = nn.Conv2d(cin, cout, 3, 1)

    def forward(s, x):
        return s.conv2d(s.pad(F.interpolate(x, mode='nearest', scale_factor=2)))


class TransformerNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1, s.in1 = ConvLayer(3, 32, 9, 1), nn.InstanceNorm2d(32, affine=True)
        s.conv2, s.in2 = ConvLayer(32, 64, 3, 2), nn.InstanceNorm2d(64, affine=True)
        s.conv3, s.in3 = ConvLayer(64, 128, 3, 2), nn.InstanceNorm2d(128, affine=True)
        s.res1, s.res2, s.res3, s.res4, s.res5 = [Residual(128) for _ in range(5)]
        s.deconv1, s.in4 = Upsample(128, 64), nn.InstanceNorm2d(64, affine=True)
        s.deconv2, s.in5 = Upsample(64, 32), nn.InstanceNorm2d(32, affine=True)
        s.deconv3 = ConvLayer(32, 3, 9, 1)

    def forward(s, x):
        y = F.relu(s.in1(s.conv1(x)))
        y = F.relu(s.in2(s.conv2(y)))
        y = F.relu(s.in3(s.conv3(y)))
        for r in (s.res1, s.res2, s.res3, s.res4, s.res5):
            y = r(y)
        y = F.relu(s.in4(s.deconv1(y)))
        y = F.relu(s.in5(s.deconv2(y)))
        return s.deconv3(y)


VGG = ['conv1_1', 'conv1_2', 'pool', 'conv2_1', 'conv2_2', 'pool', 'conv3_1', 'conv3_2', 'conv3_3', 'conv3_4', 'pool',
       'conv4_1', 'conv4_2', 'conv4_3', 'conv4_4']
MEAN = torch.tensor([103.939, 116.779, 123.68]).reshape(1, 3, 1, 1)


def features(W, x, want):
    x = x.flip(1) - MEAN
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


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)


def main():
    ref_path, vgg_path, out_path = sys.argv[1:4]
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    lr = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
    ref = load(ref_path)
    W = load(vgg_path)
    net = TransformerNet()
    net.load_state_dict({k: v for k, v in ref.items() if k in dict(net.named_parameters())}, strict=True)
    x, style = ref['input'], ref['style_image']
    layers = ['relu1_2', 'relu2_2', 'relu3_4', 'relu4_4']
    with torch.no_grad():
        targets = {l: gram(f) for l, f in features(W, style, layers).items()}
        content = features(W, x, ['relu2_2'])['relu2_2']
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    out = {}
    for k in range(1, steps + 1):
        opt.zero_grad()
        y = net(x)
        fy = features(W, y, layers)
        loss = F.mse_loss(fy['relu2_2'], content) \
            + 1e5 * sum(F.mse_loss(gram(fy[l]), targets[l].expand(x.shape[0], -1, -1)) for l in layers) \
            + 1e-6 * (((y[:, :, 1:, :] - y[:, :, :-1, :]) ** 2).sum() + ((y[:, :, :, 1:] - y[:, :, :, :-1]) ** 2).sum())
        loss.backward()
        opt.step()
        out['loss%d' % k] = loss.detach().reshape(1)
        for name, p in net.named_parameters():
            out['step%d.%s' % (k, name)] = p.detach().clone()
    save(out_path, out)
    print(json.dumps({'steps': steps, 'losses': [out['loss%d' % k].item() for k in range(1, steps + 1)]}))


main()
