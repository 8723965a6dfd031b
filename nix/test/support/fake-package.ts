import type { DebianPackage } from '../../src/debian-package.ts';

/** A Debian package with defaults for every field a test does not set. */
export function fakePackage(
  name: string,
  fields: Partial<DebianPackage> = {},
): DebianPackage {
  return {
    name,
    version: '1.0',
    architecture: 'amd64',
    depends: [],
    provides: [],
    installedSize: 1,
    filename: `pool/${name}.deb`,
    sha256: '00',
    summary: name,
    priority: 'optional',
    ...fields,
  };
}
