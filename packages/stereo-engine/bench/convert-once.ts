// Child process of the benchmark: one conversion, its result as JSON on stdout. Run apart from
// the bench so its memory can be measured alone.
import { convertFile, type ConvertOptions } from '../src';
import { availableKernelSet } from '../src/stereo/kernels';

const options = JSON.parse(process.argv[2] ?? '{}') as ConvertOptions;
convertFile(options)
  .then((result) => process.stdout.write(JSON.stringify({ ...result, kernels: availableKernelSet() })))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
