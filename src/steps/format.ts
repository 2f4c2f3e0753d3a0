/** `0o640` → `"0640"`, as operators read modes. */
export function octal(mode: number): string {
  return "0" + mode.toString(8).padStart(3, "0");
}
