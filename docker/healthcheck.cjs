'use strict';
// Container health probe for the image's HEALTHCHECK (node:20-bookworm-slim has no curl or wget).
// GETs one URL and exits 0 on a 2xx answer, 1 on anything else (other status, refused, timeout).
//   URL: argv[2], else $HEALTHCHECK_URL, else http://127.0.0.1:${PORT:-3000}/health/live
const http = require('node:http');

const url =
  process.argv[2] || process.env.HEALTHCHECK_URL || `http://127.0.0.1:${process.env.PORT || 3000}/health/live`;

const fail = (reason) => {
  process.stderr.write(`healthcheck ${url}: ${reason}\n`);
  process.exit(1);
};

const req = http.get(url, { timeout: 4000 }, (res) => {
  res.resume();
  if (res.statusCode >= 200 && res.statusCode < 300) process.exit(0);
  fail(`HTTP ${res.statusCode}`);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => fail(err.message));
