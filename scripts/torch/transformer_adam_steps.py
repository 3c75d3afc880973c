"""Three Adam steps of the feed-forward style network in PyTorch, for test/train/adam-steps.test.ts.

Usage: /usr/bin/python3 scripts/torch/transformer_adam_steps.py REFERENCE VGG19 OUT [STEPS] [LR]
  REFERENCE  ../shared/reference/transformer_net_seed1.safetensors (its weights, input, style image)
  VGG19      the VGG19 weights (Caffe convention) as safetensors
  OUT        written: 'step<k>.<param>' for every parameter after step k = 1..STEPS, and 'loss<k>'
The loss is the reference's train_loss (content relu2_2, Gram style over relu1_2, relu2_2, relu3_4,
relu4_4, TV; weights 1, 1e5, 1e-6), the optimizer torch.optim.Adam(lr=LR, default betas, eps 1e-8).
"""
import json, sys
import torch, torch.nn.functional as F
from fast_neural_style import TransformerNet, gram, load_safetensors, save_safetensors, vgg_features as features

torch.set_num_threads(2)


def main():
    ref_path, vgg_path, out_path = sys.argv[1:4]
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    lr = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
    ref, _ = load_safetensors(ref_path)
    W, _ = load_safetensors(vgg_path)
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
    save_safetensors(out_path, out)
    print(json.dumps({'steps': steps, 'losses': [out['loss%d' % k].item() for k in range(1, steps + 1)]}))


main()
