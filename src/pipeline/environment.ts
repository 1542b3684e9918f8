import { type YNode, type YPair, pair, scalar, ymap } from './yaml-node.js';

/**
 * The pairs of an `environment` value, which is a map, or a list of `KEY=VALUE` strings and maps
 * (later entries win). Malformed entries (reported by validation) are skipped.
 */
export function environmentPairs(node: YNode | undefined): YPair[] {
  if (node === undefined) return [];
  const out = new Map<string, YPair>();
  const add = (p: YPair): void => {
    out.delete(p.key.name);
    out.set(p.key.name, p);
  };
  if (node.kind === 'map') for (const p of node.pairs) add(p);
  else if (node.kind === 'seq') {
    for (const item of node.items) {
      if (item.kind === 'map') for (const p of item.pairs) add(p);
      else if (item.kind === 'scalar' && typeof item.value === 'string') {
        const eq = item.value.indexOf('=');
        if (eq > 0)
          add(pair(item.value.slice(0, eq), scalar(item.value.slice(eq + 1), item.pos), item.pos));
      }
    }
  }
  return [...out.values()];
}

/** `base` with `over` on top, as one environment map. */
export function mergeEnvironment(
  base: YNode | undefined,
  over: YNode | undefined,
  pos: YNode['pos'],
): YNode {
  const merged = new Map<string, YPair>();
  for (const p of environmentPairs(base)) merged.set(p.key.name, p);
  for (const p of environmentPairs(over)) {
    merged.delete(p.key.name);
    merged.set(p.key.name, p);
  }
  return ymap([...merged.values()], pos);
}
