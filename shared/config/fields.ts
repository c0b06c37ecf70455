// Field builders shared by the configuration sections.
import { z } from "zod";

export const fraction = (dflt: number) => z.coerce.number().finite().min(0).max(1).default(dflt);
export const posInt = (dflt: number) => z.coerce.number().int().positive().default(dflt);
export const list = (dflt: string) =>
  z.string().default(dflt).transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));
