// Nx target stereocrafter-sagemaker:sagemaker-build
import { sagemakerBuildCommand } from '../commands';
import { runAsProcess } from './run';

runAsProcess(sagemakerBuildCommand);
