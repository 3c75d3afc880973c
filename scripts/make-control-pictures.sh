#!/usr/bin/env bash
# Renders the README's "Control" pictures: the same content and style (Chelsea, Starry Night) with
# each control, then one contact sheet per control in docs/images/controls/. Needs the VGG19
# weights and the shared paintings (../shared/images/paintings, or $PAINTINGS). On this project's
# 2-core software GPU each run takes a few minutes; pass a size and iterations to go bigger:
#   bash scripts/make-control-pictures.sh [SCALES] [ITERATIONS]    (default 96,192 and 60)
set -euo pipefail
cd "$(dirname "$0")/.."
P=${PAINTINGS:-../shared/images/paintings}
SCALES=${1:-96,192}
ITER=${2:-60}
OUT=scratch/controls
mkdir -p "$OUT" docs/images/controls
run() { # name, then the flags
  local name=$1; shift
  [ -f "$OUT/$name.png" ] && { echo "have $OUT/$name.png"; return; }
  local t0=$SECONDS
  npx tsx run.ts --content examples/images/chelsea.png --scales "$SCALES" --iterations "$ITER" --init content \
    --print-every 20 -o "$OUT/$name.png" --force "$@"
  echo "$name: $((SECONDS - t0)) s"
}
run plain --style "$P/starry_night.jpg"
run color-histogram --style "$P/starry_night.jpg" --preserve-color histogram
run color-luminance --style "$P/starry_night.jpg" --preserve-color luminance
run coarse-scale --style "$P/starry_night.jpg" --coarse-scale 0.5
run coarse-style --style "$P/starry_night.jpg" --coarse-style "$P/the_scream.jpg"
run histogram-loss --style "$P/starry_night.jpg" --histogram-weight 1e9
run masks --style "$P/starry_night.jpg,$P/the_scream.jpg" --content-mask examples/images/chelsea-regions.png --mask-colors red,blue
npx tsx scripts/compose-control-pictures.ts "$OUT" "$P" docs/images/controls
