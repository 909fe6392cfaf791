# The controller image: dependencies installed in a build stage, then copied into a slim
# runtime that runs as a non-root user. The Google API discovery package is pruned to the
# three APIs the controller uses.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
 && find node_modules/googleapis/build/src/apis -mindepth 1 -maxdepth 1 -type d \
      ! -name networksecurity ! -name networkservices ! -name monitoring -exec rm -rf {} +
COPY bin ./bin
COPY src ./src

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "/app/bin/meshaccess.js", "run"]
