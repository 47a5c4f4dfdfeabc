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

# The snapshot: a code task started against an address where nothing listens. The sandbox pool makes
# (and caches) the snapshot before the first model request, which then fails: the run's exit 1 is
# expected; the snapshot file must exist.
FROM base AS local
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/agent-eval.tgz \
 && rm /tmp/agent-eval.tgz \
 && npm cache clean --force
USER 1000:1000
WORKDIR /work
RUN AGENT_EVAL_UNREACHABLE_SECONDS=1 OPENAI_API_KEY=image-build \
      agent-eval run --model openai/snapshot --base-url http://127.0.0.1:9/v1 --agent-type code --limit 1 \
      --max-retries 0 --output-dir /tmp/snapshot-run --quiet > /dev/null 2>&1; \
    rm -rf /tmp/snapshot-run \
 && ls /opt/agent-eval/cache/sandbox/pyodide-snapshot-*.bin
ENTRYPOINT ["agent-eval"]
CMD ["--help"]

# The default target (last stage): optional dependencies left out (no ONNX Runtime, no DuckDB).
FROM base AS runtime
RUN npm install --global --omit=dev --omit=optional --no-audit --no-fund /tmp/agent-eval.tgz \
 && rm /tmp/agent-eval.tgz \
 && npm cache clean --force
USER 1000:1000
WORKDIR /work
RUN AGENT_EVAL_UNREACHABLE_SECONDS=1 OPENAI_API_KEY=image-build \
      agent-eval run --model openai/snapshot --base-url http://127.0.0.1:9/v1 --agent-type code --limit 1 \
      --max-retries 0 --output-dir /tmp/snapshot-run --quiet > /dev/null 2>&1; \
    rm -rf /tmp/snapshot-run \
 && ls /opt/agent-eval/cache/sandbox/pyodide-snapshot-*.bin
ENTRYPOINT ["agent-eval"]
CMD ["--help"]
