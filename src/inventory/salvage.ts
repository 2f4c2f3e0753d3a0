/**
 * What can still be used of a section that failed to parse: each field, list item
 * and nested field that is valid on its own. The cross-checks run over this, so a
 * bad `admin_password` does not hide a forbidden key in the same `harbor` section.
 */
import { z } from "zod";

export function salvageValid(schema: z.ZodType, raw: unknown): unknown {
  const whole = schema.safeParse(raw);
  if (whole.success) return whole.data;
  const inner = unwrapOptional(schema);
  if (inner instanceof z.ZodObject && isPlainObject(raw)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      const value = salvageValid(field, raw[key]);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(raw)) {
    return raw.map((item) => salvageValid(inner.element as z.ZodType, item));
  }
  return undefined;
}

function unwrapOptional(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
