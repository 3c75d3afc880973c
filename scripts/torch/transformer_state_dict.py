"""A feed-forward style network saved by PyTorch the way pytorch/examples' fast_neural_style saves
one (torch.save(transformer.state_dict(), path)), for test/train/stylize-cli.test.ts: the .pth, an
input image and PyTorch's output for it.

Usage: /usr/bin/python3 scripts/torch/transformer_state_dict.py OUT.pth OUT.safetensors SEED H W
  OUT.safetensors holds 'input' [1, 3, H, W] (0..255) and 'output' (the network's output).
"""
import sys
import torch
from fast_neural_style import TransformerNet, save_safetensors

pth, out, seed, H, W = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.manual_seed(seed)
net = TransformerNet()
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, torch.nn.InstanceNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
torch.save(net.state_dict(), pth)
x = torch.rand(1, 3, H, W) * 255
with torch.no_grad():
    y = net(x)
save_safetensors(out, {'input': x, 'output': y})
print('ok')
