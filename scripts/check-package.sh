#!/usr/bin/env bash
# The package as a user gets it: pack the tarball, install it into an empty folder, run its
# command (`gatys --info`, a 32 px style transfer) and import its API from a plain .mjs script.
# Needs the VGG19 weights: GATYS_WEIGHTS_DIR, or GATYS_SHARED_DIR (default: ../shared beside the
# checkout). Used by .ci/run; run it by hand as `bash scripts/check-package.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export GATYS_SHARED_DIR="${GATYS_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

tarball="$(npm pack --silent --pack-destination "$scratch" | tail -n 1)"
echo "packed $tarball ($(du -k "$scratch/$tarball" | cut -f1) KiB)"
# What must and must not be in it.
tar -tzf "$scratch/$tarball" > "$scratch/contents"
for must in package/dist/run.js package/dist/src/index.js package/dist/src/index.d.ts package/dist/src/kernels/wgsl/conv_direct.wgsl package/LICENSE package/examples/images/chelsea.png; do
  grep -qx "$must" "$scratch/contents" || { echo "error: $must is missing from the package"; exit 1; }
done
if grep -E '^package/(test|bench|\.ci|src/.*\.ts$|web)/?' "$scratch/contents" | grep -v '\.d\.ts$' | head -n 3 | grep .; then
  echo "error: the package ships files users do not need (above)"; exit 1
fi

cd "$scratch"
mkdir app && cd app
npm init -y >/dev/null
npm install --no-audit --no-fund "../$tarball" 2>&1 | grep -v '^npm warn install-scripts' || true
npx gatys --version
npx gatys --info
npx gatys --content "$root/examples/images/chelsea.png" --style "$root/examples/images/hubble_deep_field.jpg" \
  --size 32 --iterations 5 --output out.png --quiet
test -s out.png && echo "gatys style transfer at 32 px: wrote out.png"
cat > api.mjs <<'MJS'
import { initEngine, releaseEngine, Tensor, matmul } from 'gatys-gpu';
await initEngine();
const a = Tensor.fromArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
const b = matmul(a, a);
const got = Array.from(await b.toArray());
releaseEngine();
if (got.join(',') !== '7,10,15,22') { console.error(`api: matmul gave ${got}`); process.exit(1); }
console.log('api: import { Tensor, matmul } from "gatys-gpu": matmul of [[1,2],[3,4]] is', got.join(','));
MJS
node api.mjs
# The types, as a TypeScript user meets them (the checkout's compiler; no @types/node here).
cat > api.ts <<'TS'
import { Tensor, matmul, styleTransfer, type RgbImage, type StyleTransferOptions } from 'gatys-gpu';
const t: Tensor = matmul(Tensor.fromArray(new Float32Array(4), [2, 2]), Tensor.fromArray(new Float32Array(4), [2, 2]));
const rows: number = t.shape[0];
const options: Partial<StyleTransferOptions> = { size: 64 };
export { rows, options, styleTransfer };
export type Image = RgbImage;
TS
echo '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "types": [] }, "files": ["api.ts"] }' > tsconfig.json
node "$root/node_modules/typescript/bin/tsc" -p . && echo "types: api.ts type-checks against the package's declarations"
echo "package check passed"
