// @stereo-spot/aws-infra has no public API: no other project imports it. Its entry point is
// src/main.ts (the synth / deploy / apply-emulated Nx targets); its tests import its modules by path.
export {};
