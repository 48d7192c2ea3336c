// Starts @20minutes/s3rver (whose npm package ships no CLI entry point) on 127.0.0.1 with an
// OS-chosen port, one pre-created bucket and optional TLS, then writes the port to a file so
// that the caller (s3rver.sh) can hand it to the tests. Runs until killed.
'use strict';
const fs = require('fs');
const path = require('path');
const S3rver = require(path.join(__dirname, 'node_modules/@20minutes/s3rver'));

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const options = {
  address: '127.0.0.1',
  port: Number(arg('port', '0')),
  silent: !process.argv.includes('--verbose'),
  directory: arg('directory'),
  configureBuckets: [{ name: arg('bucket', 'ff-test'), configs: [] }],
  // Only path-style requests in tests; vhost parsing would treat "127.0.0.1" oddly anyway.
  vhostBuckets: false,
};
if (arg('key')) {
  options.key = fs.readFileSync(arg('key'));
  options.cert = fs.readFileSync(arg('cert'));
}

new S3rver(options).run().then(
  ({ port }) => {
    const portFile = arg('port-file');
    fs.writeFileSync(portFile + '.tmp', String(port));
    fs.renameSync(portFile + '.tmp', portFile);
    console.log('s3rver listening on 127.0.0.1:%d', port);
  },
  (err) => {
    console.error('s3rver failed to start:', err);
    process.exit(1);
  },
);
