import { type FormEvent, useState } from 'react';
import type { ProjectView } from '../../../src/protocol/rest-api.js';
import { post } from '../api/client.js';
import { Field, FormError } from '../components/field.js';
import { Empty, Loaded } from '../components/states.js';
import { formatTime } from '../format.js';
import { Link, navigate } from '../router.js';
import { useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

function AddProjectForm() {
  const [source, setSource] = useState<'local' | 'git'>('local');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const location = String(form.get('location') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const project = await post<ProjectView>('api/v1/projects', {
        name: String(form.get('name') ?? '').trim(),
        ...(source === 'local' ? { localPath: location } : { gitUrl: location }),
        defaultBranch: String(form.get('branch') ?? '').trim() || 'main',
        configPath: String(form.get('configPath') ?? '').trim() || '.circleci/config.yml',
      });
      navigate(`/projects/${encodeURIComponent(project.name)}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <form className="card form-grid" onSubmit={submit} aria-labelledby="add-project-heading">
      <h2 id="add-project-heading">Add a project</h2>
      <fieldset className="segmented">
        <legend>Source</legend>
        <label>
          <input
            type="radio"
            name="source"
            value="local"
            checked={source === 'local'}
            onChange={() => setSource('local')}
          />
          Local folder
        </label>
        <label>
          <input
            type="radio"
            name="source"
            value="git"
            checked={source === 'git'}
            onChange={() => setSource('git')}
          />
          Git URL
        </label>
      </fieldset>
      <Field
        label="Name"
        name="name"
        required
        pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
        hint="Letters, digits, “.”, “_” and “-”."
      />
      <Field
        label={source === 'local' ? 'Folder on the server' : 'Git URL'}
        name="location"
        required
        placeholder={
          source === 'local' ? '/srv/repos/my-app' : 'https://git.example.com/team/app.git'
        }
        hint={
          source === 'local'
            ? 'A git repository (or plain folder) the server can read.'
            : 'Cloned by the server through the proxy policy.'
        }
      />
      <Field label="Default branch" name="branch" defaultValue="main" />
      <Field label="Config path" name="configPath" defaultValue=".circleci/config.yml" />
      <FormError message={error} />
      <div>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add project'}
        </button>
      </div>
    </form>
  );
}

export function ProjectsPage() {
  useTitle('Projects');
  const projects = useResource<ProjectView[]>('api/v1/projects');
  return (
    <>
      <div className="page-head">
        <h1>Projects</h1>
      </div>
      <div className="two-col">
        <section aria-labelledby="project-list-heading">
          <h2 id="project-list-heading">All projects</h2>
          <Loaded resource={projects}>
            {(list) =>
              list.length === 0 ? (
                <Empty title="No projects yet">
                  <p>Add the first one with the form.</p>
                </Empty>
              ) : (
                <div className="table-wrap">
                  <table className="table">
                    <caption className="visually-hidden">Projects</caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Source</th>
                        <th scope="col">Default branch</th>
                        <th scope="col">Added</th>
                      </tr>
                    </thead>
                    <tbody>
                      {list.map((p) => (
                        <tr key={p.id}>
                          <td>
                            <Link to={`/projects/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                          </td>
                          <td className="mono">{p.gitUrl ?? p.localPath}</td>
                          <td className="mono">{p.defaultBranch}</td>
                          <td>{formatTime(p.createdAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </Loaded>
        </section>
        <AddProjectForm />
      </div>
    </>
  );
}
