# The gateway image: `docker build -t pulse-gateway .` (docker-compose.yml builds it for you).
# Two stages: the first installs and compiles the workspace and lays out the gateway with its
# production dependencies only (`pnpm deploy --prod`); the second is a clean Node LTS with that
# folder, run as the unprivileged `node` user. No Docker engine runs where Pulse is developed:
# apps/gateway/test/deploy/image.e2e.test.ts runs this file's build-stage RUN lines on a clean
# copy of the repository, then its CMD and HEALTHCHECK against the result.
ARG NODE_IMAGE=node:24-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
# The gateway and what it builds from (protocol, the root's TypeScript); the lockfile decides.
RUN npx --yes pnpm@10.34.9 install --frozen-lockfile --prefer-offline --filter "@pulse/gateway..."
RUN node_modules/.bin/tsc -p packages/protocol/tsconfig.build.json && node_modules/.bin/tsc -p apps/gateway/tsconfig.build.json
# Injected: @pulse/protocol is copied in (its dist), not linked to a workspace folder the
# image does not have. Outside the workspace, so the folder holds only the deploy.
RUN npx --yes pnpm@10.34.9 --config.inject-workspace-packages=true --filter @pulse/gateway deploy --prod --prefer-offline ../deploy-out

FROM ${NODE_IMAGE}
# Production defaults: JWT_SECRET is then required, dev tokens are refused. A container must
# listen beyond its own loopback to be reached at all.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
# Owned by root and read-only to the `node` user: the process cannot rewrite its own code.
COPY --from=build /deploy-out ./
USER node
EXPOSE 8080 1883
# Readiness, not just liveness: a draining or Redis-less gateway reports unhealthy. Node's own
# fetch, so the check follows PORT and needs no wget or curl in the image.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (drain: 1012 to clients, then exit).
CMD ["node", "dist/main.js"]
