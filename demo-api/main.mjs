#!/usr/bin/env node
// `make serve`: the page and the demo reports API on one port until Ctrl-C.

import { parseArgs } from 'node:util';
import { startDemoApi } from './server.mjs';

const USAGE = `usage: node demo-api/main.mjs [--port 8080] [--host 127.0.0.1] [--rows 20000] [--running 2]
       [--root www] [--gen-report PATH] [--cache-dir DIR] [--quiet]
Serves www/ at / and the demo reports API at /api/v1 (see demo-api/README.md).`;

function wholeNumber(name, text) {
  if (!/^\d+$/.test(text)) throw new Error(`--${name} needs a whole number, not "${text}"`);
  return Number(text);
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      rows: { type: 'string', default: '20000' },
      // A couple of RUNNING answers by default, so the page shows the polling a real report goes through.
      running: { type: 'string', default: '2' },
      root: { type: 'string', default: 'www' },
      'gen-report': { type: 'string' },
      'cache-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const demo = await startDemoApi({
    port: wholeNumber('port', values.port),
    host: values.host,
    root: values.root,
    defaultRows: wholeNumber('rows', values.rows),
    runningPolls: wholeNumber('running', values.running),
    cacheDir: values['cache-dir'],
    ...(values['gen-report'] ? { genReport: values['gen-report'] } : {}),
    log: values.quiet ? null : (line) => console.log(line),
  });
  console.log(`Serving ${values.root}/ and the demo reports API at ${demo.url}`);
  console.log(`  API base URL ${demo.baseUrl}, API name ${demo.apiName} (keys: demo-api/README.md)`);
  console.log('  Ctrl-C stops.');
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`demo-api: ${error.message}`);
  console.error(USAGE);
  process.exit(1);
});
