# syntax=docker/dockerfile:1
# Vestnik's image: one image for every role; the role is the argument (`docker run vestnik api`,
# Kubernetes `args: ["senders"]`). Checked offline by deploy/dockerfile.test.ts (no Docker engine here).

# ---- build: the TypeScript compiler and the dev dependencies live only in this stage ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: none of our dependencies needs one to work (protobufjs' is a version notice,
# @scarf/scarf's is telemetry).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
# The product's folders only (the layers of .dependency-cruiser.cjs); tests, bench and infra stay out.
COPY schemas ./schemas
COPY platform ./platform
COPY domain ./domain
COPY processors ./processors
COPY senders ./senders
COPY analytics ./analytics
COPY ingest ./ingest
COPY cli ./cli
COPY simulators ./simulators
RUN npm run build

# ---- runtime: Node 20 slim, production dependencies, the compiled code and the Avro contracts ----
FROM node:20-bookworm-slim AS runtime
# production: the process refuses development secrets (see README "Deploying to Kubernetes"); every
# interface, since a container's loopback is its own.
ENV NODE_ENV=production HTTP_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The .avsc files are read at run time (platform/codec/schema-set.ts looks for schemas/ next to dist/).
COPY schemas ./schemas
# The console's static files are read at run time too (ingest/console/pages.ts looks for
# ingest/console/static beside dist/); its vendor modules (preact, htm, uPlot) come from node_modules.
COPY ingest/console/static ./ingest/console/static
COPY deploy/docker/healthcheck.cjs ./healthcheck.cjs
# Numeric, so Kubernetes' runAsNonRoot can verify it (the image's "node" user is 1000). The files above
# stay root's: the process can read its code, not change it.
USER 1000:1000
EXPOSE 8080 9464
# /healthz on METRICS_PORT when set (every role), else the API's HTTP_PORT. node itself: slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "healthcheck.cjs"]
ENTRYPOINT ["node", "dist/cli/vestnik.js"]
CMD ["all"]
