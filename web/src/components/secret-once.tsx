import { useState } from 'react';

/** A secret shown once (a new token), with a copy button. */
export function SecretOnce({
  label,
  value,
  note,
}: { readonly label: string; readonly value: string; readonly note?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <output className="secret-once">
      <p>
        <strong>{label}</strong> {note ?? 'Copy it now: it is not shown again.'}
      </p>
      <div className="secret-row">
        <code className="mono" data-testid="secret-value">
          {value}
        </code>
        <button
          type="button"
          className="button subtle"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </output>
  );
}
