// Public API of @stereo-spot/aws-emulator: the AWS emulator (moto_server) on loopback, for the
// emulated stack, aws-infra's emulated apply and the tests of the AWS adapters; and the free-port
// probe it uses, which the test helpers share.
export { freePort, startMotoServer, type MotoServer, type StartMotoServerOptions } from './moto-server';
