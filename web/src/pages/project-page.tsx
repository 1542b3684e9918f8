import { type FormEvent, useEffect, useState } from 'react';
import type { PipelineView, ProjectView } from '../../../src/protocol/rest-api.js';
import type { PipelinePageView } from '../../../src/protocol/ui-api.js';
import { get, post } from '../api/client.js';
import { Field, FormError } from '../components/field.js';
import { PipelinesTable } from '../components/pipelines-table.js';
import { ProjectHeader } from '../components/project-header.js';
import { Empty, Loaded } from '../components/states.js';
import { navigate } from '../router.js';
import { useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

function TriggerForm({ project }: { readonly project: ProjectView }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const branch = String(form.get('branch') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const pipeline = await post<PipelineView>(
        `api/v1/projects/${encodeURIComponent(project.name)}/pipelines`,
        {
          ...(branch ? { branch } : {}),
        },
      );
      navigate(`/pipelines/${pipeline.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <form className="inline-form card" onSubmit={submit} aria-label="Trigger a pipeline">
      <Field label="Branch" name="branch" defaultValue={project.defaultBranch} />
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Triggering…' : 'Trigger pipeline'}
      </button>
      <FormError message={error} />
    </form>
  );
}

function Pipelines({ project }: { readonly project: ProjectView }) {
  const first = useResource<PipelinePageView>(
    `api/v1/ui/pipelines?project=${encodeURIComponent(project.name)}&limit=30`,
    (m) => (m.type === 'pipeline' || m.type === 'job') && m.projectId === project.id,
  );
  const [older, setOlder] = useState<PipelineView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    setOlder([]);
    setNext(first.data?.nextBefore ?? null);
  }, [first.data]);
  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const page = await get<PipelinePageView>(
        `api/v1/ui/pipelines?project=${encodeURIComponent(project.name)}&limit=30&before=${encodeURIComponent(next)}`,
      );
      setOlder((o) => [...o, ...page.pipelines]);
      setNext(page.nextBefore);
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <Loaded resource={first} label="Loading pipelines…">
      {(page) =>
        page.pipelines.length === 0 ? (
          <Empty title="No pipelines yet">
            <p>Trigger the first one above.</p>
          </Empty>
        ) : (
          <>
            <PipelinesTable
              pipelines={[...page.pipelines, ...older]}
              showProject={false}
              caption={`Pipelines of ${project.name}`}
            />
            {next && (
              <button
                type="button"
                className="button"
                onClick={() => void loadMore()}
                disabled={loadingMore}
              >
                {loadingMore ? 'Loading…' : 'Load older pipelines'}
              </button>
            )}
          </>
        )
      }
    </Loaded>
  );
}

export function ProjectPage({ name }: { readonly name: string }) {
  useTitle(name);
  const project = useResource<ProjectView>(`api/v1/projects/${encodeURIComponent(name)}`);
  return (
    <Loaded resource={project} label="Loading the project…">
      {(p) => (
        <>
          <ProjectHeader project={p} current="pipelines" />
          <TriggerForm project={p} />
          <section aria-labelledby="pipelines-heading">
            <h2 id="pipelines-heading">Pipelines</h2>
            <Pipelines project={p} />
          </section>
        </>
      )}
    </Loaded>
  );
}
