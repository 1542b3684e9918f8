import { z } from 'zod';

export const jobStatuses = [
  'blocked',
  'queued',
  'running',
  'success',
  'failed',
  'canceled',
  'not_run',
  'on_hold',
  'infrastructure_fail',
] as const;
export const jobStatusSchema = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Statuses after which a job never changes again (until a rerun creates new jobs). */
export const finalJobStatuses: ReadonlySet<JobStatus> = new Set([
  'success',
  'failed',
  'canceled',
  'not_run',
  'infrastructure_fail',
]);

export const workflowStatuses = [
  'running',
  'success',
  'failed',
  'on_hold',
  'canceled',
  'not_run',
  'error',
] as const;
export const workflowStatusSchema = z.enum(workflowStatuses);
export type WorkflowStatus = z.infer<typeof workflowStatusSchema>;

export const pipelineStatuses = [
  'created',
  'running',
  'success',
  'failed',
  'error',
  'canceled',
] as const;
export const pipelineStatusSchema = z.enum(pipelineStatuses);
export type PipelineStatus = z.infer<typeof pipelineStatusSchema>;

export const stepStatuses = [
  'running',
  'success',
  'failed',
  'canceled',
  'skipped',
  'timedout',
] as const;
export const stepStatusSchema = z.enum(stepStatuses);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const triggerSources = ['api', 'cli', 'schedule', 'webhook', 'local'] as const;
export const triggerSourceSchema = z.enum(triggerSources);
export type TriggerSource = z.infer<typeof triggerSourceSchema>;
