import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OFFLINE = fileURLToPath(new URL('../../nix/offline', import.meta.url));

/**
 * The Nix text of a derivation, named `name`, whose build sleeps
 * `delaySeconds` and then writes its nonce to `$out/bin/<name>`. A fresh
 * nonce makes it a new derivation on every call, so the Nix store never
 * has it already and the build really takes that long. Expects `busybox`
 * and `system` in scope.
 */
export function sleepingDerivation(name: string, delaySeconds: number): string {
  const script = `sleep ${delaySeconds}; mkdir -p $out/bin; echo $nonce > $out/bin/${name}`;
  return `derivation {
    name = "${name}";
    inherit system;
    nonce = "${randomUUID()}";
    builder = "\${busybox}/busybox";
    args = [ "sh" "-c" "${script}" ];
  }`;
}

/**
 * Writes a package set that is the offline set plus two test packages:
 * `slowpoke`, whose build sleeps `delaySeconds` (a new derivation every
 * run), and `brokentool`, a copy of jq marked broken.
 */
export async function writeFixtureSet(dir: string, delaySeconds: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'default.nix'),
    `{ system ? builtins.currentSystem }:
let
  base = import ${OFFLINE} { inherit system; };
  busybox = builtins.path { path = ${OFFLINE}/busybox; name = "busybox"; };
in
base // {
  slowpoke = ${sleepingDerivation('slowpoke', delaySeconds)};
  brokentool = base.jq // { meta = base.jq.meta // { broken = true; }; };
}
`,
  );
  return dir;
}
