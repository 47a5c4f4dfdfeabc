/** The harness version recorded in every run's metadata. Keep in step with package.json. */
export const AGENT_EVAL_VERSION = '0.1.0';
