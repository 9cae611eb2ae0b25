import { createInterface } from 'node:readline';
import { LoginCancelledError } from '@gatehouse/client';
import type { CliIO } from '../io.js';

/**
 * Asks for a secret (passphrase, password) on the terminal without echoing it. Only called when the session
 * is interactive; Ctrl-C cancels (exit 130).
 */
export function promptHidden(io: CliIO, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = io.stdin as NodeJS.ReadStream;
    let value = '';
    const wasRaw = input.isRaw;
    // Echo goes off before the question appears: a secret typed the moment the prompt shows must never
    // reach the screen (the terminal echoes in cooked mode).
    input.setRawMode?.(true);
    io.stderr.write(question);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw ?? false);
      input.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new LoginCancelledError());
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Asks for one line (a user name) on the terminal, echoed. Only called when the session is interactive. */
export function promptLine(io: CliIO, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({
      input: io.stdin,
      output: io.stderr as NodeJS.WritableStream,
      terminal: true,
    });
    rl.once('SIGINT', () => {
      rl.close();
      reject(new LoginCancelledError());
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}
