/**
 * `npm start`: runs the whole registry on this machine with the offline
 * package set, until Ctrl-C. Settings come from the same NIXPORT_*
 * variables as in production; PORT picks the registry's port.
 */
import { resolve } from 'node:path';

import { ConfigError, loadConfig } from '@nixport/shared';

import { startStack } from './stack.ts';

let port: number;
try {
  // Validates every setting once, here, before any service starts.
  port = loadConfig(process.env, 8080).port;
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error}\n`);
  process.exit(1);
}
const stack = await startStack({
  dataDir: resolve(process.env.NIXPORT_DATA_DIR || '.nixport'),
  gatewayPort: port,
  redisUrl: process.env.REDIS_URL,
  persistRedis: true,
  output: (service, line) => process.stdout.write(`${service.padEnd(10)} ${line}\n`),
}).catch((error: Error) => {
  process.stderr.write(`npm start: ${error.message}\n`);
  process.exit(1);
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
