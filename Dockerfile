# The relay server as a container image (docs/deployment.md). Build from the repository root:
#   docker build -t hybrid-kit-relay .
# Runs as the unprivileged `node` user; configure it with environment variables (HYBRID_KIT_SECRET
# from the platform's secret store, never baked into the image).

# 1. Build the package from this checkout and pack it as npm would publish it.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --ignore-scripts --pack-destination /tmp

# 2. A small runtime image: the packed package and the server's optional peers, nothing else.
FROM node:20-alpine
WORKDIR /srv
ENV NODE_ENV=production HYBRID_KIT_HOST=0.0.0.0 HYBRID_KIT_PORT=8787
COPY --from=build /tmp/miniprogram-hybrid-kit-*.tgz /tmp/
RUN npm init -y >/dev/null \
  && npm install --omit=dev --no-audit --no-fund /tmp/miniprogram-hybrid-kit-*.tgz "ws@^8.0.0" "jose@^5.9.0" "prom-client@^15.0.0" "sirv@^2.0.0 || ^3.0.0" "redis@^4.6.0 || ^5.0.0 || ^6.0.0" \
  && rm /tmp/miniprogram-hybrid-kit-*.tgz && npm cache clean --force
USER node
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HYBRID_KIT_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is the command, so SIGTERM reaches the relay (it tells clients to reconnect, then exits).
CMD ["node", "node_modules/miniprogram-hybrid-kit/bin/hybrid-kit.js", "serve"]
