"""PyTorch peer for bench/: VGG19 forward to relu5_1 + Gram losses + input gradient, timed.

    python3 bench/peers/pytorch_vgg.py --sizes 128,256 [--device cpu|cuda] [--threads N] [--reps N]

Prints one JSON object per size: {"size", "device", "ms_per_eval", ...} (random weights: the
arithmetic is the same as with trained ones).

With --bench-data, the weights, input and loss are exactly bench/peers.ts's (weights from the same
index formula, zero biases, loss = sum over relu1_1, 2_1, 3_1, 4_1, 4_2, 5_1 of sum((1e-6 F Fᵀ)²)),
and the JSON also carries the loss and the input gradient's L2 norm, so the bench can check that
both computed the same thing.

With --lbfgs N (and --bench-data), the same loss is also minimised by torch.optim.LBFGS (strong
Wolfe line search, history 100, at most N iterations and 2N evaluations: what bench/loop.ts runs
with ours), and the JSON carries {"lbfgs": {"iterations", "evaluations", "ms_per_eval", "loss"}}.
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

def bench_weights(net):
    """bench/peers.ts's weights: w.flat[i] = ((7 i mod 11) - 5) / (55 sqrt(Cin)), biases zero."""
    with torch.no_grad():
        for m in net:
            if isinstance(m, torch.nn.Conv2d):
                n, c = m.weight.numel(), m.weight.shape[1]
                i = torch.arange(n, dtype=torch.float64)
                m.weight.copy_((((i * 7) % 11 - 5) / (55 * c ** 0.5)).float().view_as(m.weight))
                m.bias.zero_()

def bench_loss(net, x):
    h, loss = x, 0
    for i, m in enumerate(net):
        h = m(h)
        if i in STYLE or i == CONTENT:
            f = h.view(h.shape[1], -1)
            loss = loss + ((f @ f.t()) * 1e-6).pow(2).sum()
    loss.backward()
    return loss

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

def minimise(net, x0, iterations, device):
    """torch.optim.LBFGS on bench_loss from x0: time per evaluation of the whole loop."""
    x = x0.detach().clone().requires_grad_(True)
    opt = torch.optim.LBFGS([x], lr=1, max_iter=iterations, max_eval=2 * iterations, history_size=100,
                            tolerance_grad=1e-7, tolerance_change=1e-9, line_search_fn='strong_wolfe')
    evaluations = 0
    def closure():
        nonlocal evaluations
        evaluations += 1
        opt.zero_grad()
        return bench_loss(net, x)
    t0 = time.perf_counter()
    loss = opt.step(closure)
    if device == 'cuda':
        torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) * 1000
    final = float(bench_loss(net, x.detach().requires_grad_(True)))
    return {'iterations': opt.state[opt._params[0]]['n_iter'], 'evaluations': evaluations, 'ms_per_eval': ms / evaluations, 'first_loss': float(loss), 'loss': final}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='128,256')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--bench-data', action='store_true')
    ap.add_argument('--lbfgs', type=int, default=0, help='also minimise the bench loss with torch.optim.LBFGS for this many iterations (needs --bench-data)')
    ap.add_argument('--no-tf32', action='store_true', help='CUDA: plain float32 (no TF32 tensor cores) in convolutions and matmuls')
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.no_tf32:
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    net = build()
    if a.bench_data:
        bench_weights(net)
    net = net.to(a.device)
    for p in net.parameters():
        p.requires_grad_(False)
    for size in [int(s) for s in a.sizes.split(',')]:
        if a.bench_data:
            i = torch.arange(3 * size * size, dtype=torch.float64)
            x = (((i * 31) % 255) - 120).float().view(1, 3, size, size).to(a.device).requires_grad_(True)
        else:
            x = (torch.rand(1, 3, size, size, device=a.device) * 255 - 120).requires_grad_(True)
        run = (lambda: bench_loss(net, x)) if a.bench_data else (lambda: evaluate(net, x))
        loss = run()
        check = {'loss': float(loss), 'grad_l2': float(x.grad.double().norm())} if a.bench_data else {}
        if a.device == 'cuda':
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(a.reps):
            x.grad = None
            run()
        if a.device == 'cuda':
            torch.cuda.synchronize()
        ms = (time.perf_counter() - t0) / a.reps * 1000
        if a.lbfgs and a.bench_data:
            check['lbfgs'] = minimise(net, x, a.lbfgs, a.device)
        print(json.dumps({'size': size, 'device': a.device, 'threads': torch.get_num_threads(), 'ms_per_eval': ms, 'torch': torch.__version__, 'tf32': bool(torch.backends.cudnn.allow_tf32), **check}), flush=True)

if __name__ == '__main__':
    main()
