import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { Benchmark } from './benchmark.js';
import { formatNumber, summarize } from './stats.js';

const root = resolve(import.meta.dirname, '..');
const docPath = resolve(root, 'docs/benchmarks.md');
const begin = (id: string) => `<!-- bench:${id}:begin -->`;
const end = (id: string) => `<!-- bench:${id}:end -->`;

function machine(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  return `${list.length} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB memory, Node ${process.version}, ${process.platform}/${process.arch}`;
}

async function main(): Promise<void> {
  const filter = process.argv.slice(2);
  const files = readdirSync(resolve(root, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const selected = files.filter(
    (f) => filter.length === 0 || filter.includes(f.replace(/\.bench\.ts$/, '')),
  );
  if (selected.length === 0) {
    process.stderr.write(`no benchmark matches ${filter.join(', ')}; have: ${files.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  let doc = readFileSync(docPath, 'utf8');
  for (const file of selected) {
    const id = file.replace(/\.bench\.ts$/, '');
    const mod = (await import(resolve(root, 'bench', file))) as { benchmark: Benchmark };
    process.stderr.write(`bench ${id}: running…\n`);
    const results = await mod.benchmark.run(new AbortController().signal);
    const lines = [
      begin(id),
      `## ${mod.benchmark.name}`,
      '',
      mod.benchmark.what,
      '',
      `- command: \`npm run bench -- ${id}\``,
      `- machine: ${machine()}`,
      `- date: ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| measurement | median | spread (min – max) | p10 – p90 | n | target | met |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    ];
    const notes: string[] = [];
    for (const [label, m] of Object.entries(results)) {
      const s = summarize(m.samples);
      const met =
        m.target === undefined
          ? '–'
          : (m.better === 'higher' ? s.median >= m.target : s.median <= m.target)
            ? 'yes'
            : 'NO';
      const target =
        m.target === undefined
          ? '–'
          : `${m.better === 'higher' ? '≥' : '≤'} ${formatNumber(m.target)} ${m.unit}`;
      lines.push(
        `| ${label} | ${formatNumber(s.median)} ${m.unit} | ${formatNumber(s.min)} – ${formatNumber(s.max)} | ${formatNumber(s.p10)} – ${formatNumber(s.p90)} | ${s.n} | ${target} | ${met} |`,
      );
      process.stderr.write(
        `  ${label}: median ${formatNumber(s.median)} ${m.unit} (target ${target}, met: ${met})\n`,
      );
      for (const n of m.notes ?? []) notes.push(`- ${label}: ${n}`);
    }
    if (notes.length > 0) lines.push('', ...notes);
    lines.push(end(id));
    const section = lines.join('\n');
    const start = doc.indexOf(begin(id));
    const stop = doc.indexOf(end(id));
    doc =
      start >= 0 && stop > start
        ? doc.slice(0, start) + section + doc.slice(stop + end(id).length)
        : `${doc.trimEnd()}\n\n${section}\n`;
  }
  writeFileSync(docPath, doc);
}

await main();
