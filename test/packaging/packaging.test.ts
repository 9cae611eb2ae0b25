import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFreshApp, isBuilt, npm, root } from './fresh-app.js';

const PACKAGES = ['core', 'express', 'koa', 'nestjs', 'fastify', 'web', 'hono'];
const built = isBuilt(PACKAGES);
const KEY = 'packaged-key-123';

describe.skipIf(!built)('packed tarballs installed into a fresh app (npm test builds first)', () => {
  let dir: string;
  let app: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    ({ dir, app } = installFreshApp(PACKAGES, 'test/packaging/fixture'));
  }, 300_000);

  afterAll(() => {
    for (const child of children) child.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships only dist, README and package.json in each tarball', () => {
    const listing = npm(['pack', '--dry-run', '--json'], join(root, 'packages', 'core'));
    const files = (JSON.parse(listing) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files.every((f) => f.startsWith('dist/') || f === 'README.md' || f === 'package.json')).toBe(true);
    expect(files).toContain('dist/index.cjs');
  });

  it('installs one copy of @gatehouse/core, shared by the adapters', () => {
    const nested = ['express', 'koa', 'nestjs', 'fastify', 'web', 'hono'].filter((a) =>
      existsSync(join(app, 'node_modules/@gatehouse', a, 'node_modules/@gatehouse/core')),
    );
    expect(nested).toEqual([]);
    expect(readdirSync(join(app, 'node_modules/@gatehouse')).sort()).toEqual([
      'core',
      'express',
      'fastify',
      'hono',
      'koa',
      'nestjs',
      'web',
    ]);
  });

  async function serve(file: string, expectedVia: string): Promise<void> {
    const child = spawn(process.execPath, [file], {
      cwd: app,
      env: {
        ...process.env,
        GATEHOUSE_API_KEYS: JSON.stringify([{ name: 'packaged', key: KEY }]),
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c;
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`${file} exited ${code}: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}/v1/whoami`;
    const ok = await fetch(base, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status, stderr).toBe(200);
    expect(await ok.json()).toEqual({ subject: 'packaged', via: expectedVia });
    const denied = await fetch(base);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    child.kill();
  }

  it.each([
    ['express.cjs', 'express-cjs'],
    ['express.mjs', 'express-esm'],
    ['koa.cjs', 'koa-cjs'],
    ['koa.mjs', 'koa-esm'],
    ['fastify.cjs', 'fastify-cjs'],
    ['fastify.mjs', 'fastify-esm'],
    ['hono.cjs', 'hono-cjs'],
    ['hono.mjs', 'hono-esm'],
    ['web.mjs', 'web-esm'],
  ])('serves an authenticated request from %s', (file, via) => serve(file, via));

  const tsc = (args: string[]) => {
    try {
      return execFileSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), ...args], {
        cwd: app,
        encoding: 'utf8',
      });
    } catch (err) {
      throw new Error(String((err as { stdout?: string }).stdout ?? err));
    }
  };
  const strict = [
    '--strict',
    '--skipLibCheck',
    '--target',
    'es2022',
    '--experimentalDecorators',
    '--emitDecoratorMetadata',
  ];

  it('type-checks user code importing from ESM and CommonJS (NodeNext)', () => {
    tsc([
      '--noEmit',
      ...strict,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      'types.mts',
      'types.cts',
    ]);
  });

  it('serves a NestJS app compiled by the user to CommonJS', async () => {
    tsc([
      ...strict,
      '--module',
      'commonjs',
      '--moduleResolution',
      'node10',
      '--outDir',
      'nest-cjs',
      'nest.ts',
    ]);
    await serve('nest-cjs/nest.js', 'nest-cjs');
  });

  it('serves a NestJS app compiled by the user to ESM', async () => {
    writeFileSync(
      join(app, 'nest-esm.mts'),
      (await import('node:fs')).readFileSync(join(app, 'nest.ts'), 'utf8'),
    );
    tsc([
      ...strict,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--outDir',
      'nest-esm',
      'nest-esm.mts',
    ]);
    await serve('nest-esm/nest-esm.mjs', 'nest-esm');
  });
});

const PUBLISHED = [...PACKAGES, 'redis', 'client', 'cli', 'grpc'];
const allBuilt = PUBLISHED.every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));

describe.skipIf(!allBuilt)('the gatehouse CLI installed globally from its tarball', () => {
  let dir: string;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('npm install -g puts a working gatehouse bin on the PATH', () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-global-'));
    // The client takes isLoopbackHost from @gatehouse/core, so the CLI installs core as well.
    const tarballs = ['core', 'client', 'cli'].map((name) => {
      const out = npm(['pack', '--json', '--pack-destination', dir], join(root, 'packages', name));
      return join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
    });
    npm(
      [
        'install',
        '-g',
        '--prefix',
        join(dir, 'global'),
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...tarballs,
      ],
      dir,
    );
    const help = execFileSync(join(dir, 'global/bin/gatehouse'), ['--help'], {
      encoding: 'utf8',
      env: { ...process.env, GATEHOUSE_CONFIG_DIR: join(dir, 'config') },
    });
    for (const command of ['login', 'logout', 'status', 'token', 'exec', 'whoami', 'daemon'])
      expect(help).toContain(command);
  });
});

describe.skipIf(!allBuilt)('published package metadata', () => {
  it.each(PUBLISHED)('%s passes publint and arethetypeswrong', (name) => {
    const cwd = join(root, 'packages', name);
    const bin = (tool: string) => join(root, 'node_modules/.bin', tool);
    expect(execFileSync(bin('publint'), ['--strict'], { cwd, encoding: 'utf8' })).toMatch(/All good/);
    execFileSync(bin('attw'), ['--pack', '.', '--format', 'ascii'], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
    });
  });
});
