#!/usr/bin/env node
// Checks the snippets of the documentation, so that it cannot rot:
// - every ```ts block of the package and app READMEs and of docs/providers/*.md is compiled as its own
//   module against the built workspace packages (a block whose info string is `ts fragment` is skipped);
// - in docs/providers/*.md, every `GATEHOUSE_OIDC_CONFIG` value (a ```json GATEHOUSE_OIDC_CONFIG block, or
//   `GATEHOUSE_OIDC_CONFIG='…'` in a shell block) goes through @gatehouse/core's own configuration
//   validation (`resolveConfig`), and every ```json gatehouse-config block (the CLI's config.json)
//   through @gatehouse/cli's `loadConfigFile`. Other ```json blocks must say what they are (`json fragment`
//   for an illustration, e.g. a token's claims). Each guide must have at least one checked configuration.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.snippets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const guides = readdirSync(join(root, 'docs/providers'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => join('docs/providers', name));
const readmes = ['README.md', 'docs/mcp.md'];
for (const folder of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, folder))) {
    if (existsSync(join(root, folder, name, 'README.md'))) readmes.push(join(folder, name, 'README.md'));
  }
}

const problems = [];

// 1. TypeScript snippets.
const files = [];
for (const doc of [...readmes, ...guides]) {
  const text = readFileSync(join(root, doc), 'utf8');
  let index = 0;
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const file = join(out, `${doc.replace(/[/.]/g, '_')}_${index++}.ts`);
    // Each snippet is a module of its own (so top-level names do not clash).
    writeFileSync(file, `${match[1]}\nexport {};\n`);
    files.push(file);
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      noUnusedLocals: false,
    },
    include: ['*.ts'],
  }),
);
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
    stdio: 'inherit',
  });
} catch {
  problems.push('TypeScript snippets do not type-check (files in .snippets/)');
}

// 2. Configuration snippets of the provider guides, through the real validation.
const dist = (pkg) => {
  const path = join(root, 'packages', pkg, 'dist/index.js');
  if (!existsSync(path)) {
    console.error(`${path} is missing: build first (npm run build)`);
    process.exit(1);
  }
  return import(pathToFileURL(path).href);
};
const { resolveConfig } = await dist('core');
const { loadConfigFile } = await dist('cli');

let configs = 0;
for (const guide of guides) {
  const text = readFileSync(join(root, guide), 'utf8');
  const line = (offset) => text.slice(0, offset).split('\n').length;
  let checked = 0;
  const checkOidc = (json, at) => {
    checked++;
    try {
      // Only the OIDC variable: a guide's snippet must stand on its own.
      resolveConfig({ env: { GATEHOUSE_OIDC_CONFIG: json, NODE_ENV: 'production' } });
    } catch (err) {
      problems.push(`${guide}:${at}: ${err.message}`);
    }
  };
  for (const match of text.matchAll(/^```json([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const label = match[1].trim();
    const at = line(match.index);
    if (label === 'GATEHOUSE_OIDC_CONFIG') {
      checkOidc(match[2], at);
    } else if (label === 'gatehouse-config') {
      checked++;
      const file = join(out, `${guide.replace(/[/.]/g, '_')}_${at}.json`);
      writeFileSync(file, match[2]);
      const warnings = [];
      try {
        await loadConfigFile(file, (warning) => warnings.push(warning));
      } catch (err) {
        problems.push(`${guide}:${at}: ${err.message}`);
      }
      // Unknown fields are warnings to the CLI; reported, so that a guide naming a field the CLI does not
      // know is noticed.
      for (const warning of warnings)
        console.warn(`${guide}:${at}: warning: ${warning.replace(file, 'config.json')}`);
    } else if (label !== 'fragment') {
      problems.push(
        `${guide}:${at}: label the json block: "json GATEHOUSE_OIDC_CONFIG", "json gatehouse-config" or "json fragment"`,
      );
    }
  }
  for (const match of text.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```$/gm)) {
    for (const value of match[1].matchAll(/GATEHOUSE_OIDC_CONFIG='([^']*)'/g)) {
      checkOidc(value[1], line(match.index));
    }
  }
  if (checked === 0) problems.push(`${guide}: no checked configuration snippet`);
  configs += checked;
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`Snippets: ${files.length} TypeScript type-checked, ${configs} configurations validated`);
