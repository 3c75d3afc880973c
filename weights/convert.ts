// From a checkout: `npx tsx weights/convert.ts --model M SOURCE --out FILE` is
// `gatys weights convert ...` (src/cli/weights.ts; the conversion: src/apps/weights-convert.ts).
//
//   npx tsx weights/convert.ts --model vgg19 vgg19-dcbb9e9d.pth --out weights/vgg19_imagenet.safetensors
//   npx tsx weights/convert.ts --model vgg19 path/to/tfjs/model.json --out weights/vgg19_imagenet.safetensors
//   npx tsx weights/convert.ts --model transformer-net udnie.pth --out udnie.safetensors   (pytorch/examples)

import { main } from '../run.ts';

process.exitCode = await main(['weights', 'convert', ...process.argv.slice(2)]);
