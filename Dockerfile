# One image for every downspin service (migrate, control, proxy, demo app);
# docker-compose.yml picks the command. Build: docker build -t downspin:local .

# Only the package manifests, so the installs below are cached until a dependency changes.
FROM node:20-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

# Everything (dev dependencies included) to compile the TypeScript.
FROM node:20-slim AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies of what the image runs, the CLI and the demo app, and of the
# workspaces they use: no dev dependencies, nor the extension's or bench's (~70 MB, not ~700).
FROM node:20-slim AS runtime-deps
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --omit=dev --workspace cli --workspace demo-app --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production \
    DOWNSPIN_DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=runtime-deps --chown=node:node /app ./
# The built workspaces the CLI imports (cli/package.json dependencies), plus their runtime files.
COPY --from=build --chown=node:node /app/protocol/dist protocol/dist
COPY --from=build --chown=node:node /app/bus/dist bus/dist
COPY --from=build --chown=node:node /app/db/dist db/dist
COPY --from=build --chown=node:node /app/db/postgres db/postgres
COPY --from=build --chown=node:node /app/db/clickhouse db/clickhouse
COPY --from=build --chown=node:node /app/proxy/dist proxy/dist
COPY --from=build --chown=node:node /app/demo-app/dist demo-app/dist
COPY --from=build --chown=node:node /app/demo-app/public demo-app/public
COPY --from=build --chown=node:node /app/control-api/dist control-api/dist
COPY --from=build --chown=node:node /app/dashboard/dist dashboard/dist
COPY --from=build --chown=node:node /app/dashboard/index.js /app/dashboard/index.d.ts dashboard/
COPY --from=build --chown=node:node /app/cli/dist cli/dist
COPY --from=build --chown=node:node /app/cli/bin cli/bin
RUN find . -path ./node_modules -prune -o -path '*/dist/*' \( -name '*.test.*' -o -name '*.map' \) -type f -print | xargs -r rm -f \
 && chmod +x cli/bin/downspin.js \
 && ln -s /app/cli/bin/downspin.js /usr/local/bin/downspin \
 && mkdir -p /data && chown node:node /data
# A named volume mounted at /data starts with this ownership.
USER node
EXPOSE 8080 8081
CMD ["downspin", "start", "--host", "0.0.0.0"]
