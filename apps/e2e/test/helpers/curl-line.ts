/**
 * Runs a `curl` line printed by the demo the way a person pasting it would: through bash with the
 * printed `export` lines, or, where curl is missing, as the equivalent fetch parsed from the line.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const HAVE_CURL = existsSync('/usr/bin/curl');

/**
 * How the tests run a pasted line: `bash -c`, without the user's start-up files. A bash whose stdin is a
 * socket (as a child of Node is) takes itself for an ssh session and sources ~/.bashrc, which on some
 * machines takes seconds (a pyenv init) and made these tests time out.
 */
export const BASH = ['--norc', '--noprofile', '-c'] as const;

/** The status code the line gets. */
export async function runCurlLine(
  line: string,
  exports: readonly string[],
  env: NodeJS.ProcessEnv,
  { useCurl = HAVE_CURL }: { useCurl?: boolean } = {},
): Promise<number> {
  if (useCurl) {
    // A later -w and -o win over the line's own: only the status code comes out.
    const script = [...exports, `${line} -o /dev/null -w '%{http_code}'`].join('\n');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('bash', [...BASH, script], { env }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    return Number(out.trim());
  }
  const vars = Object.fromEntries(
    exports.map((e) => /^export (\w+)='([^']*)'$/.exec(e)).flatMap((m) => (m ? [[m[1]!, m[2]!]] : [])),
  );
  const request = parseCurl(line, (name) => vars[name] ?? env[name] ?? '');
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  await res.body?.cancel();
  return res.status;
}

interface ParsedCurl {
  url: string;
  method: string;
  headers: [string, string][];
  body?: string;
}

/** The options the demo's lines use: -s -i -w -X -H -d, single and double quotes, $VARIABLE. */
export function parseCurl(line: string, lookup: (name: string) => string): ParsedCurl {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    if (m[1] !== undefined) words.push(m[1]);
    else words.push((m[2] ?? m[3]!).replace(/\$(\w+)/g, (_, name: string) => lookup(name)));
  }
  const out: ParsedCurl = { url: '', method: 'GET', headers: [] };
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-X') out.method = words[++i]!;
    else if (word === '-H') {
      const header = words[++i]!;
      const colon = header.indexOf(':');
      out.headers.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
    } else if (word === '-d') {
      out.body = words[++i]!;
      if (out.method === 'GET') out.method = 'POST';
    } else if (word === '-w' || word === '-o') i++;
    else if (!word.startsWith('-')) out.url = word;
  }
  return out;
}
