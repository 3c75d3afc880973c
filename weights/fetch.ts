// From a checkout: `npx tsx weights/fetch.ts NAME...` is `gatys weights fetch NAME...`
// (src/cli/weights.ts; the download itself: src/apps/weights-fetch.ts).
//
//   npx tsx weights/fetch.ts vgg19            # torchvision VGG19 (548 MB) -> weights/vgg19_imagenet.safetensors
//   npx tsx weights/fetch.ts squeezenet1_1    # torchvision SqueezeNet 1.1 (5 MB)
//   npx tsx weights/fetch.ts imagenet-classes # the 1000 ImageNet class names, for `gatys classify`

import { main } from '../run.ts';

process.exitCode = await main(['weights', 'fetch', ...process.argv.slice(2)]);
