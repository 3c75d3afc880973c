"""PyTorch peer for bench/: VGG19 forward to relu5_1 + Gram losses + input gradient, timed.

    python3 bench/peers/pytorch_vgg.py --sizes 128,256 [--device cpu|cuda] [--threads N] [--reps N]

Prints one JSON object per size: {"size", "device", "ms_per_eval", "gflop"} (random weights: the
arithmetic is the same as with trained ones).
"""
import argparse, json, time
import torch

CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512]  # to conv5_1

def build():
    layers, c = [], 3
    for v in CFG:
        if v == 'M':
            layers.append(torch.nn.MaxPool2d(2))
        else:
            layers += [torch.nn.Conv2d(c, v, 3, padding=1), torch.nn.ReLU(inplace=False)]
            c = v
    return torch.nn.Sequential(*layers)

STYLE = {1, 6, 11, 20, 29}  # indices of relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 in the sequence
CONTENT = 22               # relu4_2

def evaluate(net, x):
    feats = []
    h = x
    for i, m in enumerate(net):
        h = m(h)
        if i in STYLE or i == CONTENT:
            feats.append(h)
    loss = 0
    for f in feats:
        n, c, hh, ww = f.shape
        g = f.view(c, hh * ww) @ f.view(c, hh * ww).t() / (c * hh * ww)
        loss = loss + (g ** 2).mean()
    loss.backward()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='128,256')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--reps', type=int, default=3)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = build().to(a.device)
    for p in net.parameters():
        p.requires_grad_(False)
    for size in [int(s) for s in a.sizes.split(',')]:
        x = (torch.rand(1, 3, size, size, device=a.device) * 255 - 120).requires_grad_(True)
        evaluate(net, x)
        if a.device == 'cuda':
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(a.reps):
            x.grad = None
            evaluate(net, x)
        if a.device == 'cuda':
            torch.cuda.synchronize()
        ms = (time.perf_counter() - t0) / a.reps * 1000
        print(json.dumps({'size': size, 'device': a.device, 'threads': torch.get_num_threads(), 'ms_per_eval': ms, 'torch': torch.__version__}), flush=True)

if __name__ == '__main__':
    main()
