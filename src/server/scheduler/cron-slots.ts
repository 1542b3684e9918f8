import parser from 'cron-parser';

/**
 * The latest slot of a five-field cron expression (minute hour day-of-month month day-of-week,
 * UTC, as schedule triggers are written) in the window (afterMs, untilMs], in epoch ms; undefined
 * when no slot falls in the window or the expression is not five valid fields. Day of month and
 * day of week restricted together match either, as in cron.
 */
export function latestCronSlot(cron: string, afterMs: number, untilMs: number): number | undefined {
  if (untilMs <= afterMs || cron.trim().split(/\s+/).length !== 5) return undefined;
  let slotMs: number;
  try {
    const slots = parser.parseExpression(cron, { currentDate: new Date(untilMs + 1), utc: true });
    slotMs = slots.prev().getTime();
  } catch {
    return undefined;
  }
  return slotMs > afterMs && slotMs <= untilMs ? slotMs : undefined;
}
