# syntax=docker/dockerfile:1
# agent-eval as a container: the built package only, run as a non-root user, with the Python sandbox's
# Pyodide memory snapshot made at build time so code tasks start fast.
#   docker build -t agent-eval .                    # API models (OpenAI-compatible, Anthropic, Ollama, HF router)
#   docker build --target local -t agent-eval:local . # adds @huggingface/transformers for local ONNX models
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build and pack, as `npm publish` would: the image installs the same tarball a user gets.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY report-page ./report-page
COPY src ./src
COPY prompts ./prompts
COPY tasks ./tasks
COPY README.md LICENSE ./
RUN npm run build \
 && npm pack --pack-destination /tmp \
 && mv /tmp/agent-eval-*.tgz /tmp/agent-eval.tgz

# 2. What both images share: labels, the cache folder (the sandbox snapshot, recorded responses),
#    a working folder, and the unprivileged `node` user of the base image.
FROM ${NODE_IMAGE} AS base
ARG VERSION=0.1.0
ARG SOURCE=https://github.com/agent-eval/agent-eval
ARG REVISION=unknown
LABEL org.opencontainers.image.title="agent-eval" \
      org.opencontainers.image.description="Evaluation harness for LLM agents (a TypeScript port and superset of SMOLTRACE)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    AGENT_EVAL_CACHE_DIR=/opt/agent-eval/cache \
    NPM_CONFIG_UPDATE_NOTIFIER=false
RUN mkdir -p /opt/agent-eval/cache /work \
 && chown -R node:node /opt/agent-eval /work
COPY --from=build /tmp/agent-eval.tgz /tmp/agent-eval.tgz
COPY scripts/image-snapshot.sh /opt/agent-eval/image-snapshot.sh
WORKDIR /work
ENTRYPOINT ["agent-eval"]
CMD ["--help"]

# Each target installs the tarball as root, then makes the sandbox snapshot as the `node` user
# (scripts/image-snapshot.sh). `--target local` keeps the optional dependencies (ONNX Runtime via
# @huggingface/transformers, DuckDB for `agent-eval query`).
FROM base AS local
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/agent-eval.tgz \
 && rm /tmp/agent-eval.tgz && npm cache clean --force
USER 1000:1000
RUN sh /opt/agent-eval/image-snapshot.sh

# The default target (last stage): optional dependencies left out.
FROM base AS runtime
RUN npm install --global --omit=dev --omit=optional --no-audit --no-fund /tmp/agent-eval.tgz \
 && rm /tmp/agent-eval.tgz && npm cache clean --force
USER 1000:1000
RUN sh /opt/agent-eval/image-snapshot.sh
