import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command and returns its stdout; rejects with its stderr. */
export async function run(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr || message}`);
  }
}

/** `skopeo copy` of a registry image into an OCI layout folder. */
export function skopeoCopy(image: string, layout: string): Promise<string> {
  return run('skopeo', [
    '--insecure-policy', 'copy', '--src-tls-verify=false', `docker://${image}`, `oci:${layout}:latest`,
  ]);
}

/**
 * Unpacks an OCI layout with umoci and runs a command in its root. Like a
 * container runtime, it gives the root a /dev/null first (git needs one).
 */
export async function runInImage(layout: string, bundle: string, command: string[]) {
  await run('umoci', ['unpack', '--image', `${layout}:latest`, bundle]);
  const root = `${bundle}/rootfs`;
  await run('mkdir', ['-p', `${root}/dev`]);
  await run('mknod', ['-m', '666', `${root}/dev/null`, 'c', '1', '3']);
  return run('chroot', [root, ...command]);
}

/** Sum of one metric's samples whose labels include `labels`. */
export async function metricSum(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) {
      sum += Number(match[3]);
    }
  }
  return sum;
}
