#!/bin/sh
# Run at image build time, as the image's user: makes the Python sandbox's Pyodide memory snapshot so that
# code tasks start fast. A code task is started against an address where nothing listens: the sandbox pool
# makes (and caches) the snapshot before the first model request, which then fails, so the run's exit 1 is
# expected; the snapshot file must exist. test/e2e/package-install.test.ts runs the same command.
AGENT_EVAL_UNREACHABLE_SECONDS=1 OPENAI_API_KEY=image-build \
  agent-eval run --model openai/snapshot --base-url http://127.0.0.1:9/v1 --agent-type code --limit 1 \
  --max-retries 0 --output-dir /tmp/snapshot-run --quiet > /dev/null 2>&1
rm -rf /tmp/snapshot-run
ls "${AGENT_EVAL_CACHE_DIR}"/sandbox/pyodide-snapshot-*.bin
