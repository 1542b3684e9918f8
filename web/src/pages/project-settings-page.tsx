import { type FormEvent, useState } from 'react';
import type { EnvVarView, ProjectView } from '../../../src/protocol/rest-api.js';
import { del, put } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { Field, FormError } from '../components/field.js';
import { ProjectHeader } from '../components/project-header.js';
import { Empty, Loaded } from '../components/states.js';
import { formatTime } from '../format.js';
import { useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

function EnvVars({ project }: { readonly project: ProjectView }) {
  const path = `api/v1/projects/${encodeURIComponent(project.name)}/env`;
  const vars = useResource<EnvVarView[]>(path);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const name = String(form.get('name') ?? '').trim();
    setError(undefined);
    setSaved(undefined);
    try {
      await put(`${path}/${encodeURIComponent(name)}`, { value: String(form.get('value') ?? '') });
      formElement.reset();
      setSaved(`Saved ${name}.`);
      vars.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="env-heading" className="two-col">
      <div>
        <h2 id="env-heading">Environment variables</h2>
        <p className="muted">
          Values are encrypted at rest and write-only: nobody can read them back here, jobs get them
          as environment variables and their output masks them.
        </p>
        <Loaded resource={vars}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No variables" />
            ) : (
              <table className="table">
                <caption className="visually-hidden">Environment variables</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Value</th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((v) => (
                    <tr key={v.name}>
                      <td className="mono">{v.name}</td>
                      <td className="muted">••••••••</td>
                      <td>{formatTime(v.updatedAt)}</td>
                      <td>
                        <ActionButton
                          variant="danger"
                          label={`Delete ${v.name}`}
                          confirm={`Delete the variable ${v.name}?`}
                          action={async () => {
                            await del(`${path}/${encodeURIComponent(v.name)}`);
                            vars.reload();
                          }}
                        >
                          Delete
                        </ActionButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      </div>
      <form className="card form-grid" onSubmit={submit} aria-labelledby="env-form-heading">
        <h3 id="env-form-heading">Add or replace a variable</h3>
        <Field
          label="Name"
          name="name"
          required
          pattern="[A-Za-z_][A-Za-z0-9_]*"
          className="mono"
          hint="Letters, digits and “_”, not starting with a digit."
        />
        <Field label="Value" name="value" type="password" autoComplete="off" required />
        <FormError message={error} />
        {saved && <output>{saved}</output>}
        <div>
          <button type="submit" className="button primary">
            Save variable
          </button>
        </div>
      </form>
    </section>
  );
}

export function ProjectSettingsPage({ name }: { readonly name: string }) {
  useTitle(`${name} settings`);
  const project = useResource<ProjectView>(`api/v1/projects/${encodeURIComponent(name)}`);
  return (
    <Loaded resource={project}>
      {(p) => (
        <>
          <ProjectHeader project={p} current="settings" />
          <EnvVars project={p} />
        </>
      )}
    </Loaded>
  );
}
