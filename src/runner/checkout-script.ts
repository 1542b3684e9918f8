import type { CheckoutSource } from '../protocol/runner-api.js';

const q = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The shell script of the `checkout` step. It runs in the job's environment (proxy variables
 * rendered from the policy; git reads them), so it is logged like any step. Shallow by default;
 * `full` fetches the whole history.
 */
export function checkoutScript(
  source: CheckoutSource,
  dest: string,
  options: { method: 'shallow' | 'blobless' | 'full'; depth?: number },
): string {
  const lines = ['set -e', `mkdir -p ${q(dest)}`, `cd ${q(dest)}`];
  if (source.kind === 'local-dir') {
    lines.push(
      `echo "Copying the working tree of ${source.path}"`,
      `tar -C ${q(source.path)} --exclude=./node_modules --exclude=./data --exclude=./dist -cf - . | tar -xf -`,
    );
    return `${lines.join('\n')}\n`;
  }
  const depth =
    options.method === 'full'
      ? ''
      : options.method === 'blobless'
        ? ' --filter=blob:none'
        : ` --depth ${options.depth ?? 1}`;
  const local = source.url.startsWith('/');
  const url = q(local ? `file://${source.url}` : source.url);
  // A local repository is ours: let its upload-pack serve any commit by id.
  const uploadPack = local
    ? ` --upload-pack=${q('git -c uploadpack.allowAnySHA1InWant=true upload-pack')}`
    : '';
  const fallbackRef = source.tag
    ? `refs/tags/${source.tag}`
    : `refs/heads/${source.branch ?? 'main'}`;
  // A fresh workspace (the usual case) costs two git processes here, an existing clone one.
  lines.push(
    'if [ -d .git ]; then',
    `  git remote set-url origin ${url} 2>/dev/null || git remote add origin ${url}`,
    'else',
    `  git init -q . && git remote add origin ${url}`,
    'fi',
  );
  if (source.revision) {
    lines.push(
      `echo "Checking out ${source.revision}${source.branch ? ` (${source.branch})` : source.tag ? ` (tag ${source.tag})` : ''}"`,
      // Fetch the commit itself; a server that refuses unadvertised commits gets the branch or
      // tag instead (whole history, so an older commit of it is found too).
      `if ! git -c protocol.version=2 fetch -q${depth}${uploadPack} origin ${q(source.revision)} 2>/dev/null; then`,
      `  git fetch -q${uploadPack} origin ${q(fallbackRef)}`,
      'fi',
      source.branch
        ? `git checkout -q -B ${q(source.branch)} ${q(source.revision)}`
        : `git -c advice.detachedHead=false checkout -q ${q(source.revision)}`,
    );
  } else if (source.tag) {
    lines.push(
      `git fetch -q${depth} origin ${q(`refs/tags/${source.tag}:refs/tags/${source.tag}`)}`,
      `git -c advice.detachedHead=false checkout -q ${q(source.tag)}`,
    );
  } else {
    const branch = source.branch ?? 'main';
    lines.push(
      `git fetch -q${depth} origin ${q(`refs/heads/${branch}`)}`,
      `git checkout -q -B ${q(branch)} FETCH_HEAD`,
    );
  }
  lines.push('git --no-pager log -1 --format="HEAD is now at %h %s"');
  return `${lines.join('\n')}\n`;
}
