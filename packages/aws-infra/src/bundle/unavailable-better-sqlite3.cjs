// Stands in for better-sqlite3 in the AWS bundles (images and the Lambda). The embedded platform
// (files + SQLite) is not part of them, so touching it fails with this message instead of a
// missing native module at start-up.
'use strict';

function Database() {
  throw new Error(
    'better-sqlite3 is not included in this bundle: the embedded (local) platform is not available here. ' +
      'Set STEREO_SPOT_PLATFORM=aws.',
  );
}
module.exports = Database;
module.exports.default = Database;
