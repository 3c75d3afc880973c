"""PyTorch peer for bench/cyclegan-step.ts: one CycleGAN training step (both generators' loss and
its backward with the discriminators frozen, the discriminators' loss on the detached fakes and
its backward, four Adam updates), timed, with the networks of scripts/torch/cyclegan_reference.py
(the engine's architectures and state-dict names).

    python3 bench/peers/pytorch_cyclegan_step.py --size 128 [--generator unet|resnet] [--base 64] [--depth N] [--blocks 9] [--steps 3] [--threads N] [--device cpu|cuda]

Prints one JSON line: {"ms_per_step", "loss_g", "loss_d", "torch", ...}.
"""
import argparse, json, math, os, sys, time
import torch, torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../scripts/torch'))
from cyclegan_reference import PatchDiscriminator, ResnetGenerator, UnetGenerator, gan, init  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--generator', default='unet')
    p.add_argument('--base', type=int, default=64)
    p.add_argument('--depth', type=int, default=0)
    p.add_argument('--blocks', type=int, default=9)
    p.add_argument('--gan', default='bce')
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    depth = a.depth or min(8, int(math.log2(a.size)))
    mk = (lambda: UnetGenerator(depth, a.base)) if a.generator == 'unet' else (lambda: ResnetGenerator(a.base, a.blocks))
    gAB, gBA = init(mk()).to(a.device), init(mk()).to(a.device)
    dA, dB = init(PatchDiscriminator(a.base)).to(a.device), init(PatchDiscriminator(a.base)).to(a.device)
    opts = [torch.optim.Adam(n.parameters(), lr=2e-4, betas=(0.5, 0.999)) for n in (gAB, gBA, dA, dB)]
    lam, idt = 10.0, 0.5

    def step():
        A = torch.rand(1, 3, a.size, a.size, device=a.device) * 2 - 1
        B = torch.rand(1, 3, a.size, a.size, device=a.device) * 2 - 1
        for o in opts:
            o.zero_grad()
        for d in (dA, dB):
            d.requires_grad_(False)
        fakeB, fakeA = gAB(A), gBA(B)
        lg = gan(dB(fakeB), True, a.gan) + gan(dA(fakeA), True, a.gan) \
            + lam * (F.l1_loss(gBA(fakeB), A) + F.l1_loss(gAB(fakeA), B)) \
            + idt * lam * (F.l1_loss(gAB(B), B) + F.l1_loss(gBA(A), A))
        lg.backward()
        for d in (dA, dB):
            d.requires_grad_(True)
        ld = 0.5 * (gan(dA(A), True, a.gan) + gan(dA(fakeA.detach()), False, a.gan)) + 0.5 * (gan(dB(B), True, a.gan) + gan(dB(fakeB.detach()), False, a.gan))
        ld.backward()
        for o in opts:
            o.step()
        return lg.item(), ld.item()

    step()  # warm-up
    if a.device == 'cuda':
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        lg, ld = step()
    if a.device == 'cuda':
        torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) / a.steps * 1000
    params = sum(p.numel() for p in gAB.parameters())
    print(json.dumps({'ms_per_step': ms, 'loss_g': lg, 'loss_d': ld, 'generator_parameters': params, 'threads': torch.get_num_threads(), 'torch': torch.__version__, 'device': a.device}), flush=True)


if __name__ == '__main__':
    main()
