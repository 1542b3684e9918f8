#!/usr/bin/env node
// The `airlock` command. Runs the compiled program in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cmd/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'airlock: the program is not built yet; run `npm install` (or `npm run build`) first\n',
  );
  process.exit(3);
}
await import(entry.href);
