import { spawn } from 'node:child_process';
import { type BrowserOpener, openSystemBrowser } from '@gatehouse/client';
import { browserCommandFrom, hasDisplay } from '../config/env.js';
import type { CliIO } from '../io.js';

/**
 * How `login` opens the browser: `false` with `--no-browser`, `GATEHOUSE_BROWSER=none` or no display;
 * otherwise the injected opener, the `GATEHOUSE_BROWSER` command (run with the URL as its last argument, no
 * shell), or the system browser.
 */
export function browserOpener(io: CliIO, wantBrowser: boolean): BrowserOpener | false {
  if (!wantBrowser) return false;
  if (io.openBrowser) return io.openBrowser;
  const command = browserCommandFrom(io.env);
  if (command === 'none') return false;
  if (command) return (url) => runBrowserCommand(command, url);
  if (!hasDisplay(io.env)) return false;
  return openSystemBrowser;
}

function runBrowserCommand(command: string, url: string): Promise<void> {
  const [file, ...args] = splitCommand(command);
  if (!file) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args, url], { stdio: 'ignore', detached: false });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** Splits `a "b c" d` into words; single and double quotes group, no other shell syntax. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}
