import type { ProjectView } from '../../../src/protocol/rest-api.js';
import { Link } from '../router.js';

/** The project's name, source and its tabs (pipelines, insights, settings). */
export function ProjectHeader({
  project,
  current,
}: { readonly project: ProjectView; readonly current: 'pipelines' | 'insights' | 'settings' }) {
  const base = `/projects/${encodeURIComponent(project.name)}`;
  const tab = (key: typeof current, to: string, label: string) => (
    <Link to={to} className="tab" {...(current === key ? { 'aria-current': 'page' as const } : {})}>
      {label}
    </Link>
  );
  return (
    <div className="page-head">
      <p className="breadcrumbs">
        <Link to="/projects">Projects</Link>
      </p>
      <h1>{project.name}</h1>
      <p className="muted mono">
        {project.gitUrl ?? project.localPath} · {project.defaultBranch} · {project.configPath}
      </p>
      <nav className="tabs" aria-label="Project">
        {tab('pipelines', base, 'Pipelines')}
        {tab('insights', `${base}/insights`, 'Insights')}
        {tab('settings', `${base}/settings`, 'Settings')}
      </nav>
    </div>
  );
}
