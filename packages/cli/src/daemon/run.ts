import { appendFileSync, openSync } from 'node:fs';
import { isClientError, refreshBufferSecs } from '@gatehouse/client';
import type { Settings } from '../config/settings.js';
import { CliError } from '../errors.js';
import type { CliIO, OutputStream } from '../io.js';
import { openSession } from '../session/source.js';
import {
  acquireDaemonLock,
  type DaemonFiles,
  ensurePrivateFolder,
  releaseDaemonFiles,
  writePidFile,
} from './files.js';

/** Exit code of a `daemon run` that found another daemon holding the profile's lock. */
export const ALREADY_RUNNING_EXIT = 3;
/** The longest single wait: the daemon re-checks the token at least this often, seconds. */
const MAX_SLEEP_SECS = 3600;
/** After a failure other than a refused login (the provider is down), the next try, seconds. */
const RETRY_SECS = 30;

/** A log file as an output stream: each line timestamped, mode 0600, never a token (nothing writes one). */
function logStream(path: string): OutputStream {
  const fd = openSync(path, 'a', 0o600);
  let partial = '';
  return {
    write(text: string) {
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        appendFileSync(
          fd,
          `${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')} [${process.pid}] ${line}\n`,
        );
      }
      return true;
    },
  };
}

/**
 * The daemon itself, in the foreground: takes the profile's lock, writes its pid, and keeps the profile's
 * tokens fresh in the token store (renewing them at the same margin as `gatehouse token`) until it is stopped
 * (SIGTERM, SIGINT, SIGHUP) or the login is no longer accepted. Logs to `daemon.log`. Resolves to the exit code.
 */
export async function runDaemon(settings: Settings, io: CliIO, files: DaemonFiles): Promise<number> {
  await ensurePrivateFolder(files.folder);
  const log = logStream(files.log);
  const say = (message: string) => log.write(`${message}\n`);
  if (!(await acquireDaemonLock(files))) {
    say(`another daemon holds ${files.lock}; exiting`);
    return ALREADY_RUNNING_EXIT;
  }
  let stop: (() => void) | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal} received, stopping`);
    stopping = true;
    stop?.();
  };
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  try {
    await writePidFile(files);
    say(
      `started for profile "${settings.profile}" (token file ${settings.exchange?.source.tokenFile ?? settings.tokenFile})`,
    );
    const quiet: CliIO = { ...io, stdout: log, stderr: log, interactive: false };
    const session = await openSession(settings, quiet, { browser: false, interactiveLogin: false });
    while (!stopping) {
      let waitSecs: number;
      try {
        const sent = await session.current();
        if (sent.expiresAt === undefined) {
          waitSecs = MAX_SLEEP_SECS;
          say('the token has no known expiry; checking again in an hour');
        } else {
          const lifetime = Math.max(0, sent.expiresAt - sent.issuedAt);
          // The moment `gatehouse token` would renew it, plus a second so that the session agrees.
          const renewAt = sent.expiresAt - refreshBufferSecs(lifetime) + 1;
          waitSecs = Math.max(1, renewAt - Date.now() / 1000);
          say(
            `token valid until ${new Date(sent.expiresAt * 1000).toISOString()}; next renewal in ${Math.round(waitSecs)} s`,
          );
        }
      } catch (err) {
        if (isFinal(err)) {
          say(`${err instanceof Error ? err.message : String(err)} Exiting.`);
          return 1;
        }
        say(
          `renewal failed: ${err instanceof Error ? err.message : String(err)}; trying again in ${RETRY_SECS} s`,
        );
        waitSecs = RETRY_SECS;
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(waitSecs, MAX_SLEEP_SECS) * 1000);
        stop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    say('stopped');
    return 0;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    await releaseDaemonFiles(files);
  }
}

/** Failures that waiting will not cure: the login is gone or refused, or the settings are wrong. */
function isFinal(err: unknown): boolean {
  if (err instanceof CliError) return true;
  if (!isClientError(err)) return false;
  switch (err.code) {
    case 'login_required':
    case 'passphrase_required':
    case 'wrong_passphrase':
    case 'invalid_options':
    case 'insecure_issuer':
    case 'id_token_unavailable':
      return true;
    case 'token_request_failed':
      return err.oauthError === 'invalid_grant' || err.oauthError === 'invalid_client';
    default:
      return false;
  }
}
