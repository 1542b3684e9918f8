import { useEffect, useState } from 'react';
import type { JobView } from '../../../src/protocol/rest-api.js';
import type { ArtifactView, TestResultsView } from '../../../src/protocol/storage-api.js';
import { appUrl } from '../api/base-path.js';
import { ApiError, get } from '../api/client.js';
import { formatBytes, formatDuration, plural } from '../format.js';

/** Loads an optional part of a job; undefined while loading or when the server has none. */
function useOptional<T>(path: string, refreshKey: string): T | undefined {
  const [data, setData] = useState<T | undefined>();
  useEffect(() => {
    void refreshKey;
    const controller = new AbortController();
    get<T>(path, controller.signal).then(setData, (error: unknown) => {
      if (error instanceof ApiError && error.status === 404) setData(undefined);
    });
    return () => controller.abort();
  }, [path, refreshKey]);
  return data;
}

/** The files the job stored with `store_artifacts`, each a download link. */
export function Artifacts({ job }: { readonly job: JobView }) {
  const artifacts = useOptional<ArtifactView[]>(`api/v1/jobs/${job.id}/artifacts`, job.status);
  if (!artifacts || artifacts.length === 0) return null;
  return (
    <section aria-labelledby="artifacts-heading">
      <h2 id="artifacts-heading">Artifacts</h2>
      <ul className="artifact-list">
        {artifacts.map((a) => (
          <li key={a.path}>
            <a href={appUrl(a.url)} download>
              {a.path}
            </a>{' '}
            <span className="muted">{formatBytes(a.sizeBytes)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What `store_test_results` stored: counts, the failures with their messages, the slowest. */
export function TestResults({ job }: { readonly job: JobView }) {
  const results = useOptional<TestResultsView>(`api/v1/jobs/${job.id}/tests`, job.status);
  if (!results || results.summary.total === 0) return null;
  const { summary } = results;
  const failing = results.cases.filter((c) => c.result === 'failed' || c.result === 'error');
  return (
    <section aria-labelledby="tests-heading">
      <h2 id="tests-heading">Test results</h2>
      <p data-testid="test-summary">
        {plural(summary.total, 'test')}: {summary.passed} passed, {summary.failed} failed,{' '}
        {summary.errors} errors, {summary.skipped} skipped, in {formatDuration(summary.timeMs)}
      </p>
      {failing.length > 0 && (
        <ul className="test-failures">
          {failing.map((c) => (
            <li key={`${c.suite}/${c.classname}/${c.name}`}>
              <strong className="mono">
                {c.classname} › {c.name}
              </strong>{' '}
              <span className="tag error">{c.result}</span>
              {c.file && <span className="muted mono"> {c.file}</span>}
              {c.message && <pre>{c.message}</pre>}
            </li>
          ))}
        </ul>
      )}
      {results.slowest.length > 0 && (
        <details>
          <summary>Slowest tests</summary>
          <table className="table compact">
            <caption className="visually-hidden">Slowest tests</caption>
            <thead>
              <tr>
                <th scope="col">Test</th>
                <th scope="col" className="num">
                  Time
                </th>
              </tr>
            </thead>
            <tbody>
              {results.slowest.map((c) => (
                <tr key={`${c.suite}/${c.classname}/${c.name}`}>
                  <td className="mono">
                    {c.classname} › {c.name}
                  </td>
                  <td className="num mono">{formatDuration(c.timeMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
