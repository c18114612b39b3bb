# Tally in a container: built in one stage, run from another holding only the built JavaScript and
# the production dependencies, as an unprivileged user. The install steps are scripts/deploy/install.sh,
# which test/system/deploy.slow.test.ts also runs on a clean checkout and smoke-tests.
# Node 24: Node 20's life ended in April 2026; on Node 24 a transfer costs about a quarter less CPU,
# and AsyncLocalStorage (the context of a request that names an Idempotency-Key) no longer slows
# every promise of the process (docs/benchmarks.md, "Which Node").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN sh scripts/deploy/install.sh

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    TALLY_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
# The embedded database and the secrets Tally generates live under /data, unless DATABASE_URL is set.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM stops it gracefully within TALLY_SHUTDOWN_TIMEOUT (README, Configuration).
STOPSIGNAL SIGTERM
CMD ["node", "bin/tally.js", "serve"]
