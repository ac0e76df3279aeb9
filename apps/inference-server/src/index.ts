// The inference-server app has no public API: no other project imports it (no app imports another;
// its protocol is shared-types', the backends that call it are in @stereo-spot/inference-adapters).
// It starts from src/main.ts (the image's entry point); its tests import its modules by path.
export {};
