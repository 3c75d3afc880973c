"""PyTorch peer for bench/stylize.ts: the feed-forward style network (pytorch/examples'
fast_neural_style TransformerNet, any width and number of residual blocks) with the weights of a
model file this project wrote, timed on inputs the bench wrote.

    python3 bench/peers/pytorch_transformer.py MODEL.safetensors INPUTS.safetensors [--threads N] [--reps N] [--device cpu|cuda]

INPUTS holds 'x<size>' tensors [1, 3, H, W] (0..255). Prints one JSON line per input:
{"name", "ms", "out_sum", "out_abs_max", "torch"} and writes the outputs to INPUTS + '.torch-out'
(safetensors) for the bench to compare.
"""
import argparse, json, os, sys, time
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../scripts/torch'))
from fast_neural_style import TransformerNet, load_safetensors, save_safetensors  # noqa: E402




def main():
    p = argparse.ArgumentParser()
    p.add_argument('model')
    p.add_argument('inputs')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    weights, meta = load_safetensors(a.model)
    net = TransformerNet(float(meta.get('width', 1)), int(meta.get('residualBlocks', 5)))
    net.load_state_dict(weights, strict=True)
    net = net.eval().to(a.device)
    inputs, _ = load_safetensors(a.inputs)
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
    save_safetensors(a.inputs + '.torch-out', outs)


main()
