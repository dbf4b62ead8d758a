import * as z from "zod";

const isoDateTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "expected an ISO 8601 date-time" });

export const cronScheduleSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("cron"), expr: z.string().min(1), tz: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal("every"), seconds: z.number().int().positive() }),
  z.strictObject({ kind: z.literal("at"), at: isoDateTime }),
]);

export const cronDeliverSchema = z.strictObject({
  channel: z.string().min(1),
  chatId: z.string().min(1),
  threadId: z.string().min(1).optional(),
});

export const cronJobSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  schedule: cronScheduleSchema,
  message: z.string(),
  /** Where the answer goes; absent means the job runs silently. */
  deliver: cronDeliverSchema.optional(),
  enabled: z.boolean().default(true),
  createdAt: isoDateTime,
  lastRunAt: isoDateTime.optional(),
  lastStatus: z.enum(["ok", "error", "missed"]).optional(),
  lastError: z.string().optional(),
  nextRunAt: isoDateTime.optional(),
});

export const cronFileSchema = z.strictObject({
  version: z.literal(1),
  jobs: z.array(cronJobSchema),
});

export type CronSchedule = z.infer<typeof cronScheduleSchema>;
export type CronDeliver = z.infer<typeof cronDeliverSchema>;
export type CronJob = z.infer<typeof cronJobSchema>;
export type CronFile = z.infer<typeof cronFileSchema>;

/** What a caller gives to create a job; the store fills in id, createdAt and enabled. */
export interface NewCronJob {
  name?: string;
  schedule: CronSchedule;
  message: string;
  deliver?: CronDeliver;
  enabled?: boolean;
  nextRunAt?: string;
}

/** pino's logger fits this shape, so does a test's array collector. */
export interface CronLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** How late a due job may still run (after a sleep or a restart); later, it counts as missed. */
export const DEFAULT_GRACE_MS = 5 * 60_000;
