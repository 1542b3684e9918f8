const fields = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

/**
 * Checks a schedule's cron expression as CircleCI accepts it: five fields (minute, hour, day of
 * month, month, day of week; UTC), each `*`, a value, a comma list of values, or one range
 * `a-b`. Step syntax (`*\/5`), ranges inside lists and named ranges are not accepted. Returns a
 * problem description, or undefined when the expression is fine.
 */
export function checkCron(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const field = fields[i];
    const part = parts[i];
    if (!field || part === undefined) continue;
    const problem = checkField(part, field);
    if (problem) return `${field.name} "${part}": ${problem}`;
  }
  return undefined;
}

function checkField(part: string, field: (typeof fields)[number]): string | undefined {
  if (part === '*') return undefined;
  if (part.includes('/')) return 'step syntax (*/n) is not supported; list the values instead';
  const items = part.split(',');
  const names: readonly string[] = 'names' in field ? field.names : [];
  const value = (text: string): number | undefined => {
    if (/^\d+$/.test(text)) return Number(text);
    const n = names.indexOf(text.toUpperCase());
    return n >= 0 ? n + field.min : undefined;
  };
  for (const item of items) {
    if (item.includes('-')) {
      if (items.length > 1) return 'ranges inside a comma list are not supported';
      const [a, b, extra] = item.split('-');
      if (extra !== undefined || a === undefined || b === undefined) return 'a range is a-b';
      if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return 'ranges must use numbers, not names';
      const lo = Number(a);
      const hi = Number(b);
      if (lo < field.min || hi > field.max || lo > hi)
        return `the range must be within ${field.min}-${field.max} and ascending`;
      continue;
    }
    const v = value(item);
    if (v === undefined) return `"${item}" is not a number${names.length > 0 ? ' or a name' : ''}`;
    if (v < field.min || v > field.max) return `${v} is outside ${field.min}-${field.max}`;
  }
  return undefined;
}
