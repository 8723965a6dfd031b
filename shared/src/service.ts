import { ConfigError } from './config.ts';
import { FsBlobStore } from './storage/fs-store.ts';
import { S3BlobStore } from './storage/s3-store.ts';
import type { BlobStore } from './storage/store.ts';
import type { Config } from './config.ts';

/**
 * Runs a service's `main`: a bad configuration or a failed start prints
 * one clear line and exits 1; SIGTERM and SIGINT call `stop` once.
 */
export function runService(
  name: string,
  main: () => Promise<() => Promise<void>>,
): void {
  main().then(
    (stop) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) return;
        stopping = true;
        stop().finally(() => process.exit(0));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
    (error: unknown) => {
      const message = error instanceof ConfigError ? error.message : String(error);
      process.stderr.write(`${name}: ${message}\n`);
      process.exit(1);
    },
  );
}

/**
 * The blob store the configuration names, ready to use: the S3 bucket
 * exists (created when allowed) or the store folder is there.
 */
export async function openStore(config: Config): Promise<BlobStore> {
  const store = config.s3 ? new S3BlobStore(config.s3) : new FsBlobStore(config.storeDir);
  await store.init();
  return store;
}
