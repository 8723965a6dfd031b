/**
 * Packs store paths into a layer in a process of its own, as a builder
 * would, and prints its digests as JSON. `node --import tsx pack-layer.ts
 * LEVEL OUT PATH…` writes the gzip stream to OUT (a file or /dev/null).
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

import { streamLayer } from '../../src/layer-stream.ts';

const [level, out, ...paths] = process.argv.slice(2);
const trees = paths.map((path) => ({ from: path, to: path.slice(1) }));
const layer = streamLayer(trees, ['nix', 'nix/store'], Number(level));
await pipeline(layer.body, createWriteStream(out!));
process.stdout.write(`${JSON.stringify(layer.digests())}\n`);
