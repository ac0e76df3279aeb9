// The stereocrafter-sagemaker project has no public API: no other project imports it. Its entry
// points are src/bin/*.ts (the Nx targets and `stereo-spot ops hf-token rotate` run them).
export {};
