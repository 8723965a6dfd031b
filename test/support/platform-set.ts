import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { sleepingDerivation, writeFixtureSet } from './fixture-set.ts';

const OFFLINE = fileURLToPath(new URL('../../nix/offline', import.meta.url));

/**
 * Writes the fixture set (`slowpoke`, `brokentool`, the offline set) plus
 * two packages for protocol tests:
 *
 * - `sleepy`, a second slow build (`delaySeconds`, fresh every run);
 * - `greeting`, a data-only package whose `meta.platforms` lists both
 *   x86_64-linux and aarch64-linux, also reachable as `_3dgreeting`
 *   (a name with a leading digit) and `tools.greeting` (a nested set).
 *
 * Building for aarch64-linux on this x86_64 machine also needs Nix told
 * it may (`extra-platforms`, see `ARM64_BUILDS_ENV`): the builders are
 * the x86_64 busybox, so an "arm64" image holds x86_64 binaries. It is a
 * stand-in for a real aarch64 builder, good for index and platform
 * choice, not for running arm64 code.
 */
export async function writePlatformSet(dir: string, delaySeconds: number): Promise<string> {
  const base = await writeFixtureSet(join(dir, 'base'), delaySeconds);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'default.nix'),
    `{ system ? builtins.currentSystem }:
let
  base = import ${base} { inherit system; };
  busybox = builtins.path { path = ${OFFLINE}/busybox; name = "busybox"; };
  greeting = derivation {
    name = "greeting";
    inherit system;
    builder = "\${busybox}/busybox";
    args = [ "sh" "-c" "mkdir -p $out/share; echo hello > $out/share/greeting" ];
  } // { meta.platforms = [ "x86_64-linux" "aarch64-linux" ]; };
in
base // {
  inherit greeting;
  _3dgreeting = greeting;
  tools = { inherit greeting; };
  sleepy = ${sleepingDerivation('sleepy', delaySeconds)};
}
`,
  );
  return dir;
}

/** Environment that lets the builder build aarch64-linux derivations here. */
export const ARM64_BUILDS_ENV = { NIX_CONFIG: 'extra-platforms = aarch64-linux' };
