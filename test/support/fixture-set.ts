import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OFFLINE = fileURLToPath(new URL('../../nix/offline', import.meta.url));

/**
 * Writes a package set that is the offline set plus two test packages:
 * `slowpoke`, whose build sleeps `delaySeconds`, and `brokentool`, a copy
 * of jq marked broken. A fresh nonce makes slowpoke a new derivation on
 * every run, so the Nix store never has it already.
 */
export async function writeFixtureSet(dir: string, delaySeconds: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const nonce = randomUUID();
  await writeFile(
    join(dir, 'default.nix'),
    `{ system ? builtins.currentSystem }:
let
  base = import ${OFFLINE} { inherit system; };
  busybox = builtins.path { path = ${OFFLINE}/busybox; name = "busybox"; };
in
base // {
  slowpoke = derivation {
    name = "slowpoke";
    inherit system;
    nonce = "${nonce}";
    builder = "\${busybox}/busybox";
    args = [ "sh" "-c" "sleep ${delaySeconds}; mkdir -p $out/bin; echo $nonce > $out/bin/slowpoke" ];
  };
  brokentool = base.jq // { meta = base.jq.meta // { broken = true; }; };
}
`,
  );
  return dir;
}
