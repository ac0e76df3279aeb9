// Public API of @stereo-spot/config: every role's environment as zod-validated data, and one
// `loadConfig(role, env)` that reports every missing or bad variable at once, and the `.env`
// file format (written and read with Node's util.parseEnv).
export {
  VARIABLES,
  PLATFORMS,
  INFERENCE_BACKENDS,
  INFERENCE_AUTH_MODES,
  LOG_LEVELS,
  AWS_RESOURCE_VARIABLES,
  type Platform,
  type InferenceBackendName,
  type InferenceAuthMode,
  type AwsResourceVariable,
  type VariableName,
  type VariableSpec,
} from './variables';
export { ROLES, ROLE_ENV_SCHEMAS, type Role, type RoleEnvSpec, type ConditionalRequirement } from './roles';
export {
  loadConfig,
  DEFAULTS,
  type Env,
  type LogLevel,
  type PlatformConfig,
  type LocalPlatformConfig,
  type AwsPlatformConfig,
  type ConsumerConfig,
  type InferenceConfig,
  type BuiltinEngineConfig,
  type WebUiConfig,
  type WebUiLimitsConfig,
  type ChunkingConfig,
  type ReassemblyConfig,
  type JanitorConfig,
  type VideoWorkerConfig,
  type ReassemblyTriggerConfig,
  type OpsConfig,
  type RoleConfigs,
} from './load-config';
export { ConfigError, ConfigPackageError, EnvFileError, type ConfigIssue } from './errors';
export { envFileValue, formatEnvFile, parseEnvFile } from './env-file';
