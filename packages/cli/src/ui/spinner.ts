import { createSpinner } from 'nanospinner';
import type { OutputStream } from '../io.js';

/** A spinner on stderr while waiting (browser, device approval); nothing at all when stderr is not a TTY. */
export interface Waiting {
  stop(): void;
}

export function startWaiting(stderr: OutputStream, text: string): Waiting {
  if (!stderr.isTTY) return { stop: () => {} };
  const spinner = createSpinner(text, { stream: stderr as NodeJS.WriteStream }).start();
  return { stop: () => spinner.clear().stop() };
}
