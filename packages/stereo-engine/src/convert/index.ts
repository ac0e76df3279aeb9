export { convertFile } from './convert-file';
export {
  defaultThreads,
  type ConvertOptions,
  type ConvertResult,
  type ConvertProgress,
  type EncoderOptions,
  type ViewOptions,
} from './options';
export { isImagePath } from './encoding';
