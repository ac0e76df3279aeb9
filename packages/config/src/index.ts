// Public API of @stereo-spot/config: every role's environment as zod-validated data, and one
// `loadConfig(role, env)` that reports every missing or bad variable at once, and the `.env`
// file format (written and read with Node's util.parseEnv).
export {
  VARIABLES,
  AWS_RESOURCE_VARIABLES,
  type InferenceAuthMode,
  type AwsResourceVariable,
} from './variables';
export { ROLE_ENV_SCHEMAS, type Role } from './roles';
export {
  loadConfig,
  type Env,
  type PlatformConfig,
  type AwsPlatformConfig,
  type ConsumerConfig,
  type InferenceConfig,
  type BuiltinEngineConfig,
  type WebUiConfig,
  type ChunkingConfig,
  type ReassemblyConfig,
  type VideoWorkerConfig,
  type ReassemblyTriggerConfig,
} from './load-config';
export { ConfigError } from './errors';
export { formatEnvFile, parseEnvFile } from './env-file';
