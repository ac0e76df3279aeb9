// Run by `stereo-spot ops hf-token rotate`.
import { hfTokenRotateCommand } from '../commands';
import { runAsProcess } from './run';

runAsProcess(hfTokenRotateCommand);
