/** The one activity of the saga floor (bench/floors/noop.workflow.ts): does nothing, run locally. */
export interface NoopFloorActivities {
  noop(): Promise<void>;
}

/** The floor worker's task queue: never one the production worker polls. */
export const NOOP_FLOOR_TASK_QUEUE = 'bench-floor-noop';
export const NOOP_FLOOR_WORKFLOW = 'NoopFloorWorkflow';
