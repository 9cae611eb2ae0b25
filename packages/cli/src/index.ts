export type { CommandContext } from './commands/context.js';
export type { ConfigFile, ExchangeConfig, Grant, ProfileConfig, TokenStorage } from './config/config-file.js';
export { loadConfigFile } from './config/config-file.js';
export { CLI_ENV } from './config/env.js';
export type { ExchangeSettings, SettingFlags, Settings } from './config/settings.js';
export { parsePort, resolveSettings } from './config/settings.js';
export type { AnyCliError, CliErrorCode } from './errors.js';
export {
  CliError,
  CommandNotFoundError,
  ConfigError,
  DaemonNotRunningError,
  EXIT,
  exitCodeFor,
  NotLoggedInError,
  RuntimeError,
  ServiceError,
  UsageError,
} from './errors.js';
export type { CliIO, OutputStream } from './io.js';
export { processIO } from './io.js';
export { createProgram, run } from './program.js';
