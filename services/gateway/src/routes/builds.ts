import type { Request, Response } from 'express';

import { BuildNotFound, describeProgress, type RequestLocals } from '@nixport/shared';

import type { BuildCoordinator, BuildStatus } from '../builds.ts';

/** A build key: the hex sha256 of a canonical build request. */
const BUILD_KEY = /^[0-9a-f]{64}$/;

/** States after which a build's page no longer changes by itself. */
const FINISHED = ['completed', 'failed', 'gone'];

/**
 * `GET /builds/<buildKey>`: what a build is doing or did, its attempts,
 * its failure and its log. JSON for clients that ask for it, otherwise a
 * page that refreshes itself until the build is over. Failed pulls name
 * this page in their error message.
 */
export async function getBuild(
  builds: BuildCoordinator,
  req: Request,
  res: Response,
): Promise<void> {
  (res.locals as RequestLocals).route = '/builds/<buildKey>';
  const key = String(req.params.buildKey);
  if (!BUILD_KEY.test(key)) throw new BuildNotFound(key);

  const status = await builds.status(key);
  res.set('Cache-Control', 'no-store');
  if (req.accepts(['html', 'json']) === 'json') {
    res.json(status);
    return;
  }
  res.type('html').send(renderStatus(status));
}

/** The status as a small self-contained HTML page; every value escaped. */
export function renderStatus(status: BuildStatus): string {
  const rows: [string, string | undefined][] = [
    ['image', status.image],
    ['state', status.state],
    ['progress', status.progress && describeProgress(status.progress)],
    ['attempts', String(status.attempts)],
    ['result', status.result],
    ['failure', status.failedReason],
  ];
  const table = rows
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<tr><th>${name}</th><td>${escape(value!)}</td></tr>`)
    .join('\n');
  const refresh = FINISHED.includes(status.state)
    ? ''
    : '<meta http-equiv="refresh" content="2">';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${refresh}
<title>build ${status.buildKey.slice(0, 12)}</title>
<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}
pre{background:#f4f4f4;padding:1em;overflow-x:auto}</style>
</head>
<body>
<h1>Build ${status.buildKey.slice(0, 12)}</h1>
<table>
${table}
</table>
<h2>Log</h2>
<pre>${escape(status.log.join('\n'))}</pre>
</body>
</html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
