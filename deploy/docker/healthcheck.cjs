'use strict';
// The image's HEALTHCHECK: GET /healthz on METRICS_PORT when it is set (every role serves it there),
// else on the API's HTTP_PORT (default 8080). Exit 0 on a 200, 1 on anything else or no answer in time.
// Plain node, because the slim image has no curl. Kubernetes ignores HEALTHCHECK and uses its own probes.
const http = require('http');

const port = Number(process.env.METRICS_PORT || process.env.HTTP_PORT || 8080);
const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
