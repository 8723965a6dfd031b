/**
 * `npm start`: runs the whole registry on this machine with the offline
 * package set, until Ctrl-C. Settings come from the same NIXPORT_*
 * variables as in production; PORT picks the registry's port.
 */
import { resolve } from 'node:path';

import { startStack } from './stack.ts';

const port = Number(process.env.PORT || 8080);
const stack = await startStack({
  dataDir: resolve(process.env.NIXPORT_DATA_DIR || '.nixport'),
  gatewayPort: port,
  redisUrl: process.env.REDIS_URL,
  output: (service, line) => process.stdout.write(`${service.padEnd(10)} ${line}\n`),
});

process.stdout.write(
  `\nNixport is serving on ${stack.gatewayUrl} (Redis ${stack.redisUrl}).\n` +
    `Try: skopeo copy --src-tls-verify=false ` +
    `docker://localhost:${port}/shell/htop:latest oci:/tmp/img:latest\n` +
    'Ctrl-C stops everything this started.\n\n',
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
