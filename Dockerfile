# Gridworker worker image: Debian 12 (bookworm) with Node 20 and Debian's ffmpeg 5.1.
# Build:  docker build -t gridworker .
# Run:    docker run --rm -e REDIS_URL=redis://redis:6379 -v $PWD/config:/config -v gw-data:/data \
#           gridworker run --config /config/gridworker.yaml --role worker      (set storage.dir: /data)
# The bundled demo (run --demo) also needs GStreamer's RTSP server and is meant for a Debian host (npm start).
# The console (web/ -> web/dist) is built in a throw-away stage with the dev dependencies (Vite,
# Preact, uPlot); the image gets only the built files, served by the API role at `/`.
FROM node:20-bookworm-slim AS console
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY web ./web
# The same build as scripts/setup.sh; scripts/dockerfile-console.int.test.ts replays this stage.
COPY scripts/build-web.sh ./scripts/build-web.sh
RUN bash scripts/build-web.sh

FROM node:20-bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# onnxruntime-node's install script downloads GPU libraries; the CPU runtime ships in the package.
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip

COPY package.json package-lock.json ./
# tsx is a runtime dependency: the CLI runs the TypeScript sources through it (no build step).
RUN npm ci --no-audit --no-fund --omit=dev && npm cache clean --force

COPY models ./models
COPY pipeline ./pipeline
COPY streams ./streams
COPY scripts ./scripts
COPY test-fixtures ./test-fixtures
COPY schemas ./schemas
COPY --from=console /app/web/dist ./web/dist

# The worker writes evidence, latest frames and its dispatch spool under storage.dir: mount a
# volume there (shared between API and worker containers when they run apart).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

# Run as the unprivileged user the base image provides.
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/scripts/gridworker.mjs"]
CMD ["--help"]
