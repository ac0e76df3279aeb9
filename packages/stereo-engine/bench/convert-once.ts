// Child process of the benchmark: one conversion, its result as JSON on stdout. Run apart from
// the bench so its memory can be measured alone.
import { convertFile } from '../src/convert/convert-file';
import { type ConvertOptions } from '../src/convert/options';
import { availableKernelSet } from '../src/stereo/kernels';

const options = JSON.parse(process.argv[2] ?? '{}') as ConvertOptions;
convertFile(options)
  .then((result) => process.stdout.write(JSON.stringify({ ...result, kernels: availableKernelSet() })))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
