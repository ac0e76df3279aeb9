// Public API of the stereocrafter-sagemaker project: the image's build, deploy and token
// rotation as functions (the Nx targets and `stereo-spot ops hf-token rotate` run them).
export { readInfraEnv, requireVars, INFRA_ENV_RELATIVE_PATH, type InfraEnv } from './env-file';
export {
  runSagemakerBuild,
  logLocation,
  type BuildOptions,
  type BuildOutcome,
  type BuildView,
  type CodeBuildApi,
  type LogEventsApi,
  type LogLocation,
} from './build';
export { sdkCodeBuildApi, sdkLogEventsApi } from './codebuild-api';
export {
  deployEndpoint,
  planDeployment,
  MODEL_ENV_VARIABLES,
  type SageMakerApi,
  type DeployReport,
  type DeploymentPlan,
  type DeployTarget,
} from './deploy';
export { sdkSageMakerApi } from './sagemaker-api';
export { rotateHfToken, validateHfToken, type RotateReport } from './hf-token';
export { sagemakerBuildCommand, sagemakerDeployCommand, hfTokenRotateCommand, type CommandContext } from './commands';
export { sagemakerName, defaultImageTag } from './names';
export { SageMakerOpsError, type SageMakerOpsErrorCode } from './errors';
