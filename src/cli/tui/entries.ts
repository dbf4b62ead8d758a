export type ToolState = "running" | "done" | "failed" | "interrupted";

/** One block of the transcript. Finished entries go to ink's <Static> and are never re-rendered. */
export type Entry =
  | { kind: "user"; id: string; text: string }
  | { kind: "assistant"; id: string; text: string }
  | {
      kind: "tool";
      id: string;
      callId: string;
      name: string;
      args: unknown;
      state: ToolState;
      startedAt: number;
      durationMs?: number;
      output?: string;
      /** Whether the output is shown; fixed when the entry is committed to the static transcript. */
      expanded?: boolean;
    }
  | { kind: "error"; id: string; message: string; hint?: string; status?: number }
  | { kind: "note"; id: string; text: string; tone: NoteTone };

export type NoteTone = "info" | "warn" | "dim";
