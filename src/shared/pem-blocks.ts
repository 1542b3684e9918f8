/**
 * PEM text split into its blocks (`-----BEGIN LABEL-----` … `-----END LABEL-----`), and a word
 * for what a file that holds none looks like, so an error can say "this is DER, not PEM" rather
 * than "bad certificate". Pure: the caller reads the file.
 */

export interface PemBlock {
  /** `CERTIFICATE`, `PRIVATE KEY`, `RSA PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, … */
  readonly label: string;
  /** The whole block, BEGIN and END lines included, as a TLS library takes it. */
  readonly text: string;
  /** 1-based line of the BEGIN line in the file. */
  readonly line: number;
  /** RFC 1421 headers inside the block (`Proc-Type: 4,ENCRYPTED` of an old encrypted key). */
  readonly headers: Readonly<Record<string, string>>;
}

/** What a file without PEM blocks holds, as far as can be told from its bytes. */
export type NonPemContent = 'empty' | 'der' | 'binary' | 'text';

const begin = /^-----BEGIN ([A-Z0-9 ]+)-----\s*$/;
const end = /^-----END ([A-Z0-9 ]+)-----\s*$/;

/** Every well-formed block, in file order. Text outside blocks (comments, `Bag Attributes`) is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  let open: { label: string; start: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const b = begin.exec(line);
    if (b) {
      open = { label: b[1] as string, start: i };
      continue;
    }
    const e = end.exec(line);
    if (e && open && e[1] === open.label) {
      const body = lines.slice(open.start, i + 1);
      const headers: Record<string, string> = {};
      for (const inner of body.slice(1, -1)) {
        const header = /^([A-Za-z-]+):\s*(.*)$/.exec(inner);
        if (header) headers[header[1] as string] = (header[2] as string).trim();
      }
      blocks.push({
        label: open.label,
        text: `${body.map((l) => l.trimEnd()).join('\n')}\n`,
        line: open.start + 1,
        headers,
      });
      open = undefined;
    }
  }
  return blocks;
}

/** For a file with no PEM block: empty, DER (an ASN.1 SEQUENCE), other binary, or text. */
export function nonPemContent(bytes: Uint8Array): NonPemContent {
  if (
    bytes.length === 0 ||
    bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)
  )
    return 'empty';
  // DER starts with a SEQUENCE tag (0x30) and a length byte.
  if (bytes[0] === 0x30 && bytes.length > 2 && ((bytes[1] as number) & 0x80) !== 0) return 'der';
  const sample = bytes.subarray(0, 512);
  const binary = sample.some((b) => b === 0 || (b < 0x09 && b !== 0x1b));
  return binary ? 'binary' : 'text';
}

/** The words for a `NonPemContent`, to finish "… holds …". */
export function describeNonPem(content: NonPemContent, what: 'certificate' | 'key'): string {
  switch (content) {
    case 'empty':
      return 'nothing (the file is empty)';
    case 'der':
      return `binary DER, not PEM (convert it: openssl ${what === 'key' ? 'pkey' : 'x509'} -inform der -in FILE -out FILE.pem)`;
    case 'binary':
      return 'binary data, not PEM';
    case 'text':
      return 'text without a "-----BEGIN …-----" block';
  }
}
