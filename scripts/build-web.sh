#!/usr/bin/env bash
# Builds the console: web/ -> web/dist (Vite, from the TypeScript sources), then a gzip -9 copy of
# every JS and CSS asset beside it, served as-is to browsers that accept gzip
# (pipeline/api/web-routes.ts: no compression per request).
# The one build of the console: scripts/setup.sh and the Dockerfile's console stage both run it,
# and scripts/dockerfile-console.int.test.ts replays that stage with it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx vite build web --logLevel warn
find web/dist/assets -type f \( -name '*.js' -o -name '*.css' \) -exec gzip -9 -k -f {} +
