"""PyTorch peer for bench/train-step.ts: one training step of the feed-forward style network
(TransformerNet forward, VGG19 perceptual loss — content relu2_2, Gram style at relu1_2, relu2_2,
relu3_4, relu4_4, TV — backward through both, Adam), timed.

    python3 bench/peers/pytorch_train_step.py VGG19.safetensors --batch 4 --size 256 [--width 1] [--steps 3] [--threads N] [--device cpu|cuda]

The VGG19 weights are the project's safetensors (Caffe convention: BGR, 0..255, mean subtracted).
Prints one JSON line: {"ms_per_step", "loss", "torch", ...}.
"""
import argparse, json, os, sys, time
import torch, torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../scripts/torch'))
from fast_neural_style import TransformerNet, gram, load_safetensors, vgg_features  # noqa: E402

STYLE = ['relu1_2', 'relu2_2', 'relu3_4', 'relu4_4']


def main():
    p = argparse.ArgumentParser()
    p.add_argument('vgg')
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--size', type=int, default=256)
    p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = a.device
    W = {k: v.to(dev) for k, v in load_safetensors(a.vgg)[0].items()}
    for v in W.values():
        v.requires_grad_(False)
    net = TransformerNet(a.width, 5).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    style = torch.rand(1, 3, a.size, a.size, device=dev) * 255
    with torch.no_grad():
        targets = {l: gram(f) for l, f in vgg_features(W, style, STYLE).items()}
    x = torch.rand(a.batch, 3, a.size, a.size, device=dev) * 255

    def step():
        opt.zero_grad()
        y = net(x)
        fy, fx = vgg_features(W, y, STYLE), vgg_features(W, x, ['relu2_2'])  # the content target needs relu2_2 only, as ours
        content = F.mse_loss(fy['relu2_2'], fx['relu2_2'].detach())
        style_loss = sum(F.mse_loss(gram(fy[l]), targets[l].expand(a.batch, -1, -1)) for l in STYLE)
        tv = ((y[:, :, 1:, :] - y[:, :, :-1, :]) ** 2).sum() + ((y[:, :, :, 1:] - y[:, :, :, :-1]) ** 2).sum()
        loss = content + 30 * style_loss + 1e-6 * tv
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up
    if dev == 'cuda':
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    if dev == 'cuda':
        torch.cuda.synchronize()
    ms = 1000 * (time.perf_counter() - t0) / a.steps
    print(json.dumps({'ms_per_step': ms, 'loss': loss, 'torch': torch.__version__, 'threads': a.threads, 'device': dev, 'batch': a.batch, 'size': a.size}))


main()
