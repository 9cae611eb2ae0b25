import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createFileTokenStore, PassphraseRequiredError, passphraseFromEnv } from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import {
  daemonFiles,
  ensurePrivateFolder,
  isDaemonProcess,
  releaseDaemonFiles,
  runningDaemon,
} from '../../daemon/files.js';
import { ALREADY_RUNNING_EXIT, runDaemon } from '../../daemon/run.js';
import { DaemonNotRunningError, RuntimeError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { say, warner } from '../../session/output.js';
import { openSession } from '../../session/source.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions } from '../shared-options.js';

/** How long `daemon start` waits for the daemon to take its lock, and `daemon stop` for it to exit. */
const WAIT_MS = 4_500;

/** `gatehouse daemon start|status|stop|run`: one background process per profile keeps its tokens fresh. */
export function daemonCommand(ctx: CommandContext): Command {
  const daemon = new Command('daemon')
    .summary("keep a profile's tokens fresh in the background")
    .description(
      [
        "One background process per profile keeps the profile's tokens fresh in its token store, renewing them when `gatehouse token` would, so that other tools reading `gatehouse token` never wait for the provider. It logs to daemon.log in the profile's folder (~/.gatehouse/profiles/<profile>/, with daemon.pid and daemon.lock), never a token, and exits by itself when the refresh token is no longer accepted.",
        'Examples:\n  gatehouse daemon start --profile dev\n  gatehouse daemon status --profile dev   # exit 0 when running, 1 when not\n  gatehouse daemon stop --profile dev',
      ].join('\n\n'),
    );
  for (const make of [startCommand, statusCommand, stopCommand, runCommand]) daemon.addCommand(make(ctx));
  return daemon;
}

/** A `daemon` subcommand: its help, and the connection options that select the profile. */
function subcommand(name: string, summary: string, description: string): Command {
  const command = new Command(name).summary(summary).description(description);
  withConnectionOptions(command);
  return command;
}

/** The profile the flags select, its daemon's files, and the pid of its running daemon (none: undefined). */
async function locateDaemon(flags: CommandFlags, io: CliIO) {
  const settings = await resolveSettings(flags, io.env, warner(io));
  const files = daemonFiles(settings);
  return { settings, files, pid: await runningDaemon(files) };
}

function startCommand(ctx: CommandContext): Command {
  const command = subcommand(
    'start',
    'start the daemon of a profile (or report the running one)',
    'Check that the profile has a stored login, then start its daemon in the background (detached, no ' +
      'output) and return within 5 seconds. Exit 0 when it started one or one was already running (its pid is ' +
      'printed); exit 1, "run `gatehouse login`", when nothing is stored. An encrypted refresh token needs ' +
      'GATEHOUSE_TOKEN_PASSPHRASE in the environment (the daemon cannot ask).\n\n' +
      'Example: gatehouse daemon start --profile dev',
  );
  return command.action(async (flags: CommandFlags, self: Command) => {
    const { io } = ctx;
    const { settings, files, pid: running } = await locateDaemon(flags, io);
    if (running) {
      say(io, `A gatehouse daemon is already running for profile "${settings.profile}" (pid ${running}).`);
      return;
    }
    // Fail here, in front of the user, rather than in the background: a login must be stored, and an
    // encrypted refresh token needs its passphrase in the environment the daemon inherits.
    const quiet: CliIO = { ...io, interactive: false };
    const login = settings.exchange?.source ?? settings;
    const stored = await createFileTokenStore({ path: login.tokenFile, onWarning: warner(io) }).inspect();
    if (stored?.refreshToken === 'encrypted' && !passphraseFromEnv(io.env)) {
      throw new PassphraseRequiredError(stored.path);
    }
    await (await openSession(settings, quiet, { browser: false, interactiveLogin: false })).current();

    await ensurePrivateFolder(files.folder);
    const [node, ...script] = io.self ?? [process.execPath, process.argv[1]!];
    const child = spawn(node!, [...script, 'daemon', 'run'], {
      detached: true,
      stdio: 'ignore',
      env: { ...io.env, ...explicitOptionsAsEnv(self) },
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    child.unref();
    const started = await waitFor(async () => {
      const pid = await runningDaemon(files);
      return pid === child.pid ? pid : undefined;
    }, exited);
    const other = started ?? (await runningDaemon(files));
    if (other) {
      say(
        io,
        other === child.pid
          ? `Started the gatehouse daemon for profile "${settings.profile}" (pid ${other}); log: ${files.log}`
          : `A gatehouse daemon is already running for profile "${settings.profile}" (pid ${other}).`,
      );
      return;
    }
    const detail =
      exitCode === ALREADY_RUNNING_EXIT ? 'another daemon held the lock' : await lastLogLine(files.log);
    throw new RuntimeError(`The gatehouse daemon did not start (${detail}); see ${files.log}.`);
  });
}

function statusCommand(ctx: CommandContext): Command {
  const command = subcommand(
    'status',
    'exit 0 when the daemon of a profile runs, 1 when not',
    "Say whether the profile's daemon runs (its pid and log). Exit 0 when running, 1 when not.\n\n" +
      'Example: gatehouse daemon status --profile dev',
  );
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const { settings, files, pid } = await locateDaemon(flags, io);
    if (!pid) throw new DaemonNotRunningError(settings.profile);
    say(
      io,
      `The gatehouse daemon is running for profile "${settings.profile}" (pid ${pid}); log: ${files.log}`,
    );
  });
}

function stopCommand(ctx: CommandContext): Command {
  const command = subcommand(
    'stop',
    'stop the daemon of a profile',
    "Stop the profile's daemon. Exit 0 when one was stopped, 1 when none ran.\n\n" +
      'Example: gatehouse daemon stop --profile dev',
  );
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const { settings, files, pid } = await locateDaemon(flags, io);
    if (!pid) {
      await releaseDaemonFiles(files, -1); // the files of a daemon that died, if any
      throw new DaemonNotRunningError(settings.profile);
    }
    process.kill(pid, 'SIGTERM');
    const gone = await waitFor(async () => (isDaemonProcess(pid) ? undefined : true));
    if (!gone) {
      process.kill(pid, 'SIGKILL');
      await releaseDaemonFiles(files, pid);
    }
    say(io, `Stopped the gatehouse daemon for profile "${settings.profile}" (pid ${pid}).`);
  });
}

function runCommand(ctx: CommandContext): Command {
  const command = subcommand(
    'run',
    'run the daemon in the foreground (what start runs; for systemd or launchd)',
    "Run the profile's daemon in this process until SIGTERM, logging to daemon.log in the profile's folder. " +
      '`daemon start` runs this detached.\n\nExample: gatehouse daemon run --profile dev',
  );
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const settings = await resolveSettings(flags, io.env, warner(io));
    ctx.exitCode = await runDaemon(settings, io, daemonFiles(settings));
  });
}

/** Options given on the command line, passed to the detached daemon as their variables (not in `ps`). */
function explicitOptionsAsEnv(command: Command): Record<string, string> {
  const env: Record<string, string> = {};
  for (const option of command.options) {
    const key = option.attributeName();
    const value = command.getOptionValue(key) as unknown;
    if (option.envVar && command.getOptionValueSource(key) === 'cli' && typeof value === 'string') {
      env[option.envVar] = value;
    }
  }
  return env;
}

/** Polls `check` every 100 ms until it yields a value, `ended` settles, or about 4.5 s pass. */
async function waitFor<T>(
  check: () => Promise<T | undefined>,
  ended?: Promise<void>,
): Promise<T | undefined> {
  let over = false;
  void ended?.then(() => {
    over = true;
  });
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined || over) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

async function lastLogLine(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const line = text.trim().split('\n').at(-1) ?? '';
  return line.replace(/^\S+ \[\d+\] /, '') || 'no log';
}
