export {
  startMotoServer,
  uniqueResourcePrefix,
  type MotoServer,
  type StartMotoServerOptions,
} from './moto-server';
