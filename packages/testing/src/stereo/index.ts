export { decodeRgbFrames, type RgbFrame } from './rgb-frames';
export { eyeViews, type EyeViews, type GrayImage } from './eye-views';
export { horizontalShift, type BlockShift, type Region } from './block-matching';
export {
  makeNearObjectScene,
  nearObjectScene,
  type NearObjectSceneFile,
  type NearObjectSceneOptions,
} from './near-object-scene';
export {
  measureSceneOutput,
  measureSceneParallax,
  sceneStereoDefects,
  SCENE_STEREO_LIMITS,
  type SceneParallax,
} from './scene-parallax';
