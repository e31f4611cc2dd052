// A workerd process for the measurement scripts (worker-cpu.mjs, workerd-inflate.mjs): started on any free
// port, and the CPU time it has used so far.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKERD = fileURLToPath(new URL('../node_modules/.bin/workerd', import.meta.url));
const TICK_MS = 10;

/**
 * `workerd serve CONFIG`, its socket `http` on 127.0.0.1 at a port the system picks (read from workerd's
 * control channel, fd 3), plus `serveArgs`.
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, url: string }>}
 */
export async function startWorkerd(config, { cwd, env, serveArgs = [] }) {
  const child = spawn(WORKERD, ['serve', config, '--experimental', '--control-fd', '3', '--socket-addr', 'http=127.0.0.1:0', ...serveArgs], {
    cwd,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  const port = await new Promise((resolve) => {
    let buffered = '';
    child.stdio[3].on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        const event = JSON.parse(line);
        if (event.event === 'listen' && event.socket === 'http') resolve(event.port);
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** User + system CPU milliseconds of process `pid` so far, from /proc (10 ms ticks). */
export function cpuMs(pid) {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
