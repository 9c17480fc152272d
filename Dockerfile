# One image for every downspin service (migrate, control, proxy, demo app);
# docker-compose.yml picks the command. Build: docker build -t downspin:local .

# Only the package manifests, so `npm ci` below is cached until a dependency changes.
FROM node:20-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

FROM node:20-slim AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 # Runtime needs only the built code: drop dev dependencies, sources and tests.
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf */src */tsconfig*.json */*.tsbuildinfo tsconfig*.json \
 && find . -path ./node_modules -prune -o -path '*/dist/*' \( -name '*.test.*' -o -name '*.map' \) -type f -print | xargs -r rm -f \
 && chmod +x cli/bin/downspin.js

FROM node:20-slim
ENV NODE_ENV=production \
    DOWNSPIN_DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app ./
RUN ln -s /app/cli/bin/downspin.js /usr/local/bin/downspin \
 && mkdir -p /data && chown node:node /data
# A named volume mounted at /data starts with this ownership.
USER node
EXPOSE 8080 8081
CMD ["downspin", "start", "--host", "0.0.0.0"]
