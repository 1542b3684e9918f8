import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import {
  type ModuleName,
  forbiddenCalls,
  forbiddenMembers,
  moduleRules,
  pureBuiltins,
  purePackages,
} from './rules.js';

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: 'forbidden-import' | 'impure-import' | 'impure-code' | 'web-import';
  readonly message: string;
}

const builtins = new Set(builtinModules);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'node_modules' || name === 'dist') continue;
      out.push(...walk(full));
    } else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

function moduleOf(srcDir: string, file: string): ModuleName | undefined {
  const first = relative(srcDir, file).split(sep)[0];
  return first !== undefined && first in moduleRules ? (first as ModuleName) : undefined;
}

function isTestFile(file: string): boolean {
  return /\.(test|contract|bench)\.tsx?$/.test(file);
}

interface ImportRef {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

function importsOf(source: ts.SourceFile): ImportRef[] {
  const refs: ImportRef[] = [];
  const lineOf = (node: ts.Node): number =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      let typeOnly = clause?.isTypeOnly ?? false;
      if (
        !typeOnly &&
        clause &&
        !clause.name &&
        clause.namedBindings &&
        ts.isNamedImports(clause.namedBindings)
      ) {
        const elements = clause.namedBindings.elements;
        typeOnly = elements.length > 0 && elements.every((e) => e.isTypeOnly);
      }
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly, line: lineOf(node) });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      refs.push({
        specifier: node.moduleSpecifier.text,
        typeOnly: node.isTypeOnly,
        line: lineOf(node),
      });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      refs.push({ specifier: node.arguments[0].text, typeOnly: false, line: lineOf(node) });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      refs.push({ specifier: node.argument.literal.text, typeOnly: true, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

function impureCode(source: ts.SourceFile): { line: number; what: string }[] {
  const found: { line: number; what: string }[] = [];
  const lineOf = (node: ts.Node): number =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const object = node.expression.text;
      const property = node.name.text;
      for (const [o, p] of forbiddenMembers) {
        if (object === o && (p === '*' || p === property))
          found.push({ line: lineOf(node), what: `${object}.${property}` });
      }
      if (object === 'globalThis' && ['process', 'fetch', 'console', 'crypto'].includes(property)) {
        found.push({ line: lineOf(node), what: `globalThis.${property}` });
      }
    }
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      forbiddenCalls.has(node.expression.text)
    ) {
      found.push({ line: lineOf(node), what: `${node.expression.text}()` });
    }
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'Date'
    ) {
      if (!node.arguments || node.arguments.length === 0)
        found.push({ line: lineOf(node), what: 'new Date()' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Checks a tree laid out as DESIGN.md says (`<root>/src/<module>/…`, `<root>/web/src/…`) and
 * returns every violation of the dependency rule and of purity.
 */
export function checkArchitecture(root: string): Violation[] {
  const srcDir = resolve(root, 'src');
  const violations: Violation[] = [];
  const files = walk(srcDir);
  for (const file of files) {
    const from = moduleOf(srcDir, file);
    const rel = relative(root, file);
    if (from === undefined) {
      violations.push({
        file: rel,
        line: 1,
        rule: 'forbidden-import',
        message: 'file is outside every module of DESIGN.md',
      });
      continue;
    }
    const rule = moduleRules[from];
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const test = isTestFile(file);
    for (const ref of importsOf(source)) {
      if (ref.specifier.startsWith('.')) {
        const target = resolve(file, '..', ref.specifier);
        if (!target.startsWith(srcDir + sep)) {
          violations.push({
            file: rel,
            line: ref.line,
            rule: 'forbidden-import',
            message: `${from} imports ${ref.specifier}, outside src/`,
          });
          continue;
        }
        const to = moduleOf(srcDir, target);
        if (to === undefined || to === from) continue;
        const allowed =
          rule.imports.includes(to) || (ref.typeOnly && (rule.typeImports ?? []).includes(to));
        if (!allowed) {
          const typeHint = (rule.typeImports ?? []).includes(to)
            ? ' (only type-only imports are allowed)'
            : '';
          violations.push({
            file: rel,
            line: ref.line,
            rule: 'forbidden-import',
            message: `${from} may not import ${to}${typeHint}: ${ref.specifier}`,
          });
        }
        continue;
      }
      if (!rule.pure || test || ref.typeOnly) continue;
      const bare = ref.specifier.replace(/^node:/, '');
      const isBuiltin = ref.specifier.startsWith('node:') || builtins.has(bare);
      if (isBuiltin ? !pureBuiltins.has(bare) : !purePackages.has(packageName(ref.specifier))) {
        violations.push({
          file: rel,
          line: ref.line,
          rule: 'impure-import',
          message: `pure module ${from} imports ${ref.specifier}; pure modules do no I/O (pass it in from an edge module)`,
        });
      }
    }
    if (rule.pure && !test) {
      for (const hit of impureCode(source)) {
        violations.push({
          file: rel,
          line: hit.line,
          rule: 'impure-code',
          message: `pure module ${from} uses ${hit.what}; environment, time and randomness come in as arguments`,
        });
      }
    }
  }
  violations.push(...checkWeb(root));
  return violations;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function checkWeb(root: string): Violation[] {
  const webSrc = resolve(root, 'web', 'src');
  const srcDir = resolve(root, 'src');
  let files: string[];
  try {
    files = walk(webSrc);
  } catch {
    return [];
  }
  const violations: Violation[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    for (const ref of importsOf(source)) {
      if (!ref.specifier.startsWith('.')) continue;
      const target = resolve(file, '..', ref.specifier);
      if (!target.startsWith(srcDir + sep)) continue;
      const to = moduleOf(srcDir, target);
      if (to !== 'protocol' || !ref.typeOnly) {
        violations.push({
          file: relative(root, file),
          line: ref.line,
          rule: 'web-import',
          message: `web may only import types from src/protocol (import type …): ${ref.specifier}`,
        });
      }
    }
  }
  return violations;
}
