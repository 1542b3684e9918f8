/** Structured columns are JSON text; these are the only two places that convert. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJsonText<T>(text: string): T {
  return JSON.parse(text) as T;
}
