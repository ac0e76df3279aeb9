// The cli app has no public API: no other project imports it. Its entry point is bin/stereo-spot.cjs
// (src/main.ts); its tests and the e2e harness import its modules by path.
export {};
