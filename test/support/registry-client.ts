import { expect } from 'chai';

import { metricSum } from './commands.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A manifest pull as the tests look at it. */
export interface Pulled {
  status: number;
  digest: string | null;
  message: string;
  layers: number;
}

/** The JSON of a build status page. */
export interface BuildStatus {
  state: string;
  /** The last progress the builder reported through BullMQ. */
  progress?: { phase: string; layer?: number; of?: number };
  attempts: number;
  log: string[];
}

/** The path of a build status page that an error message names. */
export const STATUS_PATH = /\/builds\/[0-9a-f]{64}/;

/** The gateway to pull from and every builder behind it. */
export interface Registry {
  gatewayUrl: string;
  builderUrls: string[];
}

/**
 * Pulls manifests from a running registry and reads its build status
 * pages and its builders' metrics, summed over all of them.
 */
export function registryClient(registry: () => Registry) {
  const stack = () => registry();
  const metric = async (name: string, labels?: Record<string, string>) => {
    const sums = stack().builderUrls.map((url) => metricSum(url, name, labels));
    return (await Promise.all(sums)).reduce((a, b) => a + b, 0);
  };
  return {
    builds: () => metric('nixport_builds_total'),
    layers: () => metric('nixport_layers_total'),
    async pull(name: string, tag: string): Promise<Pulled> {
      const url = `${stack().gatewayUrl}/v2/${name}/manifests/${tag}`;
      const res = await fetch(url, { headers: { Accept: OCI_MANIFEST } });
      const body = (await res.json()) as {
        layers?: unknown[];
        errors?: { message: string }[];
      };
      return {
        status: res.status,
        digest: res.headers.get('docker-content-digest'),
        message: body.errors?.[0]?.message ?? '',
        layers: body.layers?.length ?? 0,
      };
    },
    async status(path: string): Promise<BuildStatus> {
      const res = await fetch(`${stack().gatewayUrl}${path}`, {
        headers: { Accept: 'application/json' },
      });
      expect(res.status, path).to.equal(200);
      return (await res.json()) as BuildStatus;
    },
  };
}
