import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, DEFAULT_DATA_DIR, databasePathFromEnv, listenAddressFromEnv } from '../src/env.js';

describe('databasePathFromEnv', () => {
  it('defaults to <repository>/data, whatever the working directory', () => {
    expect(databasePathFromEnv({}, '/somewhere/else')).toBe(join(DEFAULT_DATA_DIR, DATABASE_FILE));
    expect(databasePathFromEnv({ TELEMETRY_DATA_DIR: '  ' }, '/x')).toBe(
      join(DEFAULT_DATA_DIR, DATABASE_FILE),
    );
  });

  it('takes an absolute folder as is and a relative one from the working directory', () => {
    expect(databasePathFromEnv({ TELEMETRY_DATA_DIR: '/var/lib/t' }, '/x')).toBe('/var/lib/t/telemetry.db');
    expect(databasePathFromEnv({ TELEMETRY_DATA_DIR: 'db' }, '/srv/app')).toBe('/srv/app/db/telemetry.db');
  });
});

describe('listenAddressFromEnv', () => {
  it('defaults to the app port on 127.0.0.1, and reads PORT (0 included) and HOST', () => {
    expect(listenAddressFromEnv({}, 4401)).toEqual({ port: 4401, host: '127.0.0.1' });
    expect(listenAddressFromEnv({ PORT: '0', HOST: '::1' }, 4401)).toEqual({ port: 0, host: '::1' });
  });

  it.each(['http', '-1', '65536', '1.5', '123456'])('refuses PORT=%s, naming PORT', (port) => {
    expect(() => listenAddressFromEnv({ PORT: port }, 4401)).toThrow(/^PORT must be a port number/);
  });
});
