import { type FormEvent, useState } from 'react';
import type { ContextView } from '../../../src/protocol/contexts-api.js';
import { del, post, put } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { Field, FormError } from '../components/field.js';
import { Empty, Loaded } from '../components/states.js';
import { formatTime } from '../format.js';
import { useResource } from '../use-resource.js';

/** Reads a form's text field, trimmed. */
const field = (form: HTMLFormElement, name: string): string =>
  String(new FormData(form).get(name) ?? '').trim();

/**
 * Contexts of the admin section: shared variable sets that workflow jobs opt into with
 * `context:`. Values are write-only: they are sent once and never shown again.
 */
export function ContextsCard() {
  const contexts = useResource<ContextView[]>('api/v1/contexts');
  const [error, setError] = useState<string>();
  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setError(undefined);
    try {
      await post('api/v1/contexts', { name: field(form, 'name') });
      form.reset();
      contexts.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="contexts-heading" className="card">
      <h2 id="contexts-heading">Contexts</h2>
      <p className="muted">
        Variables shared by every project; a job gets them with <code>context: [name]</code>. Values
        are encrypted, masked in job logs, and never shown again.
      </p>
      <Loaded resource={contexts}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No contexts" />
          ) : (
            <div className="stack">
              {list.map((c) => (
                <ContextItem key={c.id} context={c} reload={contexts.reload} />
              ))}
            </div>
          )
        }
      </Loaded>
      <form className="inline-form" onSubmit={create} aria-label="Create a context">
        <Field label="Context name" name="name" required placeholder="aws-prod" />
        <button type="submit" className="button">
          Create context
        </button>
        <FormError message={error} />
      </form>
    </section>
  );
}

function ContextItem({ context, reload }: { context: ContextView; reload: () => void }) {
  const [error, setError] = useState<string>();
  const base = `api/v1/contexts/${encodeURIComponent(context.name)}`;
  const setVariable = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const value = String(new FormData(form).get('value') ?? '');
    setError(undefined);
    try {
      await put(`${base}/env/${encodeURIComponent(field(form, 'variable'))}`, { value });
      form.reset();
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <article aria-label={`Context ${context.name}`} className="sub-card">
      <h3 className="mono">{context.name}</h3>
      <p className="muted">
        Created {formatTime(context.createdAt)}
        {context.createdBy ? ` by ${context.createdBy}` : ''}
      </p>
      {context.variables.length === 0 ? (
        <p className="muted">No variables yet.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Variables of {context.name}</caption>
          <thead>
            <tr>
              <th scope="col">Variable</th>
              <th scope="col">Value</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {context.variables.map((v) => (
              <tr key={v.name}>
                <td className="mono">{v.name}</td>
                <td className="muted">hidden</td>
                <td>{formatTime(v.updatedAt)}</td>
                <td>
                  <ActionButton
                    variant="danger"
                    label={`Remove ${v.name} from ${context.name}`}
                    confirm={`Remove ${v.name} from ${context.name}? Jobs using the context lose it.`}
                    action={async () => {
                      await del(`${base}/env/${encodeURIComponent(v.name)}`);
                      reload();
                    }}
                  >
                    Remove
                  </ActionButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form"
        onSubmit={setVariable}
        aria-label={`Set a variable of ${context.name}`}
      >
        <Field label="Variable" name="variable" required placeholder="AWS_ACCESS_KEY_ID" />
        <Field
          label="Value"
          name="value"
          type="password"
          autoComplete="off"
          required
          hint="Sent once, stored encrypted, never shown again."
        />
        <button type="submit" className="button">
          Set variable
        </button>
        <FormError message={error} />
      </form>
      <ActionButton
        variant="danger"
        label={`Delete context ${context.name}`}
        confirm={`Delete the context ${context.name} and its variables? Jobs naming it will fail until it exists again.`}
        action={async () => {
          await del(base);
          reload();
        }}
      >
        Delete context
      </ActionButton>
    </article>
  );
}
