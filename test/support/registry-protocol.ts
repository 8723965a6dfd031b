import { expect } from 'chai';

import type { RawResponse } from './raw-http.ts';

/** OCI media types the protocol tests expect on the wire. */
export const OCI = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  index: 'application/vnd.oci.image.index.v1+json',
};

/** Docker schema 2 media types the protocol tests expect on the wire. */
export const DOCKER = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  list: 'application/vnd.docker.distribution.manifest.list.v2+json',
};

/** The first `errors[]` entry of an OCI error body, which must be JSON. */
export function firstError(res: RawResponse): { code: string; message: string } {
  expect(res.headers['content-type']).to.match(/^application\/json/);
  return res.json.errors[0];
}
