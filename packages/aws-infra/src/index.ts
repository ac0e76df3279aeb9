// Public API of @stereo-spot/aws-infra: the CDKTF stack, its settings, and the names and numbers
// other code and docs rely on (output names, image names).
export { StereoSpotStack, type StereoSpotStackOptions } from './stack';
export {
  SettingsSchema,
  resolveSettings,
  defaultSettings,
  settingEnvName,
  type StackSettings,
  type SettingsInput,
} from './settings';
export { synthesize, type SynthResult } from './synth';
export { loadSettings } from './settings-file';
export { OUTPUT_NAMES, OPTIONAL_OUTPUT_NAMES, envNameOfOutput, type OutputName } from './outputs';
export {
  ECS_APPS,
  IMAGES,
  QUEUE_SCALING,
  SAGEMAKER_ASYNC_PREFIX,
  CODEBUILD_SOURCE_KEY,
} from './constants';
export { resourceNames, type ResourceNames } from './naming';
export { AwsInfraError, type AwsInfraErrorCode } from './errors';
