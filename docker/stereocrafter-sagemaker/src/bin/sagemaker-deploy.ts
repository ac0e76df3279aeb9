// Nx target stereocrafter-sagemaker:sagemaker-deploy
import { sagemakerDeployCommand } from '../commands';
import { runAsProcess } from './run';

runAsProcess(sagemakerDeployCommand);
