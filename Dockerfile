# One image for every Nixport service; the command picks the service:
#   node --import tsx services/<gateway|builder|blobserver>/src/main.ts
FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends nix-bin busybox-static xz-utils ca-certificates git \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY nix/package.json nix/
COPY services/gateway/package.json services/gateway/
COPY services/builder/package.json services/builder/
COPY services/blobserver/package.json services/blobserver/
RUN npm ci --no-audit --no-fund

COPY . .
# The offline package set, so a fresh deployment can build images at once.
RUN apt-get update && bash nix/setup.sh \
 && node --import tsx nix/src/main.ts --out nix/offline \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production NIXPORT_STORE_DIR=/var/lib/nixport/store
USER root
