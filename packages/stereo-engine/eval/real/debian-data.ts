// The real photographs of the eval come from two Debian packages, never from the repository:
// opencv-doc (OpenCV's sample data, among them Middlebury's Aloe stereo pair with its measured
// disparity) and python3-skimage (scikit-image's data, among them Middlebury 2014's Motorcycle
// pair with its measured disparity, and everyday photographs). When the packages are installed
// their files are read in place; otherwise `apt-get download` fetches the two .deb files and
// `dpkg-deb -x` unpacks them into a cache folder, which needs neither root nor the packages'
// many dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DebianFile {
  readonly packageName: 'opencv-doc' | 'python3-skimage';
  /** Path inside the package (as installed, absolute). */
  readonly path: string;
}

export const OPENCV_SAMPLES = '/usr/share/doc/opencv-doc/examples/data';
export const SKIMAGE_DATA = '/usr/lib/python3/dist-packages/skimage/data';

const CACHE = process.env.STEREO_SPOT_EVAL_CACHE ?? path.join(os.homedir(), '.cache', 'stereo-spot', 'eval-data');

/** Where each file can be read: installed in place, or unpacked into the cache (fetched once). */
export function locate(files: readonly DebianFile[]): Map<DebianFile, string> {
  const found = new Map<DebianFile, string>();
  const missing = new Set<DebianFile['packageName']>();
  for (const file of files) {
    const where = [file.path, path.join(CACHE, file.path)].find((candidate) => existsSync(candidate));
    if (where) found.set(file, where);
    else missing.add(file.packageName);
  }
  if (missing.size > 0) {
    unpack([...missing]);
    for (const file of files) {
      const cached = path.join(CACHE, file.path);
      if (!found.has(file)) {
        if (!existsSync(cached)) throw new Error(`${file.path} is not in the ${file.packageName} package`);
        found.set(file, cached);
      }
    }
  }
  return found;
}

function unpack(packages: readonly string[]): void {
  const downloads = path.join(CACHE, 'debs');
  mkdirSync(downloads, { recursive: true });
  console.error(`[eval] fetching ${packages.join(', ')} from Debian (once, into ${CACHE})...`);
  let result = spawnSync('apt-get', ['download', ...packages], { cwd: downloads, stdio: 'inherit' });
  if (result.status !== 0 && process.getuid?.() === 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    result = spawnSync('apt-get', ['download', ...packages], { cwd: downloads, stdio: 'inherit' });
  }
  if (result.status !== 0) {
    throw new Error(
      `the eval's real photographs come from Debian's ${packages.join(' and ')}: install them ` +
        `(apt-get install ${packages.join(' ')}) or make \`apt-get download\` work, then run the eval again`,
    );
  }
  for (const deb of readdirSync(downloads).filter((name) => name.endsWith('.deb'))) {
    const unpacked = spawnSync('dpkg-deb', ['-x', path.join(downloads, deb), CACHE], { stdio: 'inherit' });
    if (unpacked.status !== 0) throw new Error(`dpkg-deb could not unpack ${deb}`);
  }
}
