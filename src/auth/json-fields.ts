import * as z from "zod";

/** A string field of a token file that may be missing, null or blank: all read as undefined. */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v?.trim() ? v : undefined));
