"""CycleGAN's networks and one training step in PyTorch, for test/train/cyclegan-reference.test.ts.

Usage: /usr/bin/python3 scripts/torch/cyclegan_reference.py OUT [--size 64] [--depth 5] [--base 8] [--generator unet|resnet] [--gan bce|lsgan] [--seed 1]
Writes OUT (safetensors) with, for the four networks genAB, genBA (U-Net or ResNet generators, no
dropout) and discA, discB (PatchGAN), built with the engine's state-dict names:
  '<net>.<param>'        the weights (N(0, 0.02) convolutions, N(1, 0.02) norm scales, zero biases)
  'a', 'b'               a batch of one image of each domain, in [-1, 1]
  'out.genAB', 'out.discB'  genAB(a) and discB(b)
  'loss.generators', 'loss.discriminators'
  'grad_g.<net>.<param>' the generators' loss's gradient for genAB's and genBA's parameters
  'grad_d.<net>.<param>' the discriminators' loss's gradient for discA's and discB's parameters
The losses are src/train/cyclegan.ts's: lambda 10, identity 0.5. The weights and images are
float32 values; everything computed from them is computed in float64 (and written as float32): some
of these gradients are ill-conditioned (a residual block's first convolution, before an instance
norm over 8x8 maps: PyTorch's own float32 result is 6.7e-4 from its float64 one), so the reference
is the exact value, not another float32 engine's rounding.
"""
import argparse, json
import torch
import torch.nn as nn
import torch.nn.functional as F
from fast_neural_style import save_safetensors

torch.set_num_threads(2)
CHANNELS = [1, 2, 4, 8, 8, 8, 8, 8]


class Down(nn.Module):
    def __init__(s, cin, cout, norm):
        super().__init__()
        s.conv = nn.Conv2d(cin, cout, 4, 2, 1, bias=False)
        s.norm = nn.InstanceNorm2d(cout, affine=True) if norm else None

    def forward(s, x):
        h = s.conv(x)
        return F.leaky_relu(s.norm(h) if s.norm is not None else h, 0.2)


class Up(nn.Module):
    def __init__(s, cin, cout):
        super().__init__()
        s.conv = nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False)
        s.norm = nn.InstanceNorm2d(cout, affine=True)

    def forward(s, x):
        return F.relu(s.norm(s.conv(x)))


class UnetGenerator(nn.Module):
    def __init__(s, depth, base):
        super().__init__()
        ch = [base * CHANNELS[min(i, 7)] for i in range(depth)]
        s.down = nn.ModuleList([Down(3 if i == 0 else ch[i - 1], c, i > 0) for i, c in enumerate(ch)])
        s.up = nn.ModuleList([Up(ch[depth - 1] if i == 0 else 2 * ch[depth - 1 - i], ch[depth - 2 - i]) for i in range(depth - 1)])
        s.last = nn.ConvTranspose2d(2 * ch[0], 3, 4, 2, 1)

    def forward(s, x):
        skips, h = [], x
        for d in s.down:
            h = d(h)
            skips.append(h)
        for i, u in enumerate(s.up):
            h = torch.cat([u(h), skips[len(s.down) - 2 - i]], 1)
        return torch.tanh(s.last(h))


def inorm(x):
    return F.instance_norm(x, eps=1e-5)


class ResnetBlock(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.conv1 = nn.Conv2d(c, c, 3)
        s.conv2 = nn.Conv2d(c, c, 3)

    def forward(s, x):
        h = F.relu(inorm(s.conv1(F.pad(x, (1, 1, 1, 1), mode='reflect'))))
        return x + inorm(s.conv2(F.pad(h, (1, 1, 1, 1), mode='reflect')))


class ResnetGenerator(nn.Module):
    def __init__(s, base, blocks):
        super().__init__()
        s.head = nn.Conv2d(3, base, 7)
        s.down = nn.ModuleList([nn.Conv2d(base * 2 ** i, base * 2 ** (i + 1), 3, 2, 1) for i in range(2)])
        s.res = nn.ModuleList([ResnetBlock(4 * base) for _ in range(blocks)])
        s.up = nn.ModuleList([nn.ConvTranspose2d(base * 2 ** (2 - i), base * 2 ** (1 - i), 3, 2, 1, output_padding=1) for i in range(2)])
        s.tail = nn.Conv2d(base, 3, 7)

    def forward(s, x):
        h = F.relu(inorm(s.head(F.pad(x, (3, 3, 3, 3), mode='reflect'))))
        for d in s.down:
            h = F.relu(inorm(d(h)))
        for r in s.res:
            h = r(h)
        for u in s.up:
            h = F.relu(inorm(u(h)))
        return torch.tanh(s.tail(F.pad(h, (3, 3, 3, 3), mode='reflect')))


class PatchDiscriminator(nn.Module):
    def __init__(s, base, layers=3):
        super().__init__()
        ch = [base * 2 ** min(i, 3) for i in range(layers)]
        s.down = nn.ModuleList([Down(3 if i == 0 else ch[i - 1], c, i > 0) for i, c in enumerate(ch)])
        wide = base * 2 ** min(layers, 3)
        s.conv = nn.Conv2d(ch[-1], wide, 4, 1, 1, bias=False)
        s.norm = nn.InstanceNorm2d(wide, affine=True)
        s.last = nn.Conv2d(wide, 1, 4, 1, 1)

    def forward(s, x):
        h = x
        for d in s.down:
            h = d(h)
        return s.last(F.leaky_relu(s.norm(s.conv(h)), 0.2))


def init(net):
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith('norm.weight'):
                p.normal_(1, 0.02)
            elif p.dim() == 4:
                p.normal_(0, 0.02)
            else:
                p.zero_()
    return net


def gan(logits, real, kind):
    t = torch.full_like(logits, 1.0 if real else 0.0)
    return F.binary_cross_entropy_with_logits(logits, t) if kind == 'bce' else F.mse_loss(logits, t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--depth', type=int, default=5)
    ap.add_argument('--base', type=int, default=8)
    ap.add_argument('--blocks', type=int, default=2)
    ap.add_argument('--generator', default='unet')
    ap.add_argument('--gan', default='bce')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    make_g = (lambda: UnetGenerator(a.depth, a.base)) if a.generator == 'unet' else (lambda: ResnetGenerator(a.base, a.blocks))
    nets = {'genAB': init(make_g()), 'genBA': init(make_g()), 'discA': init(PatchDiscriminator(a.base)), 'discB': init(PatchDiscriminator(a.base))}
    A = torch.rand(1, 3, a.size, a.size) * 2 - 1
    B = torch.rand(1, 3, a.size, a.size) * 2 - 1
    lam, idt = 10.0, 0.5
    out = {'a': A, 'b': B}
    for k, n in nets.items():
        for name, p in n.named_parameters():
            out['%s.%s' % (k, name)] = p.detach().clone()
    nets = {k: n.double() for k, n in nets.items()}
    A, B = A.double(), B.double()
    gAB, gBA, dA, dB = nets['genAB'], nets['genBA'], nets['discA'], nets['discB']
    with torch.no_grad():
        out['out.genAB'] = gAB(A)
        out['out.discB'] = dB(B)
    # The generators' loss (its gradient taken for the generators only).
    fakeB, fakeA = gAB(A), gBA(B)
    cycle = F.l1_loss(gBA(fakeB), A) + F.l1_loss(gAB(fakeA), B)
    identity = F.l1_loss(gAB(B), B) + F.l1_loss(gBA(A), A)
    lg = gan(dB(fakeB), True, a.gan) + gan(dA(fakeA), True, a.gan) + lam * cycle + idt * lam * identity
    gparams = [(k, n, p) for k in ('genAB', 'genBA') for n, p in nets[k].named_parameters()]
    grads = torch.autograd.grad(lg, [p for _, _, p in gparams])
    for (k, n, _), g in zip(gparams, grads):
        out['grad_g.%s.%s' % (k, n)] = g
    # The discriminators' loss on the same fakes, detached.
    ld = 0.5 * (gan(dA(A), True, a.gan) + gan(dA(fakeA.detach()), False, a.gan)) + 0.5 * (gan(dB(B), True, a.gan) + gan(dB(fakeB.detach()), False, a.gan))
    dparams = [(k, n, p) for k in ('discA', 'discB') for n, p in nets[k].named_parameters()]
    grads = torch.autograd.grad(ld, [p for _, _, p in dparams])
    for (k, n, _), g in zip(dparams, grads):
        out['grad_d.%s.%s' % (k, n)] = g
    out['loss.generators'] = lg.detach().reshape(1)
    out['loss.discriminators'] = ld.detach().reshape(1)
    save_safetensors(a.out, out)
    print(json.dumps({'generators': lg.item(), 'discriminators': ld.item(), 'tensors': len(out)}))


if __name__ == "__main__":
    main()
