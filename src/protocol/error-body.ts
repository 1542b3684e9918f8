import { z } from 'zod';

/** Every API error answer: `{ code, message }`, code from the one catalog (src/shared/error-codes.ts). */
export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
