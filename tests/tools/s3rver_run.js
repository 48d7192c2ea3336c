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

// --temporary-keys FILE: besides S3RVER/S3RVER, accept the temporary key pairs that a
// loopback credentials endpoint (aws_credentials_server.py --keys-file) issued, each until its
// expiry; after it the request is answered ExpiredToken, as AWS answers expired session
// credentials. The file is read at every lookup (it changes as keys rotate). Keys used are
// appended to FILE.used, so a test can see that each new key was used.
const temporaryKeys = arg('temporary-keys');
if (temporaryKeys) {
  const AWSAccount = require(path.join(__dirname, 'node_modules/@20minutes/s3rver/lib/models/account'));
  const S3Error = require(path.join(__dirname, 'node_modules/@20minutes/s3rver/lib/models/error'));
  const account = AWSAccount.DUMMY_ACCOUNT;
  const used = new Set();
  const lookup = (id) => {
    let keys = {};
    try {
      keys = JSON.parse(fs.readFileSync(temporaryKeys, 'utf8'));
    } catch (e) {
      return undefined;
    }
    const entry = Object.prototype.hasOwnProperty.call(keys, id) ? keys[id] : undefined;
    if (!entry) return undefined;
    if (Date.now() / 1000 > entry.expires) {
      throw new S3Error('ExpiredToken', 'The provided token has expired.');
    }
    if (!used.has(id)) {
      used.add(id);
      fs.appendFileSync(temporaryKeys + '.used', id + '\n');
    }
    return entry.secret;
  };
  const registryGet = AWSAccount.registry.get.bind(AWSAccount.registry);
  AWSAccount.registry.get = (id) => registryGet(id) || (lookup(id) !== undefined ? account : undefined);
  const keysGet = account.accessKeys.get.bind(account.accessKeys);
  account.accessKeys.get = (id) => keysGet(id) || lookup(id);
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
