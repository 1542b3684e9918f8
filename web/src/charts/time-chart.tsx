import { useId } from 'react';

export interface ChartPoint {
  /** Epoch ms. */
  readonly t: number;
  readonly v: number | null;
  /** What a point is, for its tooltip (e.g. "#12 main"). */
  readonly label?: string;
}

const width = 560;
const height = 180;
const pad = { top: 12, right: 12, bottom: 26, left: 56 };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const steps = [1, 2, 2.5, 5, 10];
  for (const s of steps) if (max <= s * magnitude) return s * magnitude;
  return 10 * magnitude;
}

/**
 * A small SVG chart over time: a line with dots, or bars (one per day). The numbers are also in
 * a table behind "Show data" for screen readers and copying.
 */
export function TimeChart({
  title,
  points,
  from,
  to,
  kind,
  format,
  maxValue,
}: {
  readonly title: string;
  readonly points: readonly ChartPoint[];
  readonly from: number;
  readonly to: number;
  readonly kind: 'line' | 'bars';
  readonly format: (v: number) => string;
  readonly maxValue?: number;
}) {
  const id = useId();
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  const yMax = maxValue ?? niceMax(Math.max(0, ...values));
  const span = Math.max(1, to - from);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (t: number) => pad.left + ((t - from) / span) * plotW;
  const y = (v: number) => pad.top + plotH - (v / yMax) * plotH;
  const ticks = [0, 0.5, 1].map((f) => f * yMax);
  const dayLabels = [from, from + span / 2, to];
  const defined = points.filter((p): p is ChartPoint & { v: number } => p.v !== null);
  const barW = kind === 'bars' ? Math.max(2, (plotW / Math.max(1, points.length)) * 0.7) : 0;
  const summary =
    defined.length === 0
      ? `${title}: no data in this window`
      : `${title}: ${defined.length} points, from ${format(Math.min(...values))} to ${format(Math.max(...values))}, latest ${format(defined[defined.length - 1]?.v ?? 0)}`;
  return (
    <figure className="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={summary}
        preserveAspectRatio="none"
      >
        {ticks.map((v) => (
          <g key={v}>
            <line
              x1={pad.left}
              x2={width - pad.right}
              y1={y(v)}
              y2={y(v)}
              className="chart-gridline"
            />
            <text x={pad.left - 6} y={y(v) + 4} className="chart-axis" textAnchor="end">
              {format(v)}
            </text>
          </g>
        ))}
        {dayLabels.map((t, i) => (
          <text
            key={t}
            x={x(t)}
            y={height - 6}
            className="chart-axis"
            textAnchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}
          >
            {new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}
          </text>
        ))}
        {kind === 'line' && defined.length > 1 && (
          <polyline
            className="chart-line"
            points={defined.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
          />
        )}
        {kind === 'line' &&
          defined.map((p) => (
            <circle
              key={`${p.t}-${p.label ?? ''}`}
              cx={x(p.t)}
              cy={y(p.v)}
              r={3}
              className="chart-dot"
            >
              <title>{`${p.label ? `${p.label}: ` : ''}${format(p.v)}`}</title>
            </circle>
          ))}
        {kind === 'bars' &&
          defined.map((p) => (
            <rect
              key={p.t}
              x={x(p.t) - barW / 2}
              y={y(p.v)}
              width={barW}
              height={Math.max(0, pad.top + plotH - y(p.v))}
              className="chart-bar"
            >
              <title>{`${p.label ? `${p.label}: ` : ''}${format(p.v)}`}</title>
            </rect>
          ))}
      </svg>
      {defined.length === 0 && <p className="chart-empty muted">No data in this window.</p>}
      <details className="chart-data">
        <summary>Show data</summary>
        <table className="table compact">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {defined.map((p) => (
              <tr key={`${p.t}-${p.label ?? ''}`}>
                <td>{p.label ?? new Date(p.t).toLocaleString()}</td>
                <td className="mono">{format(p.v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
