import type { NodeView } from '../../../src/protocol/rest-api.js';
import { post } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { Empty, Loaded } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatAgo, formatTime } from '../format.js';
import { useUser } from '../session.js';
import { useNow, useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

/** The build nodes: classes, status, drain and running jobs, with a drain toggle for admins. */
export function RunnersPage() {
  useTitle('Runners');
  const user = useUser();
  const now = useNow(5000);
  const nodes = useResource<NodeView[]>('api/v1/nodes', (m) => m.type === 'runner');
  return (
    <>
      <div className="page-head">
        <h1>Runners</h1>
        <p className="muted">
          Build nodes that claim jobs. A draining node finishes the jobs it runs and takes no new
          ones: drain it before you stop it.
        </p>
      </div>
      <Loaded resource={nodes} label="Loading runners…">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No runners have registered">
              <p>
                Create a registration token under Admin, then start <code>airlock runner</code> with
                it on a build host.
              </p>
            </Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="nodes-table">
                <caption className="visually-hidden">Build nodes</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Resource classes</th>
                    <th scope="col">Executors</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Running jobs
                    </th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Version</th>
                    <th scope="col">Drain</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((n) => (
                    <tr key={n.id} data-node={n.name}>
                      <td>
                        <strong>{n.name}</strong>
                        {n.hostname && <div className="muted mono">{n.hostname}</div>}
                      </td>
                      <td>
                        <ul className="chips">
                          {n.resourceClasses.map((c) => (
                            <li key={c} className="mono">
                              {c}
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td className="mono">{n.executors.join(', ')}</td>
                      <td>
                        <StatusBadge status={n.status} />
                        {n.drain && <span className="tag warn">draining</span>}
                      </td>
                      <td className="num mono">
                        {n.runningJobs} / {n.capacity}
                      </td>
                      <td>
                        <time dateTime={n.lastSeenAt} title={formatTime(n.lastSeenAt)}>
                          {formatAgo(n.lastSeenAt, now)}
                        </time>
                      </td>
                      <td className="mono">{n.version || '–'}</td>
                      <td>
                        {user.isAdmin ? (
                          <ActionButton
                            variant={n.drain ? 'primary' : 'default'}
                            label={n.drain ? `Undrain ${n.name}` : `Drain ${n.name}`}
                            action={async () => {
                              await post(`api/v1/nodes/${encodeURIComponent(n.id)}/drain`, {
                                drain: !n.drain,
                              });
                              nodes.reload();
                            }}
                          >
                            {n.drain ? 'Undrain' : 'Drain'}
                          </ActionButton>
                        ) : (
                          <span className="muted">{n.drain ? 'on' : 'off'}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  );
}
