import { useState } from 'react';
import type { AuditEventView, AuditLogPage } from '../../../src/protocol/audit-api.js';
import { appUrl } from '../api/base-path.js';
import { Empty, Loaded } from '../components/states.js';
import { formatTime } from '../format.js';
import { useResource } from '../use-resource.js';

const describeRef = (ref: AuditEventView['actor']): string => ref.name ?? ref.id;

/**
 * The Audit Log of the admin section: the newest events, filtered by action, and the CSV
 * download of a date range (the whole log when no dates are given).
 */
export function AuditLogCard() {
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const query = new URLSearchParams({ limit: '25' });
  if (/^[a-z0-9_.]+$/.test(action)) query.set('action', action);
  const events = useResource<AuditLogPage>(`api/v1/admin/audit-log?${query}`);
  const download = new URLSearchParams({ format: 'csv' });
  if (since) download.set('since', since);
  if (until) download.set('until', until);
  return (
    <section aria-labelledby="audit-log-heading" className="card">
      <h2 id="audit-log-heading">Audit log</h2>
      <p className="muted">
        Who did what, when and from where. Values of variables and tokens are never in it.
      </p>
      <div className="stack">
        <label>
          Action starts with{' '}
          <input
            name="action"
            value={action}
            placeholder="e.g. user.logged_in"
            onChange={(e) => setAction(e.currentTarget.value.trim().toLowerCase())}
          />
        </label>
      </div>
      <Loaded resource={events}>
        {(page) =>
          page.events.length === 0 ? (
            <Empty title="No audit events" />
          ) : (
            <table className="table">
              <caption className="visually-hidden">Newest audit events</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Result</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {page.events.map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.occurred_at)}</td>
                    <td className="mono">{e.action}</td>
                    <td>
                      {describeRef(e.actor)} <span className="muted">({e.actor.type})</span>
                    </td>
                    <td>
                      {describeRef(e.target)} <span className="muted">({e.target.type})</span>
                    </td>
                    <td>{e.success ? 'ok' : 'refused'}</td>
                    <td className="mono">{e.request?.ip_address ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <fieldset>
        <legend>Download as CSV</legend>
        <label>
          From <input type="date" value={since} onChange={(e) => setSince(e.currentTarget.value)} />
        </label>{' '}
        <label>
          until (not included){' '}
          <input type="date" value={until} onChange={(e) => setUntil(e.currentTarget.value)} />
        </label>{' '}
        <a className="button" href={appUrl(`api/v1/admin/audit-log?${download}`)} download>
          Download CSV
        </a>
      </fieldset>
    </section>
  );
}
