import type { TestCase } from '../../protocol/storage-api.js';

/**
 * Reads JUnit XML (`<testsuites>`, `<testsuite>`, `<testcase>` with `<failure>`, `<error>`,
 * `<skipped>`), as written by JUnit, pytest, Jest, Mocha, Go tools and others. Keeps the suite
 * name, classname, name, `file` (of the case, else of its suite) and `time` (seconds → ms).
 * Malformed XML is a result, not a throw. Pure.
 */
export type JUnitParse = { ok: true; cases: TestCase[] } | { ok: false; error: string };

interface Element {
  readonly name: string;
  readonly attrs: Record<string, string>;
  text: string;
  readonly children: Element[];
}

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return entities[e] ?? whole;
  });
}

function lineOf(xml: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < xml.length; i++) if (xml.charCodeAt(i) === 10) line++;
  return line;
}

function parseXml(xml: string): Element | string {
  const root: Element = { name: '#root', attrs: {}, text: '', children: [] };
  const stack: Element[] = [root];
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const top = stack[stack.length - 1] as Element;
    if (lt === -1) {
      top.text += decode(xml.slice(at));
      break;
    }
    if (lt > at) top.text += decode(xml.slice(at, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end === -1) return `line ${lineOf(xml, lt)}: unclosed comment`;
      at = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end === -1) return `line ${lineOf(xml, lt)}: unclosed CDATA section`;
      top.text += xml.slice(lt + 9, end);
      at = end + 3;
    } else if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt);
      if (end === -1) return `line ${lineOf(xml, lt)}: unclosed declaration`;
      at = end + 1;
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      const name = xml.slice(lt + 2, end).trim();
      if (end === -1 || top.name !== name)
        return `line ${lineOf(xml, lt)}: </${name}> does not close <${top.name}>`;
      stack.pop();
      at = end + 1;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        xml.slice(lt, lt + 64 * 1024),
      );
      if (!tag) return `line ${lineOf(xml, lt)}: malformed tag`;
      const attrs: Record<string, string> = {};
      for (const a of (tag[2] ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
        attrs[a[1] as string] = decode(a[2] ?? a[3] ?? '');
      const element: Element = { name: tag[1] as string, attrs, text: '', children: [] };
      top.children.push(element);
      if (tag[3] !== '/') stack.push(element);
      at = lt + tag[0].length;
    }
  }
  if (stack.length > 1)
    return `the document ends inside <${(stack[stack.length - 1] as Element).name}>`;
  return root;
}

const seconds = (value: string | undefined): number => {
  const n = Number.parseFloat((value ?? '').replace(/,/g, ''));
  return Number.isFinite(n) && n > 0 ? n * 1000 : 0;
};

export function parseJUnitXml(xml: string): JUnitParse {
  const root = parseXml(xml);
  if (typeof root === 'string') return { ok: false, error: root };
  const cases: TestCase[] = [];
  const walk = (el: Element, suite: string, file: string | undefined): void => {
    for (const child of el.children) {
      if (child.name === 'testsuite' || child.name === 'testsuites') {
        walk(child, child.attrs.name ?? suite, child.attrs.file ?? file);
      } else if (child.name === 'testcase') {
        const failure = child.children.find((c) => c.name === 'failure');
        const error = child.children.find((c) => c.name === 'error');
        const skipped = child.children.find((c) => c.name === 'skipped');
        const problem = failure ?? error;
        const message = problem
          ? [problem.attrs.message, problem.text.trim()].filter(Boolean).join('\n')
          : null;
        cases.push({
          suite,
          classname: child.attrs.classname ?? child.attrs.class ?? '',
          name: child.attrs.name ?? '',
          file: child.attrs.file ?? file ?? null,
          timeMs: seconds(child.attrs.time),
          result: failure ? 'failed' : error ? 'error' : skipped ? 'skipped' : 'passed',
          message: message ? message.slice(0, 16 * 1024) : null,
        });
      }
    }
  };
  walk(root, '', undefined);
  return { ok: true, cases };
}
